/**
 * bingx-sim's out-of-band `hide_order` and `land_order` (src/sim/out_of_band.ts): a venue whose order service lags
 * its engine. An open order hidden stays accepted (its margin reserved, its client id taken) but query and cancel
 * answer 80016, neither open orders, order history nor cancel-all see it, and nothing fills it (the book moving
 * through it does not; a PENDING hold does not end). Landing it shows it again and the engine takes it at once: a
 * resting LIMIT fills at its own price (with `qty`, that much: the rest rests on, listed again), a held MARKET runs;
 * the fills are streamed and booked. Bad input answers 400 with a sentence and changes nothing.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { signedSimCall } from "../_support/bingx_sim.ts";

const API_KEY = "simKeyHideLand0123456789abcdef";
const SECRET = "simSecretHideLand0123456789abcdef";
const ORDER_NOT_EXIST = 80016;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A sim on a ManualClock (BTC-USDT at 65 000) and a signed REST call to it. */
async function startSim() {
  const clock = new ManualClock(1_700_000_000_000);
  const sim = await startBingxSim({
    port: 0,
    apiKey: API_KEY,
    secret: SECRET,
    seed: 23,
    clock,
    prices: { "BTC-USDT": 65_000 },
  });
  stops.push(() => sim.stop());
  const call = signedSimCall(sim, clock, API_KEY, SECRET, 1);
  return { sim, clock, call };
}

type Sim = Awaited<ReturnType<typeof startSim>>;

const place = (s: Sim, clientOrderID: string, type: "LIMIT" | "MARKET") =>
  s.call("POST", "/v2/trade/order", {
    symbol: "BTC-USDT",
    side: "BUY",
    positionSide: "LONG",
    type,
    quantity: "0.01",
    ...(type === "LIMIT" ? { price: "60000" } : {}),
    clientOrderID,
  });

/** POST /_sim/out_of_band with `body`: its HTTP status and answer. */
async function outOfBand(sim: SimHandle, body: unknown): Promise<{ status: number; answer: Record<string, unknown> }> {
  const r = await fetch(`${sim.url}/_sim/out_of_band`, { method: "POST", body: JSON.stringify(body) });
  return { status: r.status, answer: (await r.json()) as Record<string, unknown> };
}

const orderOf = (sim: SimHandle, cid: string) => sim.state().orders.find((o) => o.clientOrderId === cid);
const longOf = (sim: SimHandle) => sim.state().positions.find((p) => p.positionSide === "LONG")?.positionAmt ?? 0;

