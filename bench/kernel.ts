/**
 * Kernel throughput through the binding, side by side in one run (DESIGN/issue targets on this
 * 2-core machine: >= 5M inputs/s one call per input, >= 20M inputs/s batched, >= 20x the Python
 * ctypes path), with TypeScript encoding of every input included. "Batched" is `applyBatch` as
 * shipped: the calling thread encodes while the kernel's apply thread applies the previous
 * chunk; "batched, one thread" is the same call with the apply thread off (`applyThread: false`).
 * Also the batch paths while a busy loop holds the second CPU, the executable's size and
 * `dist/dita-v2 once` wall time. Medians of several rounds, after five untimed warm-up rounds
 * per mode (every timed round is in the JSON too); results in bench/results/kernel.json.
 *
 *   bun bench/kernel.ts [--trades N] [--rounds R]
 */

import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kernelCargoEnv } from "../scripts/_kernel_cargo.ts";
import { ExecutionKernel, INPUT_SIZE, InputRecords, RecordEncoder } from "../src/kernel/index.ts";
import { kernelStream } from "./_kernel_stream.ts";

const root = join(import.meta.dir, "..");
const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(name) + 1] ?? d) || d;
const TRADES = arg("--trades", 20_000);
// Nine: a round lasts 20-40 ms, and on this shared VM a few milliseconds of the second vCPU
// being taken away (the pipelined batch then waits, and falls back) spoil a round now and then
// (two of five in one run); the median of nine stays on an undisturbed one. Every round is in
// the JSON.
const ROUNDS = arg("--rounds", 9);
const WARMUP = 5;
const SLOTS = 8;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stream = kernelStream(TRADES, SLOTS);

/** The stream pre-encoded once: what the Zinc ring hands the kernel (no TypeScript encoding). */
const records = InputRecords.encode(stream);

/** One `applyQuiet` per input: a plain indexed loop of its own, so the harness adds nothing. */
function oneCallEach(k: ExecutionKernel): number {
  let accepted = 0;
  for (let i = 0; i < stream.length; i++) if (k.applyQuiet(stream[i]!)) accepted++;
  return accepted;
}

function round(mode: "single" | "batch" | "batch1" | "records"): { rate: number; accepted: number; hash: string } {
  const k = ExecutionKernel.open({ slotCount: SLOTS, applyThread: mode !== "batch1" });
  const t0 = Bun.nanoseconds();
  let accepted = 0;
  if (mode === "single") accepted = oneCallEach(k);
  else if (mode === "batch" || mode === "batch1") accepted = k.applyBatch(stream);
  else accepted = k.applyRecords(records);
  const seconds = (Bun.nanoseconds() - t0) / 1e9;
  const hash = k.stateHashHex();
  k.destroy();
  return { rate: stream.length / seconds, accepted, hash };
}

/**
 * The kernel (through the binding) on cache-warm records: each 1024-record window of the
 * pre-encoded stream is copied into one reused buffer first, untimed, as the batch path's
 * encoder leaves it; only the apply calls are timed.
 */
function warmRecordsRound(): { rate: number; hash: string } {
  const k = ExecutionKernel.open({ slotCount: SLOTS });
  const window = new Uint8Array(1024 * INPUT_SIZE);
  let ns = 0;
  for (let done = 0; done < stream.length; done += 1024) {
    const n = Math.min(1024, stream.length - done);
    const checked = InputRecords.copy(records, done, n, window);
    const t0 = Bun.nanoseconds();
    k.applyRecords(checked);
    ns += Bun.nanoseconds() - t0;
  }
  const hash = k.stateHashHex();
  k.destroy();
  return { rate: stream.length / (ns / 1e9), hash };
}

/** The batch path's encoding alone: the same encoder into a reused 1024-record buffer. */
function encodeRound(): number {
  const encoder = new RecordEncoder(new Uint8Array(1024 * INPUT_SIZE));
  const t0 = Bun.nanoseconds();
  for (let i = 0; i < stream.length; i++) {
    if (encoder.encode(stream[i], i & 1023) !== null)
      throw new Error(`Invariant: the bench stream encodes (input ${i})`);
  }
  return stream.length / ((Bun.nanoseconds() - t0) / 1e9);
}

function ctypesRound(lib: string, file: string): number | null {
  const r = Bun.spawnSync(["python3", join(import.meta.dir, "kernel_ctypes.py"), lib, file, String(SLOTS)], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) {
    console.error(`ctypes baseline failed: ${r.stderr.toString().split("\n").slice(-3).join(" ")}`);
    return null;
  }
  const out = JSON.parse(r.stdout.toString());
  return out.inputs / out.seconds;
}

function onceWallMs(): number | null {
  const exe = join(root, "dist/dita-v2");
  try {
    statSync(exe);
  } catch {
    return null;
  }
  const state = join(root, ".cache/bench-once");
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    rmSync(state, { recursive: true, force: true });
    const t0 = Bun.nanoseconds();
    const r = Bun.spawnSync([exe, "once"], {
      env: { ...process.env, DITA_V2_STATE_DIR: state },
      stdout: "pipe",
      stderr: "pipe",
    });
    if (r.exitCode !== 0) return null;
    if (i > 0) times.push((Bun.nanoseconds() - t0) / 1e6); // first run unpacks the libraries (cold)
  }
  return median(times);
}

