/**
 * Build: the Rust kernel (cargo, release, with its PGO profile when current: `_kernel_cargo.ts`),
 * the C Zinc helper (gcc), the operator console's browser bundle (`_console_bundle.ts`), then one
 * executable `dist/dita-v2` (bun build --compile) with both shared libraries and the console
 * embedded.
 *
 *   bun scripts/build.ts              always rebuild the executable
 *   bun scripts/build.ts --if-needed  skip the executable when it is newer than every source
 */

import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { bundleConsole } from "./_console_bundle.ts";
import { kernelCargoEnv } from "./_kernel_cargo.ts";

const root = join(import.meta.dir, "..");
const ifNeeded = process.argv.includes("--if-needed");

function run(cmd: string[], what: string, env: Record<string, string | undefined> = process.env): void {
  const r = Bun.spawnSync(cmd, { cwd: root, env, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) {
    console.error(`build: ${what} failed (exit ${r.exitCode}): ${cmd.join(" ")}`);
    process.exit(1);
  }
}

function newestMtime(dir: string, exts: string[]): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, exts));
    else if (exts.some((e) => entry.name.endsWith(e))) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function mtime(p: string): number {
  return existsSync(join(root, p)) ? statSync(join(root, p)).mtimeMs : 0;
}

if (!Bun.which("cargo")) {
  console.error("build: cargo is not installed (install Rust: https://rustup.rs, or apt-get install cargo)");
  process.exit(1);
}
const cargo = kernelCargoEnv(root);
if (cargo.note !== null) console.warn(`build: kernel without profile-guided optimization: ${cargo.note}`);
run(
  ["cargo", "build", "--release", "--quiet", "--manifest-path", "kernel/Cargo.toml"],
  "kernel (cargo build)",
  cargo.env,
);

// libzinc through ffi/Makefile, the one place its compiler flags live (make rebuilds it when zinc.c,
// zinc.h or any of ffi/src, which zinc.c includes, is newer).
run(["make", "-s", "-C", "ffi", "build/libzinc.so"], "zinc (make)");

const exe = "dist/dita-v2";
const sources = Math.max(
  newestMtime(join(root, "src"), [".ts", ".css", ".html", ".svg"]),
  newestMtime(join(root, "clients/typescript"), [".ts"]),
  mtime("kernel/target/release/libdita_kernel.so"),
  mtime("ffi/build/libzinc.so"),
  mtime("package.json"),
);
if (ifNeeded && mtime(exe) > sources) process.exit(0);
mkdirSync(join(root, "dist"), { recursive: true });
try {
  await bundleConsole(root);
} catch (e) {
  console.error(`build: ${(e as Error).message}`);
  process.exit(1);
}
run(
  [
    process.execPath,
    "build",
    "--compile",
    "--bytecode",
    "--minify-whitespace",
    "--minify-syntax",
    "src/cli/main.ts",
    "src/zinc/_wait_worker.ts",
    "src/launcher/_stall_worker.ts",
    "clients/typescript/_wait_worker.ts",
    "--outfile",
    exe,
  ],
  "executable (bun build --compile)",
);
