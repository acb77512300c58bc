/**
 * Bench child: the "strategy" process of the Zinc round trip. For each of N iterations it pushes
 * an intent carrying the iteration number, then waits until the kernel process has published a
 * state image of slot 0 carrying that number, and records the round trip in nanoseconds.
 * MODE "wait" sleeps on the state futex (via a Worker); "poll" spins on the state sequence
 * (blocking the event loop); "yield" polls once per event-loop turn (setImmediate); "hybrid"
 * polls 256 turns, then sleeps on the futex.
 * Prints one JSON line { mode, n, p50_us, p99_us, max_us }.
 *   usage: zinc_roundtrip_producer.ts LIB PREFIX MODE N
 */

import { ZincIntentProducer, ZincStateReader } from "../src/zinc/index.ts";
import { percentiles } from "./zinc_stats.ts";

const [libPath, prefix, mode, nArg] = process.argv.slice(2);
if (libPath === undefined || prefix === undefined) throw new Error("usage: LIB PREFIX MODE N");
const n = Number(nArg);
const producer = ZincIntentProducer.open({ libPath, prefix });
const state = ZincStateReader.open({ libPath, prefix, waitSpinTurns: mode === "hybrid" ? 256 : 0 });
const rec = new Uint8Array(320);
const recDv = new DataView(rec.buffer);
const samples: number[] = [];
const SPIN_MAX = 50_000_000;

function seenId(): bigint {
  return new DataView(state.readSlot(0).buffer).getBigUint64(8, true);
}

for (let i = 1; i <= n; i++) {
  const t0 = Bun.nanoseconds();
  recDv.setBigUint64(8, BigInt(i), true);
  if (producer.push(rec) !== "OK") throw new Error("ring full during round trip");
  let seq = state.stateSeq();
  for (let spin = 0; spin < SPIN_MAX && seenId() !== BigInt(i); spin++) {
    if (mode === "wait" || mode === "hybrid") seq = await state.waitState(seq, 1000);
    else if (mode === "yield") await new Promise<void>((r) => setImmediate(r));
    else seq = state.stateSeq();
  }
  samples.push((Bun.nanoseconds() - t0) / 1000);
}
console.log(JSON.stringify({ mode, n, ...percentiles(samples) }));
producer.close();
state.close();
