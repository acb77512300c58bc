/**
 * `dita-v2 zinc-lib [--out DIR]`: writes the libzinc embedded in this executable to
 * `DIR/libzinc.so` (default `<state dir>/lib`, DITA_V2_STATE_DIR or .dita-v2) and prints its
 * absolute path, so a strategy on a machine that has only the executable can load it
 * (`export DITA_V2_ZINC_LIB=$(dita-v2 zinc-lib)`). The file is replaced atomically and only when
 * its bytes differ, through a temporary file of its own (pid + random name, created exclusively:
 * same-pid writers in two containers never share one) that a failed write removes; the directory
 * is created with mode 0700.
 *
 * Exit codes: 0 written (the path on stdout) · 2 the directory cannot be created or written, or
 * `--out` is empty (refused: it would mean the working directory).
 */

import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { defineCommand } from "citty";
import { nativeLibraryPath } from "../kernel/index.ts";
import { CliFailure } from "./_fail.ts";

export function writeZincLib(outDir: string): string {
  const source = nativeLibraryPath("zinc");
  const bytes = readFileSync(source);
  const dir = resolve(outDir);
  const file = join(dir, "libzinc.so");
  let tmp: string | null = null;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (existsSync(file) && Buffer.compare(readFileSync(file), bytes) === 0) return file;
    // pid alone is not unique (two containers sharing the directory are both pid 1); "wx": never another's
    const name = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    closeSync(openSync(name, "wx", 0o755)); // created by this writer only: from here on it is ours to remove
    tmp = name;
    writeFileSync(tmp, bytes);
    chmodSync(tmp, 0o755);
    renameSync(tmp, file);
    tmp = null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    if (tmp !== null) removeQuietly(tmp);
    throw new CliFailure(`cannot write ${file}: ${code}`, 2);
  }
  return file;
}

/** Removes this writer's temporary file; one that cannot be removed does not hide the failure that left it. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // the write's own error is the one reported
  }
}

export const zincLibCommand = defineCommand({
  meta: {
    name: "zinc-lib",
    description: "Write the embedded libzinc.so to a directory and print its path (for strategy clients)",
  },
  args: {
    out: { type: "string", description: "directory (default <state dir>/lib)" },
  },
  run({ args }) {
    // `--out "$DIR"` with DIR unset must not write into the working directory.
    if (args.out !== undefined && args.out.trim() === "")
      throw new CliFailure("--out is empty: give a directory, or leave --out out for <state dir>/lib", 2);
    const dir = args.out ?? join(process.env.DITA_V2_STATE_DIR || ".dita-v2", "lib");
    console.log(writeZincLib(dir));
  },
});
