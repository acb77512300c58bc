/**
 * Bench child for bench/zinc_kernel.ts: the strategy process. Records are MARK_PRICE BTC-USDT
 * InputRecords (kernel encoder), each with its own price, so the kernel's outcome (slot 0's
 * mark_price in the state region) names the intent that caused it.
 *  - MODE wait|poll N: for each of WARMUP + N intents, push, then wait until slot 0's image in
 *    the state region shows that price; "wait" sleeps on the state futex (Worker), "poll" spins
 *    on the state sequence. Prints { mode, n, p50_us, p99_us, max_us } (warm-up excluded).
 *  - MODE throughput N BATCH: pushes N records as fast as it can (single pushes or batches with
 *    one notify), retrying on FULL. Prints { batch, n, seconds, records_per_s, full_spins }.
 *  SPIN_US (wait mode): the state reader's busy-wait before the futex (default: the library's);
 *  GAP_MS: idle time before each intent (outside the measured interval), so both sides' spin
 *  windows run out and every intent takes the futex path: what sporadic traffic sees.
 *   usage: zinc_kernel_producer.ts LIB PREFIX MODE N [BATCH | SPIN_US] [GAP_MS]
 */

import { encodeInput, INPUT_SIZE } from "../src/kernel/encoder.ts";
import { ZincIntentProducer, ZincStateReader } from "../src/zinc/index.ts";
import { percentiles } from "./zinc_stats.ts";

const PRICE_BASE = 50_000;
const WARMUP = 300;
const SPIN_MAX = 100_000_000;
const MARK_PRICE_OFFSET = 64; // SlotImage.mark_price (kernel/ABI.md)
const PRICE_OFFSET = 32; // InputRecord.price

const [libPath, prefix, mode, nArg, batchArg] = process.argv.slice(2);
if (libPath === undefined || prefix === undefined || mode === undefined)
  throw new Error("usage: LIB PREFIX MODE N [BATCH]");
const n = Number(nArg);
const producer = ZincIntentProducer.open({ libPath, prefix });

function records(count: number): Uint8Array {
  const out = new Uint8Array(count * INPUT_SIZE);
  for (let i = 0; i < count; i++) {
    const refusal = encodeInput(
      { type: "MARK_PRICE", asset: "BTC-USDT", price: PRICE_BASE + i, now_ms: 1_700_000_000_000 + i },
      out,
      i * INPUT_SIZE,
    );
    if (refusal) throw new Error(refusal.message);
  }
  return out;
}

async function latency(spinUs: number | undefined, gapMs: number): Promise<void> {
  const state = ZincStateReader.open({ libPath: libPath!, prefix: prefix!, waitSpinUs: spinUs });
  const rec = records(1);
  const recDv = new DataView(rec.buffer);
  const samples: number[] = [];
  for (let i = 1; i <= WARMUP + n; i++) {
    const price = PRICE_BASE + i;
    if (gapMs > 0) await Bun.sleep(gapMs);
    const t0 = Bun.nanoseconds();
    recDv.setFloat64(PRICE_OFFSET, price, true);
    if (producer.push(rec) !== "OK") throw new Error("ring full during the latency run");
    let seq = state.stateSeq();
    for (let spin = 0; spin < SPIN_MAX; spin++) {
      if (new DataView(state.readSlot(0).buffer).getFloat64(MARK_PRICE_OFFSET, true) === price) break;
      if (mode === "wait") seq = await state.waitState(seq, 1000);
      else for (let s = 0; s < SPIN_MAX && state.stateSeq() === seq; s++);
      seq = state.stateSeq();
    }
    if (i > WARMUP) samples.push((Bun.nanoseconds() - t0) / 1000);
  }
  console.log(JSON.stringify({ mode, n, ...percentiles(samples) }));
  state.close();
}

function throughput(batch: number): void {
  const all = records(n);
  let sent = 0;
  let fullSpins = 0;
  const t0 = Bun.nanoseconds();
  for (let guard = 0; sent < n && guard < 1_000_000_000; guard++) {
    const want = Math.min(batch, n - sent);
    const got =
      batch === 1
        ? producer.push(all.subarray(sent * INPUT_SIZE, (sent + 1) * INPUT_SIZE)) === "OK"
          ? 1
          : 0
        : producer.pushBatch(all.subarray(sent * INPUT_SIZE, (sent + want) * INPUT_SIZE), want);
    if (got === 0) fullSpins++;
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
}

if (mode === "throughput") throughput(Number(batchArg ?? 1));
else
  await latency(batchArg === undefined || batchArg === "" ? undefined : Number(batchArg), Number(process.argv[7] ?? 0));
producer.close();
