/**
 * Bench: the BingX adapter's own per-request overhead with no network — building and signing a
 * place-order request (sorted params, HMAC-SHA256, per-value encoding), then decoding a typical
 * answer (safe JSON with a 19-digit id, envelope, order parse). A second series measures one
 * user-stream frame (gunzip, classify, normalize through the order tracker).
 *
 * Output: median and p99 in microseconds per series, printed and written to
 * bench/results/venue_adapter.json. Target: request overhead ≤ 50 µs median.
 * Run: bun bench/venue_adapter.ts
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ManualClock } from "../src/contracts/clock.ts";
import { OrderTracker } from "../src/venue/bingx/_order_tracker.ts";
import { parsePlacedOrderId } from "../src/venue/bingx/_parse.ts";
import { parseJsonSafe } from "../src/venue/bingx/_safe_json.ts";
import { BingxRestClient, classifyFrame, decodeFrame, endpoints as ep } from "../src/venue/bingx/index.ts";

const ITERATIONS = 20_000;
const WARMUP = 2_000;
const TARGET_US = 50;

const rest = new BingxRestClient({
  apiKey: "benchApiKey0123456789abcdefghijklmnopqrstuvwxyz",
  secret: "benchSecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFG",
  baseUrl: "http://127.0.0.1:1",
  recvWindowMs: 5000,
  clock: new ManualClock(),
  timeoutMs: 1000,
});
const answer = JSON.stringify({
  code: 0,
  msg: "",
  data: {
    order: {
      symbol: "BTC-USDT",
      orderId: 0,
      side: "BUY",
      positionSide: "LONG",
      type: "MARKET",
      clientOrderID: "k",
      workingType: "MARK_PRICE",
    },
  },
}).replace('"orderId":0', '"orderId":1736012345678901234');
const frame = gzipSync(
  Buffer.from(
    JSON.stringify({
      e: "ORDER_TRADE_UPDATE",
      E: 1700000000000,
      o: {
        s: "BTC-USDT",
        c: "k",
        i: "1736012345678901234",
        S: "BUY",
        o: "MARKET",
        q: "0.01",
        p: "0",
        ap: "65000",
        x: "TRADE",
        X: "FILLED",
        z: "0.01",
        l: "0.01",
        L: "65000",
        n: "-0.325",
        N: "USDT",
        ps: "LONG",
        T: 1700000000000,
      },
    }),
  ),
);

function requestOnce(i: number): void {
  const req = ep.placeOrder({
    symbol: "BTC-USDT",
    side: "BUY",
    positionSide: "LONG",
    type: "MARKET",
    quantity: "0.0100",
    clientOrderID: `bench-${i}`,
  });
  const built = rest.buildRequest(req, 1_700_000_000_000 + i);
  if (built.url.length < 10) throw new Error("Invariant: empty URL");
  const body = parseJsonSafe(answer) as { code: number; data: unknown };
  if (body.code !== 0 || parsePlacedOrderId(body.data) !== "1736012345678901234")
    throw new Error("Invariant: decode failed");
}

function frameOnce(tracker: OrderTracker): void {
  const d = decodeFrame(frame);
  if (!d.ok) throw new Error("Invariant: frame decode failed");
  const r = classifyFrame(d.text);
  if (r.type !== "order") throw new Error("Invariant: frame not an order");
  tracker.fromFact(r.fact, "k");
}

function measure(fn: (i: number) => void): { median_us: number; p99_us: number; iterations: number } {
  for (let i = 0; i < WARMUP; i++) fn(i);
  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  const at = (q: number) =>
    Number((samples[Math.min(ITERATIONS - 1, Math.floor(q * ITERATIONS))] as number).toFixed(2));
  return { median_us: at(0.5), p99_us: at(0.99), iterations: ITERATIONS };
}

const request = measure(requestOnce);
const streamFrame = measure(() => frameOnce(new OrderTracker()));
const result = {
  bench: "venue_adapter",
  runtime: `bun ${Bun.version}`,
  target_median_us: TARGET_US,
  request_overhead: request,
  stream_frame: streamFrame,
  within_target: request.median_us <= TARGET_US,
};
const dir = join(import.meta.dir, "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "venue_adapter.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result));
