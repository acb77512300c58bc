/**
 * A trade has at most 65 535 exit legs, and every exit the kernel accepts spends one, also one the
 * venue then refuses. A strategy re-sending its stop-loss through a rate limit must not spend them:
 * while the adapter already knows an order sent now would be refused for the rate limit (a venue
 * retry hint longer than its throttle waits, not yet passed), ENTER and EXIT are refused before the
 * kernel (RATE_LIMITED, retryable, with the time left), so no leg is spent and nothing is sent.
 * Once the hint has passed the stop-loss goes out and closes the trade. Fast tier: a runtime in this
 * process over the mock, its time a ManualClock.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";
import type { LoggedVenue } from "../../src/launcher/_venue_log.ts";
import type { Runtime } from "../../src/launcher/index.ts";
import type { MockVenueAdapter } from "../../src/venue/index.ts";
import { btcEntry, startedRuntime, tempDirsPerTest, until } from "../_support/runtime.ts";

const tempDir = tempDirsPerTest("dita-legs-hold-");
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(1000);
});

async function openLong(): Promise<{ rt: Runtime; mock: MockVenueAdapter; clock: ManualClock }> {
  const clock = new ManualClock();
  const { rt } = await startedRuntime(tempDir(), clock);
  runtimes.push(rt);
  const mock = (rt.b.venue as LoggedVenue).inner as MockVenueAdapter;
  expect(rt.submitStrategy(btcEntry("LEGS1")).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  return { rt, mock, clock };
}

const stopLoss: StrategyIntent = { type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" };

test("a stop-loss re-sent 300 times through a venue rate limit spends one exit leg, then closes after the hint", async () => {
  const { rt, mock, clock } = await openLong();
  mock.setKnobs({ rate_limit: { count: 1, retry_after_ms: 60_000 } });
  expect(rt.submitStrategy(stopLoss).accepted).toBe(true); // sent: the venue answers 100410, retry in 60 s
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  const held = [];
  for (let i = 0; i < 300; i++) held.push(rt.submitStrategy(stopLoss));
  expect(held.every((o) => !o.accepted)).toBe(true);
  const d = held[299]!.diagnostics[0]!;
  expect(d.code).toBe("RATE_LIMITED");
  expect(d.details.retryable).toBe(true);
  expect(d.details.retry_after_ms).toBe(60_000);
  expect(rt.b.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", leg: 1, size: 0.01 });
  clock.advance(59_000);
  expect(rt.submitStrategy(stopLoss).diagnostics[0]?.details.retry_after_ms).toBe(1_000);

  clock.advance(1_000);
  expect(rt.submitStrategy(stopLoss).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "CLOSED");
  expect(rt.b.kernel.slot(0).leg).toBe(2);
});

test("an ENTER while a long venue retry hint runs is refused before the kernel: the slot stays IDLE, nothing sent", async () => {
  const { rt, mock } = await openLong();
  mock.setKnobs({ rate_limit: { count: 1, retry_after_ms: 30_000 } });
  rt.submitStrategy(stopLoss);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  const entry = rt.submitStrategy({ ...btcEntry("LEGS2"), slot_id: 1 });
  expect(entry.accepted).toBe(false);
  expect(entry.diagnostics[0]).toMatchObject({ code: "RATE_LIMITED", details: { input_kind: "ENTER" } });
  expect(rt.b.kernel.slot(1).stage).toBe("IDLE");
  expect(await mock.openOrders()).toEqual([]);
});

test("a hint the throttle would wait out (up to 10 s) holds nothing: the next stop-loss is sent at once", async () => {
  const { rt, mock } = await openLong();
  mock.setKnobs({ rate_limit: { count: 1, retry_after_ms: 2_000 } });
  rt.submitStrategy(stopLoss);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN" && rt.b.kernel.slot(0).leg === 1);
  expect(rt.submitStrategy(stopLoss).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "CLOSED");
});

test("over HTTP an EXIT refused during a hold answers 429 with Retry-After in whole seconds and the refused outcome", async () => {
  const { rt, mock, clock } = await openLong();
  mock.setKnobs({ rate_limit: { count: 1, retry_after_ms: 30_000 } });
  rt.submitStrategy(stopLoss);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  clock.advance(10_500);
  const token = "h".repeat(16);
  const deps = {
    slotCount: () => rt.b.kernel.slotCount,
    operatorToken: () => token,
    submitIntent: (i: StrategyIntent) => rt.submitStrategy(i),
    refuseIntent: () => {
      throw new Error("not a parse refusal");
    },
  } as unknown as HttpDeps;
  const res = await createHttp(deps).routes["/intents"]!.POST(
    new Request("http://127.0.0.1/intents", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, Host: "127.0.0.1", "Content-Type": "application/json" },
      body: JSON.stringify(stopLoss),
    }),
  );
  expect(res.status).toBe(429);
  expect(res.headers.get("Retry-After")).toBe("20");
  const body = (await res.json()) as { accepted: boolean; error: string; diagnostics: Array<{ code: string }> };
  expect(body.accepted).toBe(false);
  expect(body.diagnostics[0]!.code).toBe("RATE_LIMITED");
  expect(body.error).toContain("19500 ms");
  expect(rt.b.kernel.slot(0).leg).toBe(1);
});
