/**
 * bingx-sim verifies a signature the way BingX builds it (BingX "Signature Description"): query
 * parameters are concatenated in the order they are sent, a JSON body's parameters sorted a-z,
 * and the signed string covers every api parameter. A sim that accepted more would let a client
 * bug pass here and meet 100001 on every live request:
 * - a signature over the query alone must not authorize order parameters sent in a body;
 * - a query sent in one order but signed sorted must not pass (sorting is the JSON-body rule);
 * - a JSON body signed in the order its keys are written, not sorted, must not pass.
 */

import { afterEach, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";

const API_KEY = "simKeySig0123456789abcdef";
const SECRET = "simSecretSig0123456789abcdef";
const ORDER_PATH = "/openApi/swap/v2/trade/order";
const ORDER = { symbol: "BTC-USDT", side: "BUY", positionSide: "LONG", type: "MARKET", quantity: "0.01" };

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function startSim(): Promise<{ sim: SimHandle; clock: ManualClock }> {
  const clock = new ManualClock(1_700_000_000_000);
  const sim = await startBingxSim({ port: 0, apiKey: API_KEY, secret: SECRET, seed: 3, clock });
  stops.push(() => sim.stop());
  return { sim, clock };
}

const hmac = (payload: string) => createHmac("sha256", SECRET).update(payload).digest("hex");
const joined = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join("&");

async function send(url: string, init: RequestInit): Promise<{ code: number }> {
  return (await (await fetch(url, { ...init, headers: { "X-BX-APIKEY": API_KEY, ...init.headers } })).json()) as {
    code: number;
  };
}

test("a signature over the query alone does not authorize order parameters sent in a JSON or form body", async () => {
  const { sim, clock } = await startSim();
  const query = `timestamp=${clock.nowMs()}`;
  const url = `${sim.url}${ORDER_PATH}?${query}&signature=${hmac(query)}`;
  const json = await send(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(ORDER),
  });
  const form = await send(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: joined(Object.entries(ORDER)),
  });
  expect([json.code, form.code]).toEqual([100001, 100001]);
  expect(sim.state().orders).toHaveLength(0);
});

test("query parameters are signed in the order sent: an unsorted query signed sorted answers 100001", async () => {
  const { sim, clock } = await startSim();
  const sent: [string, string][] = [...Object.entries(ORDER), ["timestamp", String(clock.nowMs())]];
  const sorted = [...sent].sort(([a], [b]) => (a < b ? -1 : 1));
  expect(joined(sent)).not.toBe(joined(sorted)); // the two strings really differ
  const query = joined(sent);
  const refused = await send(`${sim.url}${ORDER_PATH}?${query}&signature=${hmac(joined(sorted))}`, { method: "POST" });
  expect(refused.code).toBe(100001);
  expect(sim.state().orders).toHaveLength(0);
  // Signed as sent, the same request is accepted.
  const accepted = await send(`${sim.url}${ORDER_PATH}?${query}&signature=${hmac(query)}`, { method: "POST" });
  expect(accepted.code).toBe(0);
  expect(sim.state().orders).toHaveLength(1);
});

test("a JSON body is signed over its parameters sorted a-z, whatever order its keys are written in", async () => {
  const { sim, clock } = await startSim();
  const params: [string, string][] = [
    ...Object.entries({ ...ORDER, clientOrderID: "json-sorted" }),
    ["timestamp", String(clock.nowMs())],
  ];
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : 1));
  const body = JSON.stringify({ ...Object.fromEntries(params), signature: hmac(joined(sorted)) });
  const answer = await send(`${sim.url}${ORDER_PATH}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
  expect(answer.code).toBe(0);
  expect(sim.state().orders.map((o) => o.clientOrderId)).toEqual(["json-sorted"]);
});

test("a JSON body signed in the order its keys are written, not sorted, answers 100001", async () => {
  const { sim, clock } = await startSim();
  const params: [string, string][] = [...Object.entries(ORDER), ["timestamp", String(clock.nowMs())]];
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : 1));
  expect(joined(params)).not.toBe(joined(sorted)); // the two strings really differ
  const body = JSON.stringify({ ...Object.fromEntries(params), signature: hmac(joined(params)) });
  const answer = await send(`${sim.url}${ORDER_PATH}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
  expect(answer.code).toBe(100001);
  expect(sim.state().orders).toHaveLength(0);
});
