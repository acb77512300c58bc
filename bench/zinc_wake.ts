/**
 * The kernel loop's wake-up for a sporadic intent, side by side in one run (writes
 * bench/results/zinc_wake.json). A producer process pushes one intent every PERIOD_MS carrying
 * its CLOCK_MONOTONIC push time; this process, the kernel side (`RealZincPlane`, no busy-wait, so
 * every intent takes the sleeping path), waits on the intents ring and, on each wake, drains and
 * records now − push time. Variants, in alternating rounds:
 *  - "doorbell": as serve runs, the push rings `/dev/shm/<prefix>.bell` (ffi/src/doorbell.c) and
 *    the event loop wakes on the socket;
 *  - "futex only": the socket file removed, so the push finds no doorbell and the wake goes
 *    futex → wait Worker → message to the event loop, as before the doorbell.
 * For context the plain-C futex ping-pong floor of the same run.
 *   bun bench/zinc_wake.ts [INTENTS_PER_ROUND (150)] [ROUNDS (4)] [PERIOD_MS (20)]
 */

import { dlopen, FFIType as T } from "bun:ffi";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { RealZincPlane } from "../src/zinc/index.ts";
import { percentile } from "./http_load.ts";
import { ensureBuilt, futexFloor, spawnChild } from "./zinc_harness.ts";

const ROOT = join(import.meta.dir, "..");
const perRound = Number(process.argv[2] ?? 150);
const rounds = Number(process.argv[3] ?? 4);
const periodMs = Number(process.argv[4] ?? 20);
const libPath = ensureBuilt(ROOT);
const clock = dlopen(libPath, { zinc_mono_ns: { args: [], returns: T.i64_fast } }).symbols;

type Variant = "doorbell" | "futex only";
const WARM = 5; // the first wakes of a round meet a cold process

async function round(variant: Variant, r: number): Promise<{ lat: number[]; rings: number }> {
  const prefix = `dita_bench_wake_${r}_${process.pid}`;
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 1, ringCapacity: 1024, waitSpinUs: 0 });
  if (variant === "futex only") rmSync(`/dev/shm/${prefix}.bell`);
  const child = spawnChild(ROOT, "bench/_wake_producer.ts", [libPath, prefix, String(perRound), String(periodMs)]);
  const lat: number[] = [];
  let seq = plane.intentSeq();
  for (let guard = 0; lat.length < perRound && guard < perRound * 100; guard++) {
    seq = await plane.waitIntents(seq, 1000);
    const now = Number(clock.zinc_mono_ns());
    plane.drainIntents(64, (rec) => {
      lat.push((now - Number(new DataView(rec.buffer, rec.byteOffset).getBigUint64(8, true))) / 1000);
    });
  }
  await child.output();
  const rings = plane.bellRings;
  plane.close();
  for (const k of ["intents", "state", "outcomes"]) rmSync(`/dev/shm/${prefix}.${k}`, { force: true });
  return { lat: lat.slice(WARM), rings };
}

const got: Record<Variant, { lat: number[]; rings: number }> = {
  doorbell: { lat: [], rings: 0 },
  "futex only": { lat: [], rings: 0 },
};
for (let r = 0; r < rounds; r++) {
  for (const v of (r % 2 === 0 ? ["futex only", "doorbell"] : ["doorbell", "futex only"]) as Variant[]) {
    const out = await round(v, r);
    got[v].lat.push(...out.lat);
    got[v].rings += out.rings;
  }
}
const stats = (v: Variant) => {
  const s = [...got[v].lat].sort((a, b) => a - b);
  const at = (q: number) => +percentile(s, q).toFixed(1);
  return { n: s.length, p50_us: at(0.5), p99_us: at(0.99), bell_rings: got[v].rings };
};
const bell = stats("doorbell");
const futex = stats("futex only");
const result = {
  bench: "zinc_wake",
  runtime: `bun ${Bun.version}`,
  context: { load_average_1_5_15: loadavg().map((x) => +x.toFixed(2)), c_futex_pingpong_floor: futexFloor(ROOT) },
  setup: { intents_per_round: perRound, rounds, period_ms: periodMs, busy_wait_us: 0, warm_up_per_round: WARM },
  push_to_kernel_loop_wake_us: { doorbell: bell, futex_only: futex },
  ratio_doorbell_to_futex_only: {
    p50: +(bell.p50_us / futex.p50_us).toFixed(2),
    p99: +(bell.p99_us / futex.p99_us).toFixed(2),
  },
};
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/zinc_wake.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
process.exit(0);
