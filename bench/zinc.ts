/**
 * Zinc benchmark, one run, side by side (writes bench/results/zinc.json):
 *  1. round trip across processes: a producer process pushes an intent -> this process (the
 *     kernel side) sees it, drains it and publishes a state image -> the producer observes the
 *     state change; p50/p99 with futex notify/wait (Worker) vs busy polling on both sides
 *     (blocks the event loop) vs polling once per event-loop turn (setImmediate) vs the hybrid
 *     (256 polling turns, then the futex);
 *  2. the floor: plain-C futex ping-pong between two processes (ffi/build/bench_futex);
 *  3. ring throughput from one producer process (single pushes and batches of 64).
 *   usage: bun bench/zinc.ts [ROUNDTRIPS (default 3000)] [RECORDS (default 2000000)]
 */

import { mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RealZincPlane } from "../src/zinc/index.ts";
import { consumeRoundTrips, drainUntil, ensureBuilt, type RoundTripMode, spawnChild } from "./zinc_harness.ts";

const ROOT = join(import.meta.dir, "..");
const roundTrips = Number(process.argv[2] ?? 3000);
const records = Number(process.argv[3] ?? 2_000_000);
const libPath = ensureBuilt(ROOT);

async function roundTrip(mode: RoundTripMode): Promise<unknown> {
  const prefix = `dita_bench_rt_${mode}_${process.pid}`;
  const plane = RealZincPlane.open({
    libPath,
    prefix,
    slotCount: 1,
    ringCapacity: 1024,
    waitSpinTurns: mode === "hybrid" ? 256 : 0,
  });
  const child = spawnChild(ROOT, "bench/zinc_roundtrip_producer.ts", [libPath, prefix, mode, String(roundTrips)]);
  await consumeRoundTrips(plane, mode, roundTrips);
  const out = JSON.parse(await child.output());
  plane.close();
  for (const k of ["intents", "state", "outcomes"]) unlinkSync(`/dev/shm/${prefix}.${k}`);
  return out;
}

async function throughput(batch: number): Promise<unknown> {
  const prefix = `dita_bench_tp_${batch}_${process.pid}`;
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 1, ringCapacity: 65536 });
  const child = spawnChild(ROOT, "bench/zinc_throughput_producer.ts", [
    libPath,
    prefix,
    String(records),
    String(batch),
  ]);
  const drained = await drainUntil(plane, records);
  const out = { ...JSON.parse(await child.output()), drained };
  plane.close();
  for (const k of ["intents", "state", "outcomes"]) unlinkSync(`/dev/shm/${prefix}.${k}`);
  return out;
}

function futexFloor(): unknown {
  const r = Bun.spawnSync([join(ROOT, "ffi/build/bench_futex"), "20000"], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`bench_futex failed: ${r.stderr.toString()}`);
  const j = JSON.parse(r.stdout.toString()) as { rtt_p50_ns: number; rtt_p99_ns: number };
  return { ...j, rtt_p50_us: j.rtt_p50_ns / 1000, rtt_p99_us: j.rtt_p99_ns / 1000 };
}

const result = {
  host: { cpus: navigator.hardwareConcurrency, bun: Bun.version },
  roundtrip_notify_wait: await roundTrip("wait"),
  roundtrip_hybrid_spin256_then_wait: await roundTrip("hybrid"),
  roundtrip_busy_poll: await roundTrip("poll"),
  roundtrip_yield_poll: await roundTrip("yield"),
  futex_pingpong_floor_c: futexFloor(),
  ring_throughput_single_push: await throughput(1),
  ring_throughput_batch_64: await throughput(64),
};
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/zinc.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
