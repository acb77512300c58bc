/**
 * Bench child of bench/ring_floor.ts, the producer as a strategy on Bun would be: pushes N intents
 * through the TypeScript client's libzinc producer, one every PERIOD_MS, each carrying its push
 * time (CLOCK_REALTIME ns since the epoch, u64 at offset 8), as ffi/bench_ring_floor.c's producer.
 *   usage: _floor_producer.ts LIB PREFIX N PERIOD_MS
 */

import { dlopen, FFIType } from "bun:ffi";
import { ZincIntentProducer } from "../src/zinc/index.ts";

const [libPath, prefix, nArg, periodArg] = process.argv.slice(2);
if (libPath === undefined || prefix === undefined) throw new Error("usage: LIB PREFIX N PERIOD_MS");
const libc = dlopen("libc.so.6", { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
const timespec = new BigInt64Array(2);
const producer = ZincIntentProducer.open({ libPath, prefix });
const rec = new Uint8Array(320);
const dv = new DataView(rec.buffer);
for (let i = 0; i < Number(nArg); i++) {
  await Bun.sleep(Number(periodArg));
  libc.symbols.clock_gettime(0, timespec);
  dv.setBigUint64(8, timespec[0]! * 1_000_000_000n + timespec[1]!, true);
  if (producer.push(rec) !== "OK") throw new Error(`push ${i} refused`);
}
producer.close();
