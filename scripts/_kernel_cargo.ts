/**
 * How cargo compiles the kernel: with its committed profile for profile-guided optimization
 * (kernel/pgo/, made by `npm run pgo`) when that profile was made from the current kernel sources
 * by an LLVM this rustc can read, and without it otherwise (then `note` says why, in one line).
 * build.ts and test.ts both use these flags, so `cargo test --release` never rebuilds the library
 * with different ones.
 *
 * Entry points: `kernelCargoEnv`, `kernelSourcesDigest`, `PGO_PROFILE`, `PGO_MANIFEST`.
 */

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export const PGO_PROFILE = "kernel/pgo/dita_kernel.profdata";
export const PGO_MANIFEST = "kernel/pgo/profile.json";

export interface PgoManifest {
  /** `kernelSourcesDigest` of the sources the profile was recorded from. */
  kernel_sources_sha256: string;
  /** LLVM major version of the llvm-profdata that wrote the profile (readers must be as new). */
  profdata_llvm_major: number;
  rustc: string;
  training: {
    inputs: number;
    records: number;
    seed: number;
    config: Record<string, number>;
    accepted: Record<string, number>;
  };
}

export interface KernelCargo {
  /** Environment for `cargo build/test --release` of the kernel. */
  env: Record<string, string>;
  /** The profile used, or null. */
  profile: string | null;
  /** Why no profile is used (null when one is). */
  note: string | null;
}

/**
 * SHA-256 over the kernel's library sources (kernel/src/**.rs, Cargo.toml), in path order. The
 * test modules in kernel/src/tests/ are left out: they are compiled only into `cargo test`.
 */
export function kernelSourcesDigest(root: string): string {
  const files = [join(root, "kernel/Cargo.toml"), ...rustFiles(join(root, "kernel/src"))]
    .filter((f) => !relative(root, f).startsWith("kernel/src/tests/"))
    .sort();
  const h = createHash("sha256");
  for (const f of files) h.update(relative(root, f)).update("\0").update(readFileSync(f)).update("\0");
  return h.digest("hex");
}

function rustFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? rustFiles(join(dir, e.name)) : e.name.endsWith(".rs") ? [join(dir, e.name)] : [],
  );
}

/** LLVM major version of `rustc`, or null when rustc does not say. */
export function rustcLlvmMajor(env: Record<string, string | undefined> = process.env): number | null {
  try {
    const r = Bun.spawnSync(["rustc", "-vV"], { env, stdout: "pipe", stderr: "pipe" });
    const m = /LLVM version: (\d+)/.exec(r.stdout.toString());
    return m ? Number(m[1]) : null;
  } catch {
    return null; // no rustc on PATH: cargo will say so
  }
}

export function kernelCargoEnv(root: string, env: Record<string, string | undefined> = process.env): KernelCargo {
  const base = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const without = (note: string): KernelCargo => ({ env: base, profile: null, note });
  const profile = join(root, PGO_PROFILE);
  const manifestPath = join(root, PGO_MANIFEST);
  if (!existsSync(profile) || !existsSync(manifestPath))
    return without(`no PGO profile (${PGO_PROFILE}); run npm run pgo`);
  let manifest: PgoManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as PgoManifest;
  } catch (e) {
    return without(`${PGO_MANIFEST} is not JSON (${(e as Error).message}); run npm run pgo`);
  }
  if (manifest.kernel_sources_sha256 !== kernelSourcesDigest(root)) {
    return without(`the PGO profile is stale (kernel sources changed since it was recorded); run npm run pgo`);
  }
  const llvm = rustcLlvmMajor(env);
  if (llvm === null || llvm < manifest.profdata_llvm_major) {
    return without(
      `rustc's LLVM (${llvm ?? "unknown"}) cannot read the PGO profile (written by LLVM ${manifest.profdata_llvm_major})`,
    );
  }
  // CARGO_ENCODED_RUSTFLAGS (0x1f-separated) keeps a path with spaces whole and wins over RUSTFLAGS.
  const given = base.CARGO_ENCODED_RUSTFLAGS?.split("\x1f") ?? base.RUSTFLAGS?.split(" ") ?? [];
  // Functions that differ from the profiled build (the `cargo test` harness compiles the library
  // with its tests) get no profile; the digest above already rules out a stale profile.
  const flags = [...given.filter(Boolean), `-Cprofile-use=${profile}`, "-Cllvm-args=-no-pgo-warn-mismatch"];
  return { env: { ...base, CARGO_ENCODED_RUSTFLAGS: flags.join("\x1f") }, profile, note: null };
}
