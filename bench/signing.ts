/**
 * The order path's signature, side by side in one run (writes bench/results/signing.json): the
 * adapter's `hmacSha256Hex` (Bun's keyed hasher) against node:crypto's `createHmac`, which it
 * replaced, over a placement's own signed string. Two regimes, rounds alternating A/B:
 *  - paced: one signature every 2 ms, as orders arrive: the code leaves the CPU's caches between two;
 *  - back to back: a tight loop, everything hot.
 * Medians and p99 per variant and regime (µs), and the ratio createHmac / hasher.
 *
 *   bun bench/signing.ts [PACED_PER_ROUND (300)] [ROUNDS (4)]
 */

import { createHmac } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { hmacSha256Hex, signQuery } from "../src/venue/bingx/index.ts";
import { median, percentiles } from "./zinc_stats.ts";

const paced = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 4);
const HOT = 20_000;
const PACE_MS = 2;
const SECRET = "benchSigningSecretZZZZyyyy98765abcdefABCDEF0123456789benchSigning";
const order = {
  symbol: "BTC-USDT",
  side: "BUY",
  positionSide: "LONG",
  type: "MARKET",
  quantity: "0.0015",
  clientOrderID: "pink-7f3a9c-T118-E",
  recvWindow: 5000,
};
const signedText = (i: number) => signQuery({ ...order, timestamp: 1_796_000_000_000 + i }, SECRET).signed;

type Sign = (secret: string, payload: string) => string;
const variants: Record<"hasher" | "create_hmac", Sign> = {
  hasher: hmacSha256Hex,
  create_hmac: (secret, payload) => createHmac("sha256", secret).update(payload, "utf8").digest("hex"),
};
if (variants.hasher(SECRET, signedText(0)) !== variants.create_hmac(SECRET, signedText(0)))
  throw new Error("the two signatures differ");

function time(sign: Sign, payload: string): number {
  const t0 = Bun.nanoseconds();
  sign(SECRET, payload);
  return (Bun.nanoseconds() - t0) / 1000;
}

const samples = {
  paced: { hasher: [] as number[], create_hmac: [] as number[] },
  hot: { hasher: [] as number[], create_hmac: [] as number[] },
};
for (let r = 0; r < rounds; r++) {
  const turn = r % 2 === 0 ? (["hasher", "create_hmac"] as const) : (["create_hmac", "hasher"] as const);
  for (const v of turn) {
    for (let i = 0; i < HOT; i++) samples.hot[v].push(time(variants[v], signedText(i)));
    for (let i = 0; i < paced; i++) {
      const payload = signedText(i);
      await Bun.sleep(PACE_MS);
      samples.paced[v].push(time(variants[v], payload));
    }
  }
}

const summary = (xs: number[]) => ({
  n: xs.length,
  median_us: Number(median(xs).toFixed(2)),
  p99_us: percentiles(xs).p99_us,
});
const regimes = Object.fromEntries(
  (["paced", "hot"] as const).map((k) => {
    const [h, c] = [summary(samples[k].hasher), summary(samples[k].create_hmac)];
    return [
      k,
      { hasher: h, create_hmac: c, ratio_create_hmac_over_hasher: Number((c.median_us / h.median_us).toFixed(2)) },
    ];
  }),
);
const result = {
  bench: "signing",
  runtime: `bun ${Bun.version}`,
  context: { load_average_1_5_15: loadavg().map((x) => Number(x.toFixed(2))), pace_ms: PACE_MS, rounds },
  payload_bytes: signedText(0).length,
  ...regimes,
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", "signing.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