const single: number[] = [];
const batch: number[] = [];
const batchOneThread: number[] = [];
const preEncoded: number[] = [];
const encodeOnly: number[] = [];
const warmRecords: number[] = [];
const ctypes: number[] = [];
const streamFile = join(root, ".cache/bench-kernel-stream.jsonl");
mkdirSync(join(root, ".cache"), { recursive: true });
writeFileSync(streamFile, stream.map((x) => JSON.stringify(x)).join("\n"));
const lib = join(root, "kernel/target/release/libdita_kernel.so");
const hashes = new Set<string>();
// Untimed rounds first: JavaScriptCore needs a few runs of a loop to reach its top tier, and the
// 460k-object stream its first full collections (whose marking threads share the second CPU).
for (let w = 0; w < WARMUP; w++)
  for (const mode of ["single", "batch", "batch1", "records"] as const) hashes.add(round(mode).hash);
for (let r = 0; r < ROUNDS; r++) {
  const s = round("single");
  const b = round("batch");
  const b1 = round("batch1");
  const p = round("records");
  encodeOnly.push(encodeRound());
  const w = warmRecordsRound();
  warmRecords.push(w.rate);
  hashes.add(w.hash);
  single.push(s.rate);
  batch.push(b.rate);
  batchOneThread.push(b1.rate);
  preEncoded.push(p.rate);
  hashes.add(s.hash).add(b.hash).add(b1.hash).add(p.hash);
  if (new Set([s.accepted, b.accepted, b1.accepted, p.accepted]).size !== 1)
    throw new Error("Invariant: every mode accepts the same inputs");
  const c = ctypesRound(lib, streamFile);
  if (c !== null) ctypes.push(c);
}
if (hashes.size !== 1) throw new Error(`Invariant: single and batched runs disagree on the state hash: ${[...hashes]}`);

/**
 * The shipped batch path and the one-thread path while a busy loop pinned to CPU 1 holds the
 * second core (another process on the machine): the apply thread then falls behind and the
 * binding hands stretches back to the calling thread. Null on a one-CPU machine.
 */
function contendedRounds(
  rounds: number,
): { batched_median: number; batched_one_thread_median: number; batched_vs_one_thread: number } | null {
  if (navigator.hardwareConcurrency < 2) return null;
  const hog = Bun.spawn(["taskset", "-c", "1", "sh", "-c", "while :; do :; done"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  try {
    Bun.sleepSync(200);
    const b: number[] = [];
    const b1: number[] = [];
    for (let r = 0; r < rounds; r++) {
      b.push(round("batch").rate);
      b1.push(round("batch1").rate);
    }
    return {
      batched_median: Math.round(median(b)),
      batched_one_thread_median: Math.round(median(b1)),
      batched_vs_one_thread: +(median(b) / median(b1)).toFixed(2),
    };
  } finally {
    hog.kill();
  }
}
const contended = contendedRounds(ROUNDS);

// The library measured was built with the committed PGO profile only if it still matches the
// kernel sources (scripts/_kernel_cargo.ts); a stale profile means a plain optimized build.
const pgoNote = kernelCargoEnv(join(import.meta.dir, "..")).note;
if (pgoNote !== null) console.warn(`bench/kernel: measured WITHOUT profile-guided optimization: ${pgoNote}`);

const result = {
  bench: "kernel",
  machine: { cores: navigator.hardwareConcurrency, bun: Bun.version },
  pgo: pgoNote === null ? "used" : `not used: ${pgoNote}`,
  stream: { inputs: stream.length, trades: TRADES, slots: SLOTS, rounds: ROUNDS },
  inputs_per_s: {
    single_call_median: Math.round(median(single)),
    batched_median: Math.round(median(batch)),
    batched_one_thread_median: Math.round(median(batchOneThread)),
    batched_pre_encoded_records_median: Math.round(median(preEncoded)),
    python_ctypes_median: ctypes.length ? Math.round(median(ctypes)) : null,
  },
  // Every round, to show the spread on this shared machine (the medians above are what counts).
  rounds_inputs_per_s: {
    single_call: single.map(Math.round),
    batched: batch.map(Math.round),
    batched_one_thread: batchOneThread.map(Math.round),
    python_ctypes: ctypes.map(Math.round),
  },
  ratios: {
    single_vs_ctypes: ctypes.length ? +(median(single) / median(ctypes)).toFixed(1) : null,
    batched_vs_ctypes: ctypes.length ? +(median(batch) / median(ctypes)).toFixed(1) : null,
    batched_one_thread_vs_ctypes: ctypes.length ? +(median(batchOneThread) / median(ctypes)).toFixed(1) : null,
    batched_vs_one_thread: +(median(batch) / median(batchOneThread)).toFixed(2),
  },
  targets: { single_call: 5_000_000, batched: 20_000_000, vs_ctypes: 20 },
  ns_per_input: {
    single_call: +(1e9 / median(single)).toFixed(1),
    // Encoding and applying overlap on two threads: about the slower of the two, plus hand-offs.
    batched: +(1e9 / median(batch)).toFixed(1),
    batched_one_thread: +(1e9 / median(batchOneThread)).toFixed(1),
    // Measured alone: RecordEncoder over the stream into a reused 1024-record buffer.
    typescript_encoding: +(1e9 / median(encodeOnly)).toFixed(1),
    // Derived: one-thread batched minus encoding = the kernel on freshly encoded (cache-warm) records + the binding.
    kernel_and_binding_in_batch: +(1e9 / median(batchOneThread) - 1e9 / median(encodeOnly)).toFixed(1),
    // The kernel applying the whole stream pre-encoded in one 147 MB buffer (memory-bound).
    kernel_pre_encoded_stream: +(1e9 / median(preEncoded)).toFixed(1),
    // The kernel through the binding on cache-warm 1024-record windows (apply calls only).
    kernel_warm_records: +(1e9 / median(warmRecords)).toFixed(1),
  },
  executable_bytes: (() => {
    try {
      return statSync(join(root, "dist/dita-v2")).size;
    } catch {
      return null;
    }
  })(),
  once_wall_ms_median_warm: onceWallMs(),
  contended_second_cpu_inputs_per_s: contended,
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/kernel.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
