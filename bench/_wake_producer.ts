/**
 * Bench child of bench/zinc_wake.ts: pushes N intents, one every PERIOD_MS, each carrying the
 * CLOCK_MONOTONIC time of its push (u64 ns at offset 8), so the kernel side can tell how long its
 * wake-up took. Exits when all are pushed.
 *   usage: _wake_producer.ts LIB PREFIX N PERIOD_MS
 */

import { dlopen, FFIType as T } from "bun:ffi";
import { ZincIntentProducer } from "../src/zinc/index.ts";

const [libPath, prefix, nArg, periodArg] = process.argv.slice(2);
if (libPath === undefined || prefix === undefined) throw new Error("usage: LIB PREFIX N PERIOD_MS");
const clock = dlopen(libPath, { zinc_mono_ns: { args: [], returns: T.i64_fast } }).symbols;
const producer = ZincIntentProducer.open({ libPath, prefix });
const rec = new Uint8Array(320);
const dv = new DataView(rec.buffer);
for (let i = 0; i < Number(nArg); i++) {
  await Bun.sleep(Number(periodArg));
  dv.setBigUint64(8, BigInt(clock.zinc_mono_ns()), true);
  if (producer.push(rec) !== "OK") throw new Error("ring full");
}
producer.close();
