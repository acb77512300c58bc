/**
 * The kernel's profile-guided optimization: the build uses a profile only while it belongs to
 * the current kernel sources and this rustc can read it, says in one line why not otherwise, and
 * keeps the caller's RUSTFLAGS; the training stream is deterministic, covers every kind of input
 * and is mostly accepted, as production traffic is.
 *
 * These tests run on copies whose manifest is made to match (or not) on purpose, so a kernel
 * source edit that leaves the committed profile stale fails none of them: the build then falls
 * back to a plain optimized build with one warning, and bench/kernel.ts records `pgo` in its JSON.
 */

import { afterAll, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  kernelCargoEnv,
  kernelSourcesDigest,
  PGO_MANIFEST,
  PGO_PROFILE,
  rustcLlvmMajor,
} from "../../scripts/_kernel_cargo.ts";
import { trainingStream } from "../../scripts/_pgo_training_stream.ts";

const root = join(import.meta.dir, "../..");
const scratch = mkdtempSync(join(tmpdir(), "dita-pgo-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A copy of the kernel sources and the committed profile, with a manifest that belongs to the
 * copy's sources (whether or not the committed one still does); `llvm` overrides its LLVM major.
 */
function copyRoot(name: string, llvm?: number): string {
  const dir = join(scratch, name);
  cpSync(join(root, "kernel/src"), join(dir, "kernel/src"), { recursive: true });
  cpSync(join(root, "kernel/Cargo.toml"), join(dir, "kernel/Cargo.toml"));
  mkdirSync(join(dir, "kernel/pgo"), { recursive: true });
  cpSync(join(root, PGO_PROFILE), join(dir, PGO_PROFILE));
  const manifest = JSON.parse(readFileSync(join(root, PGO_MANIFEST), "utf8")) as object;
  const current = { ...manifest, kernel_sources_sha256: kernelSourcesDigest(dir) };
  writeFileSync(
    join(dir, PGO_MANIFEST),
    JSON.stringify(llvm === undefined ? current : { ...current, profdata_llvm_major: llvm }),
  );
  return dir;
}

const flagsOf = (env: Record<string, string>) => (env.CARGO_ENCODED_RUSTFLAGS ?? "").split("\x1f").filter(Boolean);

test("a profile recorded from the current kernel sources, in a format this rustc reads, is used", () => {
  const dir = copyRoot("current");
  const cargo = kernelCargoEnv(dir);
  expect(cargo.note).toBeNull();
  expect(cargo.profile).toBe(join(dir, PGO_PROFILE));
  expect(flagsOf(cargo.env)).toContain(`-Cprofile-use=${join(dir, PGO_PROFILE)}`);
});

test("a kernel source change makes the profile stale: the build goes without it and says why", () => {
  const dir = copyRoot("stale");
  expect(kernelCargoEnv(dir).profile).not.toBeNull();
  writeFileSync(join(dir, "kernel/src/lib.rs"), "// changed\n", { flag: "a" });
  const cargo = kernelCargoEnv(dir);
  expect(cargo.profile).toBeNull();
  expect(cargo.note).toContain("stale");
  expect(cargo.note).toContain("npm run pgo");
  expect(flagsOf(cargo.env).some((f) => f.startsWith("-Cprofile-use"))).toBe(false);
});

test("the source digest covers every kernel library source and nothing else (not the test modules)", () => {
  const dir = copyRoot("digest");
  const before = kernelSourcesDigest(dir);
  writeFileSync(join(dir, "kernel/pgo/notes.txt"), "not a source");
  writeFileSync(join(dir, "kernel/src/tests/pipeline.rs"), "// a test edit\n", { flag: "a" });
  expect(kernelSourcesDigest(dir)).toBe(before);
  writeFileSync(join(dir, "kernel/src/fsm/extra.rs"), "");
  expect(kernelSourcesDigest(dir)).not.toBe(before);
});

test("a profile written by an LLVM newer than rustc's, or no rustc at all, is not used", () => {
  const dir = copyRoot("newer-llvm", (rustcLlvmMajor() ?? 0) + 1);
  const cargo = kernelCargoEnv(dir);
  expect(cargo.profile).toBeNull();
  expect(cargo.note).toMatch(/rustc's LLVM \(\d+\) cannot read the PGO profile/);
  const noRustc = kernelCargoEnv(copyRoot("no-rustc"), { PATH: "/nonexistent" });
  expect(noRustc.profile).toBeNull();
  expect(noRustc.note).toContain("rustc's LLVM (unknown)");
});

test("a missing profile or an unreadable manifest builds without PGO, saying which", () => {
  const missing = copyRoot("missing");
  rmSync(join(missing, PGO_PROFILE));
  expect(kernelCargoEnv(missing).note).toContain("no PGO profile");
  const broken = copyRoot("broken");
  writeFileSync(join(broken, PGO_MANIFEST), "{not json");
  expect(kernelCargoEnv(broken).note).toContain("is not JSON");
});

test("the caller's RUSTFLAGS are kept beside the profile", () => {
  const dir = copyRoot("flags");
  const cargo = kernelCargoEnv(dir, { ...process.env, RUSTFLAGS: "-Cdebuginfo=1  -Cforce-frame-pointers=yes" });
  expect(flagsOf(cargo.env)).toEqual([
    "-Cdebuginfo=1",
    "-Cforce-frame-pointers=yes",
    `-Cprofile-use=${join(dir, PGO_PROFILE)}`,
    "-Cllvm-args=-no-pgo-warn-mismatch",
  ]);
  const encoded = kernelCargoEnv(dir, {
    ...process.env,
    CARGO_ENCODED_RUSTFLAGS: "-Cdebuginfo=1\x1f-Ctarget-feature=+sse4.2",
  });
  expect(flagsOf(encoded.env).slice(0, 2)).toEqual(["-Cdebuginfo=1", "-Ctarget-feature=+sse4.2"]);
});

test("the training stream is deterministic, covers every input kind and is mostly accepted", () => {
  const a = trainingStream(20_000, 7);
  expect(trainingStream(20_000, 7)).toEqual(a);
  expect(trainingStream(20_000, 8).inputs).not.toEqual(a.inputs);
  const kinds = new Set(
    a.inputs.map((x) => {
      const w = x as { type: string; event?: { kind: string } };
      return w.type === "VENUE_EVENT" ? w.event!.kind : w.type;
    }),
  );
  for (const kind of [
    "ENTER",
    "EXIT",
    "CANCEL",
    "MARK_PRICE",
    "TICK",
    "RECONCILE",
    "MARK_STALE",
    "SEED_CAPITAL",
    "ACK",
    "PARTIAL_FILL",
    "FULL_FILL",
    "CANCEL_ACK",
    "CANCEL_REJECT",
    "REJECT",
  ]) {
    expect(kinds).toContain(kind);
  }
  expect(a.accepted / a.inputs.length).toBeGreaterThan(0.85);
  expect(a.accepted / a.inputs.length).toBeLessThan(0.99); // refusals are trained too
});
