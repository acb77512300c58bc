/**
 * Bench child: one producer process pushing N 320-byte intents as fast as it can (single
 * pushes, or batches of B with one notify each), spinning on FULL. Prints one JSON line
 * { batch, n, seconds, records_per_s, full_spins }.
 *   usage: zinc_throughput_producer.ts LIB PREFIX N BATCH
 */

import { ZincIntentProducer } from "../src/zinc/index.ts";

const [libPath, prefix, nArg, batchArg] = process.argv.slice(2);
if (libPath === undefined || prefix === undefined) throw new Error("usage: LIB PREFIX N BATCH");
const n = Number(nArg);
const batch = Number(batchArg);
const producer = ZincIntentProducer.open({ libPath, prefix });
const records = new Uint8Array(320 * batch).fill(7);
const one = records.subarray(0, 320);
let sent = 0;
let fullSpins = 0;
const t0 = Bun.nanoseconds();
for (let guard = 0; sent < n && guard < 1_000_000_000; guard++) {
  const got =
    batch === 1 ? (producer.push(one) === "OK" ? 1 : 0) : producer.pushBatch(records, Math.min(batch, n - sent));
  if (got === 0) fullSpins += 1;
  sent += got;
}
const seconds = (Bun.nanoseconds() - t0) / 1e9;
console.log(
  JSON.stringify({
    batch,
    n: sent,
    seconds: Number(seconds.toFixed(4)),
    records_per_s: Math.round(sent / seconds),
    full_spins: fullSpins,
  }),
);
producer.close();