describe("hide_order", () => {
  test("a hidden resting order stays accepted but no endpoint sees it: query and cancel answer 80016, no list shows it, cancel-all leaves it, its margin stays reserved, the book moving through it fills nothing", async () => {
    const s = await startSim();
    expect((await place(s, "hd1-e", "LIMIT")).code).toBe(0);
    const reserved = s.sim.state().balance.freezed_margin;
    expect(reserved).toBeGreaterThan(0);

    expect(await outOfBand(s.sim, { action: "hide_order", clientOrderId: "HD1-E" })).toEqual({
      status: 200,
      answer: { done: "hid hd1-e (NEW, 0 filled)" },
    });
    const byId = { symbol: "BTC-USDT", clientOrderId: "hd1-e" };
    expect((await s.call("GET", "/v2/trade/order", byId)).code).toBe(ORDER_NOT_EXIST);
    expect((await s.call("DELETE", "/v2/trade/order", byId)).code).toBe(ORDER_NOT_EXIST);
    expect((await s.call("GET", "/v2/trade/openOrders", { symbol: "BTC-USDT" })).data.orders).toEqual([]);
    expect((await s.call("GET", "/v2/trade/allOrders", { symbol: "BTC-USDT" })).data.orders).toEqual([]);
    expect((await s.call("DELETE", "/v2/trade/allOpenOrders", { symbol: "BTC-USDT" })).data.success).toEqual([]);
    s.sim.setPrice("BTC-USDT", 59_000); // through its limit: a visible one would fill
    expect(orderOf(s.sim, "hd1-e")).toMatchObject({ status: "NEW", executedQty: 0, hidden: true });
    expect(s.sim.state().balance.freezed_margin).toBe(reserved);
    expect((await place(s, "hd1-e", "LIMIT")).code).not.toBe(0); // its client id stays taken
  });

  test("a hidden order held PENDING stays held past its hold", async () => {
    const s = await startSim();
    s.sim.faults.pending_ms = 1_000;
    expect((await place(s, "hd2-e", "MARKET")).code).toBe(0);
    expect((await outOfBand(s.sim, { action: "hide_order", clientOrderId: "hd2-e" })).status).toBe(200);
    s.clock.advance(10_000);
    expect((await s.call("GET", "/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "hd2-e" })).code).toBe(
      ORDER_NOT_EXIST,
    );
    expect(orderOf(s.sim, "hd2-e")?.status).toBe("PENDING");
    expect(longOf(s.sim)).toBe(0);
  });
});

describe("land_order", () => {
  // Its fills are streamed as any fill's (tests/unit/late_landing_sim.test.ts: the runtime hears them on the user stream).
  test("a hidden resting order landed fills at its own price (maker): booked, its margin released, and found FILLED by query", async () => {
    const s = await startSim();
    expect((await place(s, "ld1-e", "LIMIT")).code).toBe(0);
    expect((await outOfBand(s.sim, { action: "hide_order", clientOrderId: "ld1-e" })).status).toBe(200);

    expect(await outOfBand(s.sim, { action: "land_order", clientOrderId: "LD1-E" })).toEqual({
      status: 200,
      answer: { done: "landed ld1-e (FILLED, 0.01 filled)" },
    });
    const found = await s.call("GET", "/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "ld1-e" });
    expect(found.data.order).toMatchObject({ status: "FILLED", executedQty: "0.01", avgPrice: "60000" });
    expect(longOf(s.sim)).toBe(0.01);
    expect(s.sim.state().fills.map((f) => [f.clientOrderId, f.qty, f.price, f.maker])).toEqual([
      ["ld1-e", 0.01, 60_000, true],
    ]);
    expect(s.sim.state().balance.freezed_margin).toBe(0);
  });

  test("a hidden resting order landed with a qty fills only that much: PARTIALLY_FILLED, listed open again, its rest resting on and filling when landed again", async () => {
    const s = await startSim();
    expect((await place(s, "ld3-e", "LIMIT")).code).toBe(0);
    expect((await outOfBand(s.sim, { action: "hide_order", clientOrderId: "ld3-e" })).status).toBe(200);

    expect(await outOfBand(s.sim, { action: "land_order", clientOrderId: "ld3-e", qty: 0.004 })).toEqual({
      status: 200,
      answer: { done: "landed ld3-e (PARTIALLY_FILLED, 0.004 filled)" },
    });
    const open = await s.call("GET", "/v2/trade/openOrders", { symbol: "BTC-USDT" });
    expect(open.data.orders).toHaveLength(1);
    expect(open.data.orders[0]).toMatchObject({
      clientOrderId: "ld3-e",
      status: "PARTIALLY_FILLED",
      executedQty: "0.004",
    });
    expect(longOf(s.sim)).toBe(0.004);

    expect((await outOfBand(s.sim, { action: "hide_order", clientOrderId: "ld3-e" })).status).toBe(200);
    expect((await outOfBand(s.sim, { action: "land_order", clientOrderId: "ld3-e" })).status).toBe(200);
    expect(orderOf(s.sim, "ld3-e")).toMatchObject({ status: "FILLED", executedQty: 0.01 });
    expect(longOf(s.sim)).toBe(0.01);
  });

  test("a hidden order held PENDING landed runs at once: the engine fills it as a MARKET (a qty is refused: it lands whole)", async () => {
    const s = await startSim();
    s.sim.faults.pending_ms = 60_000;
    expect((await place(s, "ld2-e", "MARKET")).code).toBe(0);
    expect((await outOfBand(s.sim, { action: "hide_order", clientOrderId: "ld2-e" })).status).toBe(200);
    const part = await outOfBand(s.sim, { action: "land_order", clientOrderId: "ld2-e", qty: 0.004 });
    expect(part.answer.error).toBe("qty applies to a resting order: ld2-e is held PENDING and lands whole");
    expect(orderOf(s.sim, "ld2-e")).toMatchObject({ status: "PENDING", hidden: true });
    expect((await outOfBand(s.sim, { action: "land_order", clientOrderId: "ld2-e" })).status).toBe(200);
    expect(orderOf(s.sim, "ld2-e")).toMatchObject({ status: "FILLED", executedQty: 0.01 });
    expect(orderOf(s.sim, "ld2-e")?.hidden).toBeUndefined();
    expect(longOf(s.sim)).toBe(0.01);
  });
});

describe("hide_order and land_order refuse bad input", () => {
  test("an unknown or malformed client id, an order not open, one hidden already, or a landing of one not hidden answers 400 with a sentence and changes nothing", async () => {
    const s = await startSim();
    expect((await place(s, "bd1-e", "LIMIT")).code).toBe(0);
    expect((await place(s, "bd2-e", "MARKET")).code).toBe(0); // FILLED at once: not open
    const before = s.sim.state().orders;
    for (const clientOrderId of [undefined, "", 7, "no-such-order", "x".repeat(65), "bd2-e"]) {
      const r = await outOfBand(s.sim, { action: "hide_order", clientOrderId });
      expect(r.status).toBe(400);
      expect(String(r.answer.error)).toStartWith("no open order with clientOrderId");
    }
    for (const clientOrderId of [undefined, "no-such-order", "bd1-e", "bd2-e"]) {
      const r = await outOfBand(s.sim, { action: "land_order", clientOrderId });
      expect(r.status).toBe(400);
      expect(String(r.answer.error)).toStartWith("no hidden open order with clientOrderId");
    }
    expect(s.sim.state().orders).toEqual(before);
    expect((await outOfBand(s.sim, { action: "hide_order", clientOrderId: "bd1-e" })).status).toBe(200);
    for (const qty of [0, -0.001, 0.00045, 0.02, "0.004", null]) {
      const r = await outOfBand(s.sim, { action: "land_order", clientOrderId: "bd1-e", qty });
      expect(r.status).toBe(400);
      expect(String(r.answer.error)).toStartWith(
        "qty must be a positive multiple of 1e-4, at most the 0.01 left of bd1-e",
      );
    }
    expect(orderOf(s.sim, "bd1-e")).toMatchObject({ status: "NEW", executedQty: 0, hidden: true });
    const again = await outOfBand(s.sim, { action: "hide_order", clientOrderId: "bd1-e" });
    expect(again.status).toBe(400);
    const unknown = await outOfBand(s.sim, { action: "hide" });
    expect(String(unknown.answer.error)).toContain("hide_order, land_order");
  });
});
