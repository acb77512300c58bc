/**
 * bingx-sim refuses place-order requests BingX refuses, so a client bug cannot pass here and fail
 * live:
 * - in hedge mode BingX answers 109400 "In the Hedge mode, the 'ReduceOnly' field can not be
 *   filled." to any order carrying `reduceOnly` (true or false), opening or closing (live answers
 *   recorded by several independent public clients; ccxt drops the field in hedged mode);
 * - a parameter sent twice is ambiguous (which value did the venue use?): refused with 100400;
 * - a JSON body's nested object (e.g. `takeProfit`) is signed as the JSON text the client sent,
 *   numbers unquoted.
 */

import { afterEach, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type PositionMode, type SimHandle, startBingxSim } from "../../src/sim/index.ts";

const API_KEY = "simKeyStrict0123456789abcdef";
const SECRET = "simSecretStrict0123456789abcdef";
const ORDER_PATH = "/openApi/swap/v2/trade/order";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function startSim(positionMode: PositionMode = "hedge"): Promise<{ sim: SimHandle; clock: ManualClock }> {
  const clock = new ManualClock(1_700_000_000_000);
  const sim = await startBingxSim({ port: 0, apiKey: API_KEY, secret: SECRET, seed: 9, clock, positionMode });
  stops.push(() => sim.stop());
  return { sim, clock };
}

const hmac = (payload: string) => createHmac("sha256", SECRET).update(payload).digest("hex");
const joined = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join("&");

async function postQuery(sim: SimHandle, pairs: [string, string][]): Promise<{ code: number; msg: string }> {
  const query = joined(pairs);
  const res = await fetch(`${sim.url}${ORDER_PATH}?${query}&signature=${hmac(query)}`, {
    method: "POST",
    headers: { "X-BX-APIKEY": API_KEY },
  });
  return (await res.json()) as { code: number; msg: string };
}

function order(clock: ManualClock, extra: Record<string, string>): [string, string][] {
  const all = { positionSide: "LONG", quantity: "0.01", side: "BUY", symbol: "BTC-USDT", type: "MARKET", ...extra };
  return [...Object.entries(all), ["timestamp", String(clock.nowMs())]];
}

test("hedge mode: an order carrying reduceOnly (true or false) answers 109400 and executes nothing", async () => {
  const { sim, clock } = await startSim("hedge");
  expect((await postQuery(sim, order(clock, {}))).code).toBe(0);
  const closeTrue = await postQuery(sim, order(clock, { side: "SELL", reduceOnly: "true" }));
  const openFalse = await postQuery(sim, order(clock, { reduceOnly: "false" }));
  expect([closeTrue.code, openFalse.code]).toEqual([109400, 109400]);
  expect(closeTrue.msg).toContain("ReduceOnly");
  expect(sim.state().orders).toHaveLength(1);
  expect(sim.state().positions.map((p) => p.positionAmt)).toEqual([0.01]);
});

test("one-way mode still takes reduceOnly", async () => {
  const { sim, clock } = await startSim("oneway");
  expect((await postQuery(sim, order(clock, { positionSide: "BOTH", reduceOnly: "false" }))).code).toBe(0);
  const close = order(clock, { positionSide: "BOTH", side: "SELL", reduceOnly: "true" });
  expect((await postQuery(sim, close)).code).toBe(0);
  expect(sim.state().positions).toHaveLength(0);
});

test("a parameter sent twice answers 100400 and executes nothing", async () => {
  const { sim, clock } = await startSim();
  const answer = await postQuery(sim, [...order(clock, {}), ["quantity", "0.02"]]);
  expect(answer.code).toBe(100400);
  expect(answer.msg).toContain("quantity");
  expect(sim.state().orders).toHaveLength(0);
});

test("a parameter sent both in the query and in the JSON body answers 100400 and executes nothing", async () => {
  const { sim, clock } = await startSim();
  const body: [string, string][] = order(clock, {});
  const sorted = [["quantity", "0.02"] as [string, string], ...body].sort(([a], [b]) => (a < b ? -1 : 1));
  const res = await fetch(`${sim.url}${ORDER_PATH}?quantity=0.02`, {
    method: "POST",
    headers: { "X-BX-APIKEY": API_KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ ...Object.fromEntries(body), signature: hmac(joined(sorted)) }),
  });
  expect(((await res.json()) as { code: number }).code).toBe(100400);
  expect(sim.state().orders).toHaveLength(0);
});

test("a JSON body with a nested object is signed over that object's JSON text as sent, numbers unquoted", async () => {
  const { sim, clock } = await startSim();
  const takeProfit = JSON.stringify({ type: "TAKE_PROFIT_MARKET", stopPrice: 70000, workingType: "MARK_PRICE" });
  const params = Object.fromEntries(order(clock, {}));
  const pairs: [string, string][] = [...Object.entries(params), ["takeProfit", takeProfit]];
  const signed = joined(pairs.sort(([a], [b]) => (a < b ? -1 : 1)));
  const body = `{${Object.entries(params)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(",")},"takeProfit":${takeProfit},"signature":"${hmac(signed)}"}`;
  const res = await fetch(`${sim.url}${ORDER_PATH}`, {
    method: "POST",
    headers: { "X-BX-APIKEY": API_KEY, "Content-Type": "application/json" },
    body,
  });
  expect(((await res.json()) as { code: number }).code).toBe(0);
  expect(sim.state().orders).toHaveLength(1);
});

test("a key written twice in a JSON body answers 100400 and executes nothing", async () => {
  const { sim, clock } = await startSim();
  const params = order(clock, {});
  const signature = hmac(joined([...params].sort(([a], [b]) => (a < b ? -1 : 1))));
  const body = `{"quantity":"0.05",${JSON.stringify(Object.fromEntries(params)).slice(1, -1)},"signature":"${signature}"}`;
  const res = await fetch(`${sim.url}${ORDER_PATH}`, {
    method: "POST",
    headers: { "X-BX-APIKEY": API_KEY, "Content-Type": "application/json" },
    body,
  });
  expect(((await res.json()) as { code: number }).code).toBe(100400);
  expect(sim.state().orders).toHaveLength(0);
});
