/**
 * Zinc + kernel benchmark, one run, side by side (writes bench/results/zinc_kernel.json): an
 * intent from another process -> the kernel's outcome visible in the state region. The kernel
 * side is a real ExecutionKernel whose write-through mirror is a RealZincPlane; slot 0 holds an
 * open BTC-USDT position, each intent is a MARK_PRICE with its own price, and the producer
 * process (bench/zinc_kernel_producer.ts) stops its clock when slot 0's image shows that price.
 *  (a) notify/wait: the kernel side sleeps in `waitIntents` (futex via Worker), the producer in
 *      `waitState`;  (b) busy polling on both sides;  (c) the plain-C futex ping-pong floor
 *      (ffi/build/bench_futex);  (d) sustained throughput from one producer through the kernel
 *      (records drained and applied per second, single pushes and batches of 64).
 * Also, to show where the time goes and what a busy-wait before the futex buys: notify/wait with
 * each `waitSpinUs` in SPINS, with one side polling, and sporadic traffic (one intent every 2 ms).
 * Each figure is the median over ROUNDS rounds (modes interleaved within a round).
 *   usage: bun bench/zinc_kernel.ts [ROUNDS (5)] [ROUNDTRIPS (3000)] [RECORDS (1000000)] [SPINS (50,100,200)]
 */

import { mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExecutionKernel, INPUT_SIZE, InputRecords } from "../src/kernel/index.ts";
import { RealZincPlane } from "../src/zinc/index.ts";
import { ensureBuilt, spawnChild } from "./zinc_harness.ts";
import { median } from "./zinc_stats.ts";

const ROOT = join(import.meta.dir, "..");
const rounds = Number(process.argv[2] ?? 5);
const roundTrips = Number(process.argv[3] ?? 3000);
const records = Number(process.argv[4] ?? 1_000_000);
const spinsCompared = (process.argv[5] ?? "50,100,200").split(",").map(Number);
const libPath = ensureBuilt(ROOT);
const DRAIN_MAX = 1024;
const T0 = 1_700_000_000_000;
const SPORADIC_N = 700;
const SPORADIC_GAP_MS = 2;
const SPORADIC_SPIN_US = 100;

type Mode = "wait" | "poll";

/** A kernel mirrored into a fresh Zinc plane, with slot 0 holding an open BTC-USDT position. */
function kernelSide(prefix: string, ringCapacity: number, spinUs?: number) {
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 8, ringCapacity, waitSpinUs: spinUs });
  const kernel = ExecutionKernel.open({ slotCount: 8, hungOrderMs: 86_400_000, mirror: plane });
  kernel.apply({ type: "SEED_CAPITAL", capital: 100_000, now_ms: T0 });
  kernel.apply({
    type: "ENTER",
    slot_id: 0,
    trade_id: "B1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 1,
    price: null,
    leverage: 5,
    now_ms: T0,
  });
  const coid = kernel.slot(0).entry_order!.client_order_id;
  const fill = {
    kind: "FULL_FILL" as const,
    event_id: "b1",
    venue_order_id: "1",
    client_order_id: coid,
    asset: "BTC-USDT",
    filled_size_cumulative: 1,
    avg_price: 50_000,
    last_fill_size: 1,
    last_fill_price: 50_000,
    fee_cumulative: 0,
    venue_time_ms: T0,
  };
  kernel.apply({ type: "VENUE_EVENT", slot_id: 0, event: fill, now_ms: T0 });
  if (kernel.slot(0).stage !== "POSITION_OPEN") throw new Error("bench setup: slot 0 did not open");
  const buf = new Uint8Array(DRAIN_MAX * INPUT_SIZE);
  /** Drains up to DRAIN_MAX records and applies them in one batch (one mirror publish). */
  const drainApply = (): number => {
    let k = 0;
    plane.drainIntents(DRAIN_MAX, (rec) => buf.set(rec, k++ * INPUT_SIZE));
    if (k > 0) kernel.applyRecords(InputRecords.fromStrategy(buf, k));
    return k;
  };
  const close = () => {
    kernel.destroy();
    plane.close();
    for (const kind of ["intents", "state", "outcomes"]) unlinkSync(`/dev/shm/${prefix}.${kind}`);
  };
  return { plane, kernel, drainApply, close };
}

/**
 * `mode` is the kernel side's; the producer uses `producerMode` (the same unless probing). Both
 * waits busy-wait `spinUs` before the futex (undefined = the library default).
 */
async function roundTrip(
  mode: Mode,
  round: number,
  producerMode: Mode = mode,
  spinUs?: number,
  gapMs = 0,
): Promise<{ p50_us: number; p99_us: number; max_us: number }> {
  const prefix = `dita_bench_zk_${mode}_${producerMode}_${spinUs ?? "d"}_${gapMs}_${process.pid}_${round}`;
  const side = kernelSide(prefix, 1024, spinUs);
  const n = gapMs > 0 ? SPORADIC_N : roundTrips;
  const child = spawnChild(ROOT, "bench/zinc_kernel_producer.ts", [
    libPath,
    prefix,
    producerMode,
    String(n),
    spinUs === undefined ? "" : String(spinUs),
    String(gapMs),
  ]);
  const total = n + 300; // the producer's warm-up included
  let applied = 0;
  let seq = side.plane.intentSeq();
  for (let guard = 0; applied < total && guard < 1_000_000_000; guard++) {
    if (mode === "wait") seq = await side.plane.waitIntents(seq, 1000);
    else if (side.plane.intentSeq() === seq) continue;
    else seq = side.plane.intentSeq();
    applied += side.drainApply();
  }
  const out = JSON.parse(await child.output());
  side.close();
  return out;
}

