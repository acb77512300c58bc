/**
 * The trading state and the risk limits through the built executable against bingx-sim: the
 * kernel refuses what the operator's controls forbid, with one diagnostic naming why, and lets
 * the rest through. HALTED refuses ENTER and EXIT but allows CANCEL; REDUCING refuses ENTER
 * only; each limit refuses exactly past its boundary and accepts at it (fast-check over the
 * boundary for the notional limits); the drawdown crossing flips ACTIVE to REDUCING once.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import fc from "fast-check";
import { eventually, type Served, startServe } from "./_serve.ts";
import { type SimProc, simSize, startSim } from "./_sim.ts";

let sim: SimProc;
let s: Served;
let trades = 0;

beforeAll(async () => {
  sim = await startSim(31);
  s = await startServe({ ...sim.env, DITA_V2_SLOTS: "6", DITA_V2_RECONCILE_INTERVAL_MS: "0" });
}, 30_000);

afterAll(async () => {
  expect(await s.stop()).toBe(0);
  await sim.stop();
  rmSync(s.stateDir, { recursive: true, force: true });
});

const enter = (slot_id: number, size: number, price: number | null, extra: Record<string, unknown> = {}) =>
  s.call("/intents", {
    body: {
      type: "ENTER",
      slot_id,
      trade_id: `OC${++trades}`,
      asset: "BTC-USDT",
      side: "LONG",
      size,
      price,
      leverage: 5,
      ...extra,
    },
  });
const exit = (slot_id: number, size: number) =>
  s.call("/intents", { body: { type: "EXIT", slot_id, size, reason: "SIGNAL" } });
const cancel = (slot_id: number) => s.call("/intents", { body: { type: "CANCEL", slot_id } });
const control = (change: Record<string, unknown>) => s.call("/control", { body: change });
const stage = async (id: number) => (await s.call(`/slots/${id}`)).body.stage as string;
const codes = (r: { body: { diagnostics?: Array<{ code: string }> } }) => (r.body.diagnostics ?? []).map((d) => d.code);
const metric = async (line: string) => {
  const text = (await s.call("/metrics")).body as string;
  return Number(new RegExp(`^${line.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
};
/** A resting entry (a limit far below the market), cancelled again so the slot is free. */
async function restingThenCancel(slot: number, size: number, price: number, extra: Record<string, unknown> = {}) {
  const r = await enter(slot, size, price, extra);
  if (r.status === 200) {
    expect((await cancel(slot)).status).toBe(200);
    await eventually(`slot ${slot} idle after cancel`, async () => (await stage(slot)) === "IDLE", 5000);
  }
  return r;
}

describe("trading state", () => {
  test("HALTED refuses ENTER and EXIT with TRADING_HALTED and still lets a CANCEL through", async () => {
    expect((await enter(0, 0.01, null)).status).toBe(200);
    await eventually("slot 0 open", async () => (await stage(0)) === "POSITION_OPEN", 5000);
    expect((await enter(1, 0.01, 30000)).status).toBe(200); // rests far below the market
    expect((await control({ trading_state: "HALTED" })).body.trading_state).toBe("HALTED");
    const e = await enter(2, 0.01, null);
    expect([e.status, codes(e)]).toEqual([422, ["TRADING_HALTED"]]);
    const x = await exit(0, 0.01);
    expect([x.status, codes(x)]).toEqual([422, ["TRADING_HALTED"]]);
    expect((await cancel(1)).status).toBe(200);
    await eventually("slot 1 cancelled at the venue", async () => (await stage(1)) === "IDLE", 5000);
    expect(await stage(2)).toBe("IDLE");
    expect(simSize(await sim.state(), "BTC-USDT")).toBeCloseTo(0.01, 9);
  }, 20_000);

  test("REDUCING refuses ENTER with REDUCE_ONLY and lets the exit close the position", async () => {
    await control({ trading_state: "REDUCING" });
    const e = await enter(2, 0.01, null);
    expect([e.status, codes(e)]).toEqual([422, ["REDUCE_ONLY"]]);
    expect((await exit(0, 0.01)).status).toBe(200);
    await eventually("slot 0 closed", async () => (await stage(0)) === "CLOSED", 5000);
    expect(simSize(await sim.state(), "BTC-USDT")).toBe(0);
    await control({ trading_state: "ACTIVE" });
    expect((await s.call("/status")).body.kernel.trading_state).toBe("ACTIVE");
  }, 20_000);
});

