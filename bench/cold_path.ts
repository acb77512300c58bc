/**
 * How much slower code runs after it sat idle, on this host: the BingX adapter's signing of one
 * order's parameters (`hmacSha256Hex`), timed (a) back to back, (b) after 50 ms asleep, (c) after
 * 50 ms asleep in which it also ran once a millisecond (what the path warmer does,
 * src/launcher/_path_warmer.ts). Medians and p90 over ROUNDS samples each, all in one run; writes
 * bench/results/cold_path.json.
 *
 *   bun bench/cold_path.ts [ROUNDS (60)]
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { hmacSha256Hex } from "../src/venue/bingx/index.ts";
import { percentile } from "./http_load.ts";

const ROUNDS = Number(process.argv[2] ?? 60);
const SECRET = "benchColdPathSecretZZZZyyyy98765";
const PAYLOAD =
  "clientOrderID=abc123&positionSide=LONG&quantity=0.001&recvWindow=5000&side=BUY&symbol=BTC-USDT&timestamp=1733380000000&type=MARKET";
const sign = () => hmacSha256Hex(SECRET, PAYLOAD);
const timed = () => {
  const t0 = Bun.nanoseconds();
  sign();
  return (Bun.nanoseconds() - t0) / 1000;
};
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50_us: Number(percentile(s, 0.5).toFixed(2)), p90_us: Number(percentile(s, 0.9).toFixed(2)) };
};

for (let i = 0; i < 20_000; i++) sign(); // every tier of the JIT reached before any sample
const hot: number[] = [];
for (let i = 0; i < ROUNDS * 100; i++) hot.push(timed());
const idle: number[] = [];
const warmed: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  await Bun.sleep(50);
  idle.push(timed());
  for (let k = 0; k < 50; k++) {
    await Bun.sleep(1);
    sign();
  }
  warmed.push(timed());
}
const result = {
  bench: "cold_path",
  runtime: `bun ${Bun.version}`,
  load_average_1_5_15: loadavg().map((x) => Number(x.toFixed(2))),
  what: "hmacSha256Hex of one order's parameters (the BingX adapter's signing)",
  back_to_back: summary(hot),
  after_50ms_idle: summary(idle),
  after_50ms_run_once_per_ms: summary(warmed),
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/cold_path.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
