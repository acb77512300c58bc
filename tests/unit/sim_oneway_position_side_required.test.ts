/**
 * bingx-sim in one-way mode: BingX's "Place order" page says positionSide is "required for single
 * position as BOTH" and "defaults to LONG if empty", and LONG is refused in one-way mode. So an
 * order without positionSide is refused there (80014) and never executes; in hedge mode the empty
 * side still defaults to LONG.
 */

import { afterEach, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type PositionMode, startBingxSim } from "../../src/sim/index.ts";

const API_KEY = "simKeyMode0123456789abcdef";
const SECRET = "simSecretMode0123456789abcdef";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function placeWithoutPositionSide(positionMode: PositionMode) {
  const clock = new ManualClock(1_700_000_000_000);
  const sim = await startBingxSim({ port: 0, apiKey: API_KEY, secret: SECRET, seed: 5, clock, positionMode });
  stops.push(() => sim.stop());
  const query = `quantity=0.01&side=BUY&symbol=BTC-USDT&timestamp=${clock.nowMs()}&type=MARKET`;
  const signature = createHmac("sha256", SECRET).update(query).digest("hex");
  const res = await fetch(`${sim.url}/openApi/swap/v2/trade/order?${query}&signature=${signature}`, {
    method: "POST",
    headers: { "X-BX-APIKEY": API_KEY },
  });
  const body = (await res.json()) as { code: number; data: { order?: { positionSide: string } } };
  return { body, orders: sim.state().orders };
}

test("one-way mode: an order without positionSide answers 80014 and executes nothing", async () => {
  const { body, orders } = await placeWithoutPositionSide("oneway");
  expect(body.code).toBe(80014);
  expect(orders).toHaveLength(0);
});

test("hedge mode: an order without positionSide defaults to LONG", async () => {
  const { body, orders } = await placeWithoutPositionSide("hedge");
  expect(body.code).toBe(0);
  expect(body.data.order?.positionSide).toBe("LONG");
  expect(orders.map((o) => o.positionSide)).toEqual(["LONG"]);
});
