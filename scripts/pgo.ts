/**
 * `npm run pgo`: records the kernel's profile for profile-guided optimization (kernel/pgo/).
 *
 * 1. the training stream (`_pgo_training_stream.ts`, not the benchmark's stream) as InputRecords;
 * 2. the kernel built instrumented (`-Cprofile-generate`) into kernel/target/pgo-generate, with
 *    the training driver kernel/examples/pgo_train.rs;
 * 3. the driver applies the records one call per input, in batches and through the apply thread;
 * 4. llvm-profdata merges the raw profile into kernel/pgo/dita_kernel.profdata, and
 *    kernel/pgo/profile.json records the kernel sources' digest it belongs to (the build uses the
 *    profile only while that digest matches: `_kernel_cargo.ts`).
 *
 * Needs llvm-profdata of LLVM 19 or newer (apt-get install llvm-19, or rustup component add
 * llvm-tools); the build itself needs nothing beyond cargo.
 *
 *   bun scripts/pgo.ts [--inputs N] [--seed S]
 */

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeInput, INPUT_SIZE } from "../src/kernel/index.ts";
import { kernelSourcesDigest, PGO_MANIFEST, PGO_PROFILE, type PgoManifest } from "./_kernel_cargo.ts";
import { TRAINING_CONFIG, trainingStream } from "./_pgo_training_stream.ts";

const root = join(import.meta.dir, "..");
const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? d : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) fail(`${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
};
const INPUTS = arg("--inputs", 400_000);
const SEED = arg("--seed", 20261125);
const MIN_LLVM = 19;

function fail(message: string): never {
  console.error(`pgo: ${message}`);
  process.exit(1);
}

function run(cmd: string[], env: Record<string, string | undefined> = process.env): string {
  const r = Bun.spawnSync(cmd, { cwd: root, env, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0)
    fail(
      `${cmd.join(" ")} failed (exit ${r.exitCode}): ${r.stderr.toString().trim().split("\n").slice(-3).join(" | ")}`,
    );
  return r.stdout.toString();
}

/** An llvm-profdata new enough to read rustc's raw profiles: [path, LLVM major]. */
function findProfdata(): [string, number] {
  const sysroot = run(["rustc", "--print", "sysroot"]).trim();
  const host = /host: (\S+)/.exec(run(["rustc", "-vV"]))?.[1] ?? "x86_64-unknown-linux-gnu";
  const candidates = [
    join(sysroot, `lib/rustlib/${host}/bin/llvm-profdata`),
    ...Array.from({ length: 12 }, (_, i) => `/usr/lib/llvm-${30 - i}/bin/llvm-profdata`),
    "llvm-profdata",
  ];
  for (const c of candidates) {
    const path = c.includes("/") ? (existsSync(c) ? c : null) : Bun.which(c);
    if (path === null) continue;
    const version = /LLVM version (\d+)/.exec(Bun.spawnSync([path, "--version"], { stdout: "pipe" }).stdout.toString());
    if (version && Number(version[1]) >= MIN_LLVM) return [path, Number(version[1])];
  }
  return fail(
    `needs llvm-profdata of LLVM ${MIN_LLVM} or newer (apt-get install llvm-${MIN_LLVM}, or rustup component add llvm-tools)`,
  );
}

const [profdata, profdataLlvm] = findProfdata();
const work = join(root, "kernel/target/pgo-generate");
const raw = join(work, "raw");
rmSync(raw, { recursive: true, force: true });
mkdirSync(raw, { recursive: true });

// 1. The training stream, as the records the binding would hand the kernel.
const { inputs: stream, accepted } = trainingStream(INPUTS, SEED);
const records = new Uint8Array(stream.length * INPUT_SIZE);
let n = 0;
for (const input of stream) if (encodeInput(input, records, n * INPUT_SIZE) === null) n++; // the binding never sends a refusal
const recordsFile = join(work, "training.bin");
writeFileSync(recordsFile, records.subarray(0, n * INPUT_SIZE));

// 2 and 3. The instrumented kernel and its driver; the raw profile is written when it exits.
const cargoEnv = { ...process.env, CARGO_ENCODED_RUSTFLAGS: `-Cprofile-generate=${raw}` };
run(
  [
    "cargo",
    "build",
    "--release",
    "--quiet",
    "--manifest-path",
    "kernel/Cargo.toml",
    "--target-dir",
    work,
    "--example",
    "pgo_train",
  ],
  cargoEnv,
);
const { slotCount, activeSlotLimit, hungOrderMs } = TRAINING_CONFIG;
const driver = [
  join(work, "release/examples/pgo_train"),
  recordsFile,
  ...[slotCount, activeSlotLimit, hungOrderMs].map(String),
];
const trained = run(driver, { ...process.env, LLVM_PROFILE_FILE: join(raw, "train-%p.profraw") });
const counts = /accepted one=(\d+) batch=(\d+) pipeline=(\d+)/.exec(trained);
if (!counts) fail(`unexpected driver output: ${trained.trim()}`);
// The driver must see the stream the generator saw: the same inputs accepted.
if (counts.slice(1).some((c) => Number(c) !== accepted))
  fail(`the driver accepted ${counts.slice(1).join("/")} inputs, the generator ${accepted}`);
const profiles = readdirSync(raw).filter((f) => f.endsWith(".profraw"));
if (profiles.length === 0) fail(`the instrumented driver wrote no profile into ${raw}`);

// 4. The merged profile and what it belongs to.
mkdirSync(join(root, "kernel/pgo"), { recursive: true });
run([profdata, "merge", "-o", join(root, PGO_PROFILE), ...profiles.map((f) => join(raw, f))]);
const manifest: PgoManifest = {
  kernel_sources_sha256: kernelSourcesDigest(root),
  profdata_llvm_major: profdataLlvm,
  rustc: run(["rustc", "--version"]).trim(),
  training: {
    inputs: stream.length,
    records: n,
    seed: SEED,
    config: TRAINING_CONFIG,
    accepted: { one_call_per_input: Number(counts[1]), batched: Number(counts[2]), apply_thread: Number(counts[3]) },
  },
};
writeFileSync(join(root, PGO_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`pgo: ${PGO_PROFILE} from ${n} training records (${trained.trim()}); rebuild with npm run build`);
