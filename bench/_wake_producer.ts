/**
 * Bench child of bench/zinc_wake.ts and bench/ring_floor.ts, the producer as a strategy on Bun
 * would be: pushes N intents through the TypeScript client's libzinc producer, one every
 * PERIOD_MS, each carrying the time of its push (u64 ns at offset 8) so the kernel side can tell
 * how long its wake-up took: CLOCK_MONOTONIC (`mono`, the default) or CLOCK_REALTIME since the
 * epoch (`realtime`, the clock of the first-byte relay). Exits when all are pushed.
 *   usage: _wake_producer.ts LIB PREFIX N PERIOD_MS [mono|realtime]
 */

import { dlopen, FFIType as T } from "bun:ffi";
import { ZincIntentProducer } from "../src/zinc/index.ts";

const [libPath, prefix, nArg, periodArg, clockArg = "mono"] = process.argv.slice(2);
if (libPath === undefined || prefix === undefined || !["mono", "realtime"].includes(clockArg))
  throw new Error("usage: LIB PREFIX N PERIOD_MS [mono|realtime]");
const zinc = dlopen(libPath, { zinc_mono_ns: { args: [], returns: T.i64_fast } }).symbols;
const libc = dlopen("libc.so.6", { clock_gettime: { args: [T.i32, T.ptr], returns: T.i32 } }).symbols;
const timespec = new BigInt64Array(2);
const CLOCK_REALTIME = 0;
const stamp = (): bigint => {
  if (clockArg === "mono") return BigInt(zinc.zinc_mono_ns());
  libc.clock_gettime(CLOCK_REALTIME, timespec);
  return timespec[0]! * 1_000_000_000n + timespec[1]!;
};
const producer = ZincIntentProducer.open({ libPath, prefix });
const rec = new Uint8Array(320);
const dv = new DataView(rec.buffer);
for (let i = 0; i < Number(nArg); i++) {
  await Bun.sleep(Number(periodArg));
  dv.setBigUint64(8, stamp(), true);
  if (producer.push(rec) !== "OK") throw new Error(`push ${i} refused: ring full`);
}
producer.close();
