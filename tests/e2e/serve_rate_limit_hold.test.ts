/**
 * A stop-loss re-sent through a venue IP ban, through the built executable: serve on BINGX against
 * bingx-sim as its own process. The first stop-loss meets the ban (HTTP 418, BingX's 5 minutes):
 * the kernel had accepted it, so it spends one exit leg and comes back REJECTED RATE_LIMITED. Every
 * stop-loss re-sent while the ban lasts is refused before the kernel (429, RATE_LIMITED with the
 * time left): no exit leg is spent (a trade has 65 535), nothing reaches the venue, `/metrics` counts
 * each refusal. Before this, 255 re-sends (then the limit) made the trade impossible to exit or flatten.
 */

import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { eventually, type Served, startServe } from "./_serve.ts";
import { type SimProc, startSim } from "./_sim.ts";

let sim: SimProc;
let served: Served | null = null;

beforeAll(async () => {
  sim = await startSim(23);
}, 20_000);

afterAll(async () => {
  if (served !== null && served.proc.exitCode === null) await served.stop();
  await sim.stop();
  if (served !== null) rmSync(served.stateDir, { recursive: true, force: true });
});

const stopLoss = { type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" };

test("stop-losses re-sent during an IP ban spend one exit leg in all: the rest are 429 RATE_LIMITED before the kernel", async () => {
  served = await startServe({ ...sim.env, DITA_V2_SLOTS: "2" });
  const s = served;
  const entry = { type: "ENTER", slot_id: 0, trade_id: "RLH1", asset: "BTC-USDT", side: "LONG", size: 0.01 };
  expect((await s.call("/intents", { body: { ...entry, price: null, leverage: 5 } })).status).toBe(200);
  await eventually("the entry filled", async () => (await s.call("/slots/0")).body.stage === "POSITION_OPEN");

  await sim.faults({ ip_ban: { count: 1, retry_hint: true } });
  expect((await s.call("/intents", { body: stopLoss })).status).toBe(200); // accepted: its placement meets the ban
  const rejected = async () => (await s.call("/slots/0")).body.exit_order?.status === "REJECTED";
  await eventually("the stop-loss refused by the ban", rejected);
  const placed = (await sim.state()).counters.orders_placed;

  const answers = [];
  for (let i = 0; i < 50; i++) answers.push(await s.call("/intents", { body: stopLoss }));
  expect(answers.map((a) => a.status)).toEqual(Array(50).fill(429));
  const d = answers[49]!.body.diagnostics[0];
  expect(d).toMatchObject({ code: "RATE_LIMITED", details: { input_kind: "EXIT", retryable: true } });
  expect(d.details.retry_after_ms).toBeGreaterThan(200_000); // what is left of BingX's 5 minutes
  expect((await s.call("/slots/0")).body).toMatchObject({ stage: "POSITION_OPEN", leg: 1, size: 0.01 });
  const state = await sim.state();
  expect([state.counters.orders_placed, state.counters.ip_banned]).toEqual([placed, 1]);
  const metrics = (await s.call("/metrics")).body as string;
  expect(metrics).toContain('dita_v2_input_refused_at_edge_total{edge="http",code="RATE_LIMITED",kind="EXIT"} 50');
}, 60_000);