describe("risk limits at their boundary", () => {
  test("max_leverage: leverage equal to the limit passes, one above is RISK_LIMIT naming the limit", async () => {
    await control({ max_leverage: 5 });
    expect((await restingThenCancel(2, 0.01, 30000, { leverage: 5 })).status).toBe(200);
    const r = await enter(2, 0.01, 30000, { leverage: 6 });
    expect([r.status, codes(r)]).toEqual([422, ["RISK_LIMIT"]]);
    expect(r.body.diagnostics[0].details).toMatchObject({ limit: "max_leverage", value: 6 });
    await control({ max_leverage: 0 });
  }, 20_000);

  test("max_notional_per_trade: size × limit price equal to the limit passes, one quantity step more is refused (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 20_000, max: 40_000 }),
        async (steps, price) => {
          const size = steps / 10_000; // BTC-USDT quantity step 0.0001
          const notional = ((steps * 10_000) / 1e8) * price; // the kernel's arithmetic: qty_e8 / 1e8 × price
          await control({ max_notional_per_trade: notional });
          expect((await restingThenCancel(2, size, price)).status).toBe(200);
          const r = await enter(2, size + 0.0001, price);
          expect([r.status, codes(r)]).toEqual([422, ["RISK_LIMIT"]]);
          expect(r.body.diagnostics[0].details.limit).toBe("max_notional_per_trade");
        },
      ),
      { numRuns: 6, seed: 15 },
    );
    await control({ max_notional_per_trade: 0 });
  }, 60_000);

  test("max_gross_exposure counts resting entries: the next entry up to the limit passes, past it is refused", async () => {
    expect((await enter(3, 0.01, 30000)).status).toBe(200); // 300 USDT resting
    await control({ max_gross_exposure: 300 + 0.01 * 30000 });
    expect((await restingThenCancel(2, 0.01, 30000)).status).toBe(200);
    const r = await enter(2, 0.0101, 30000);
    expect([r.status, codes(r)]).toEqual([422, ["RISK_LIMIT"]]);
    expect(r.body.diagnostics[0].details.limit).toBe("max_gross_exposure");
    await control({ max_gross_exposure: 0 });
    expect((await cancel(3)).status).toBe(200);
    await eventually("slot 3 idle", async () => (await stage(3)) === "IDLE", 5000);
  }, 30_000);

  test("max_orders_per_minute (set at start by DITA_V2_MAX_ORDERS_PER_MINUTE): the Nth order in a minute passes, the N+1th is refused, 429 with its retry hint", async () => {
    const fresh = await startServe({ ...sim.env, DITA_V2_SLOTS: "4", DITA_V2_MAX_ORDERS_PER_MINUTE: "3" });
    try {
      expect((await fresh.call("/control")).body.max_orders_per_minute).toBe(3);
      const at = (slot_id: number) =>
        fresh.call("/intents", {
          body: {
            type: "ENTER",
            slot_id,
            trade_id: `OM${++trades}`,
            asset: "BTC-USDT",
            side: "LONG",
            size: 0.01,
            price: 30000,
            leverage: 5,
          },
        });
      for (const slot of [0, 1, 2]) expect((await at(slot)).status).toBe(200);
      const r = await at(3);
      // The window clears by itself: 429, retryable, with the ms until it has room (under a minute).
      expect([r.status, codes(r)]).toEqual([429, ["RISK_LIMIT"]]);
      expect(r.body.diagnostics[0].details).toMatchObject({
        limit: "max_orders_per_minute",
        value: 4,
        retryable: true,
      });
      expect(r.body.diagnostics[0].details.retry_after_ms).toBeWithin(1, 60_001);
      for (const slot of [0, 1, 2]) await fresh.call("/intents", { body: { type: "CANCEL", slot_id: slot } });
      for (const slot of [0, 1, 2])
        await eventually(
          `slot ${slot} idle`,
          async () => (await fresh.call(`/slots/${slot}`)).body.stage === "IDLE",
          8000,
        );
    } finally {
      expect(await fresh.stop()).toBe(0);
      rmSync(fresh.stateDir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("drawdown", () => {
  test("a loss past max_drawdown_ratio moves trading to REDUCING once, with one CRITICAL DRAWDOWN_LIMIT", async () => {
    await sim.setPrice("BTC-USDT", 65000);
    await control({ max_drawdown_ratio: 0.001 });
    expect((await enter(5, 0.01, null)).status).toBe(200);
    await eventually("slot 5 open", async () => (await stage(5)) === "POSITION_OPEN", 5000);
    await sim.setPrice("BTC-USDT", 62000); // -30 USDT on 0.01 BTC: 0.3 % of 10 000
    expect((await exit(5, 0.01)).status).toBe(200);
    await eventually("slot 5 closed", async () => (await stage(5)) === "CLOSED", 5000);
    const c = await eventually("control follows the kernel", async () => {
      const snap = (await s.call("/control")).body;
      return snap.trading_state === "REDUCING" ? snap : null;
    });
    expect(c.trading_state).toBe("REDUCING");
    expect((await s.call("/status")).body.kernel.trading_state).toBe("REDUCING");
    expect(await metric('dita_v2_diagnostics_total{code="DRAWDOWN_LIMIT"}')).toBe(1);
    const r = await enter(0, 0.01, null);
    expect(codes(r)).toEqual(["REDUCE_ONLY"]);
    expect(await metric('dita_v2_diagnostics_total{code="DRAWDOWN_LIMIT"}')).toBe(1);
  }, 30_000);
});