async function throughput(batch: number, round: number): Promise<Record<string, number>> {
  const prefix = `dita_bench_zkt_${batch}_${process.pid}_${round}`;
  const side = kernelSide(prefix, 65536);
  const child = spawnChild(ROOT, "bench/zinc_kernel_producer.ts", [
    libPath,
    prefix,
    "throughput",
    String(records),
    String(batch),
  ]);
  let applied = 0;
  let first = 0;
  let empty = 0;
  for (let guard = 0; applied < records && guard < 1_000_000_000; guard++) {
    const got = side.drainApply();
    if (got > 0 && first === 0) first = Bun.nanoseconds();
    applied += got;
    empty = got === 0 ? empty + 1 : 0;
    if (empty > 100_000) {
      empty = 0;
      await Bun.sleep(0); // let the child's output pipe make progress
    }
  }
  const seconds = (Bun.nanoseconds() - first) / 1e9;
  const producer = JSON.parse(await child.output()) as { records_per_s: number };
  side.close();
  return {
    applied,
    seconds: Number(seconds.toFixed(4)),
    applied_per_s: Math.round(applied / seconds),
    producer_push_per_s: producer.records_per_s,
  };
}

function futexFloor(): { p50_us: number; p99_us: number } {
  const r = Bun.spawnSync([join(ROOT, "ffi/build/bench_futex"), "20000"], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`bench_futex failed: ${r.stderr.toString()}`);
  const j = JSON.parse(r.stdout.toString()) as { rtt_p50_ns: number; rtt_p99_ns: number };
  return { p50_us: j.rtt_p50_ns / 1000, p99_us: j.rtt_p99_ns / 1000 };
}

const runs: Record<string, Array<Record<string, number>>> = {
  wait: [],
  sporadic: [],
  sporadic_spin: [],
  poll: [],
  kwait_ppoll: [],
  kpoll_pwait: [],
  futex: [],
  tp1: [],
  tp64: [],
};
for (const us of spinsCompared) runs[`spin${us}`] = [];
for (let r = 0; r < rounds; r++) {
  runs.wait!.push(await roundTrip("wait", r));
  runs.poll!.push(await roundTrip("poll", r));
  runs.sporadic!.push(await roundTrip("wait", r, "wait", undefined, SPORADIC_GAP_MS));
  runs.sporadic_spin!.push(await roundTrip("wait", r, "wait", SPORADIC_SPIN_US, SPORADIC_GAP_MS));
  for (const us of spinsCompared) runs[`spin${us}`]!.push(await roundTrip("wait", r, "wait", us));
  runs.kwait_ppoll!.push(await roundTrip("wait", r, "poll", 0));
  runs.kpoll_pwait!.push(await roundTrip("poll", r, "wait", 0));
  runs.futex!.push(futexFloor());
  runs.tp1!.push(await throughput(1, r));
  runs.tp64!.push(await throughput(64, r));
  console.error(
    `round ${r + 1}/${rounds}: ${JSON.stringify(Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.at(-1)])))}`,
  );
}
const med = (key: string, field: string) => Number(median(runs[key]!.map((x) => x[field]!)).toFixed(1));
const summary = (key: string) => ({
  p50_us_median: med(key, "p50_us"),
  p99_us_median: med(key, "p99_us"),
  rounds: runs[key],
});
const wait = summary("wait");
const tp1 = med("tp1", "applied_per_s");
const tp64 = med("tp64", "applied_per_s");
const result = {
  bench: "zinc_kernel",
  host: { cpus: navigator.hardwareConcurrency, bun: Bun.version },
  params: { rounds, round_trips: roundTrips, records },
  intent_to_state_notify_wait: wait,
  intent_to_state_busy_poll: summary("poll"),
  notify_wait_by_spin_us: Object.fromEntries(spinsCompared.map((us) => [us, summary(`spin${us}`)])),
  notify_wait_sporadic: {
    note: `one intent every ${SPORADIC_GAP_MS} ms (${SPORADIC_N} per round): the spin windows have run out, every intent takes the futex path`,
    default_spin: summary("sporadic"),
    [`spin_${SPORADIC_SPIN_US}us`]: summary("sporadic_spin"),
  },
  where_the_time_goes: {
    kernel_waits_producer_polls: summary("kwait_ppoll"),
    kernel_polls_producer_waits: summary("kpoll_pwait"),
  },
  futex_pingpong_floor_c: summary("futex"),
  throughput_through_kernel_single_push: { applied_per_s_median: tp1, rounds: runs.tp1 },
  throughput_through_kernel_batch_64: { applied_per_s_median: tp64, rounds: runs.tp64 },
  targets: {
    notify_wait_p50_us: { target: 30, measured: wait.p50_us_median, met: wait.p50_us_median <= 30 },
    notify_wait_p99_us: { target: 150, measured: wait.p99_us_median, met: wait.p99_us_median <= 150 },
    sustained_intents_per_s: { target: 1_000_000, measured: tp1, met: tp1 >= 1_000_000 },
  },
};
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/zinc_kernel.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ ...result, intent_to_state_notify_wait: { ...wait, rounds: undefined } }, null, 2));
