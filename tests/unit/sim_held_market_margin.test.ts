/**
 * bingx-sim: a MARKET order held PENDING by the `pending_ms` fault reserves its initial margin, as
 * BingX reserves an order's margin when it accepts it: the quantity it opens × the mark at
 * acceptance / leverage plus the taker fee, shown as `freezedMargin` and out of `availableMargin`,
 * so a second opening order beyond what is left is refused 101204 (insufficient margin) while the
 * first is held. The reservation ends with the hold: a fill turns it into position margin (never
 * counted twice), a cancel, an engine rejection (`reject_orders`) or an out-of-band forget releases
 * it. A held closing order reserves nothing. Before, a held MARKET reserved nothing, so the account
 * accepted orders beyond its available margin while one was held.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { signedSimCall } from "../_support/bingx_sim.ts";

const API_KEY = "simKeyHeldMarket0123456789abcd";
const SECRET = "simSecretHeldMarket0123456789abcd";
const TAKER = 0.0005;
const MARK = 65_000;
const HOLD_MS = 5_000;
const INSUFFICIENT_MARGIN = 101204;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

interface Sim {
  sim: SimHandle;
  clock: ManualClock;
  call(method: string, path: string, params: Record<string, string>): Promise<{ code: number; msg: string; data: any }>;
}

async function startSim(balance: number): Promise<Sim> {
  const clock = new ManualClock(1_700_000_000_000);
  const prices = { "BTC-USDT": MARK };
  const sim = await startBingxSim({ port: 0, apiKey: API_KEY, secret: SECRET, seed: 17, clock, prices, balance });
  stops.push(() => sim.stop());
  const call = signedSimCall(sim, clock, API_KEY, SECRET, 1); // a new timestamp, far within the hold
  return { sim, clock, call };
}

const marketBuy = (s: Sim, quantity: number, clientOrderID: string) =>
  s.call("POST", "/v2/trade/order", {
    symbol: "BTC-USDT",
    side: "BUY",
    positionSide: "LONG",
    type: "MARKET",
    quantity: String(quantity),
    clientOrderID,
  });
const balance = async (s: Sim) => {
  const b = (await s.call("GET", "/v2/user/balance", {})).data.balance;
  return { available: Number(b.availableMargin), used: Number(b.usedMargin), frozen: Number(b.freezedMargin) };
};
/** What opening `qty` at the mark reserves at leverage 10: margin plus the taker fee. */
const reserve = (qty: number) => (qty * MARK) / 10 + qty * MARK * TAKER;
const statusOf = (s: Sim, cid: string) => s.sim.state().orders.find((o) => o.clientOrderId === cid)?.status;

/** A 1 000 USDT account with a 0.1 BTC MARKET buy held PENDING: it reserves 650 + 3.25 = 653.25. */
async function heldBuy(): Promise<Sim> {
  const s = await startSim(1_000);
  s.sim.faults.pending_ms = HOLD_MS;
  const a = await marketBuy(s, 0.1, "held-a");
  expect(a.code).toBe(0);
  expect(a.data.order.status).toBe("PENDING");
  expect((await balance(s)).frozen).toBeCloseTo(reserve(0.1), 6); // reserved from acceptance on
  return s;
}

describe("bingx-sim: a MARKET order held PENDING reserves its margin", () => {
  test("while held, a second order beyond what the reservation leaves is refused 101204 and nothing is placed", async () => {
    const s = await heldBuy();
    // B needs another 653.25: it fits 1 000 alone, not the 346.75 the held order leaves.
    const b = await marketBuy(s, 0.1, "held-b");
    expect(b.code).toBe(INSUFFICIENT_MARGIN);
    expect(b.msg).toContain("need 653.2500 USDT, available 346.7500");
    expect(s.sim.state().orders.map((o) => o.clientOrderId)).toEqual(["held-a"]);
    expect((await marketBuy(s, 0.05, "held-c")).code).toBe(0); // 326.63 fits what is left
  });

  test("the balance shows the held order's reservation as freezedMargin, out of availableMargin", async () => {
    const s = await heldBuy();
    const b = await balance(s);
    expect(b.frozen).toBeCloseTo(reserve(0.1), 6);
    expect(b.available).toBeCloseTo(1_000 - reserve(0.1), 6);
    expect(b.used).toBe(0);
  });

  test("when the hold ends and the order fills, the reservation becomes position margin, never counted twice", async () => {
    const s = await heldBuy();
    s.clock.advance(HOLD_MS);
    const b = await balance(s);
    expect(statusOf(s, "held-a")).toBe("FILLED");
    expect(b.frozen).toBe(0);
    const fill = s.sim.state().fills[0];
    expect(b.used).toBeCloseTo((0.1 * (fill?.price ?? 0)) / 10, 6);
    expect(b.available).toBeGreaterThan(1_000 - reserve(0.1) - b.used); // no longer reserved as well
  });

  test("cancelling the held order releases its reservation: the second order then fits", async () => {
    const s = await heldBuy();
    expect((await s.call("DELETE", "/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "held-a" })).code).toBe(0);
    expect((await balance(s)).frozen).toBe(0);
    expect((await marketBuy(s, 0.1, "held-b")).code).toBe(0);
    expect(statusOf(s, "held-a")).toBe("CANCELLED");
  });

  test("a held order the engine then rejects releases its reservation", async () => {
    const s = await heldBuy();
    s.sim.faults.reject_orders = 1;
    s.clock.advance(HOLD_MS);
    expect((await balance(s)).frozen).toBe(0);
    expect(statusOf(s, "held-a")).toBe("REJECTED");
    expect((await balance(s)).available).toBeCloseTo(1_000, 6);
  });

  test("a held order forgotten out of band releases its reservation", async () => {
    const s = await heldBuy();
    const body = JSON.stringify({ action: "forget_order", clientOrderId: "held-a" });
    expect((await fetch(`${s.sim.url}/_sim/out_of_band`, { method: "POST", body })).status).toBe(200);
    expect((await balance(s)).frozen).toBe(0);
  });

  test("beside a held opening order, a held closing MARKET reserves nothing", async () => {
    const s = await startSim(10_000);
    expect((await marketBuy(s, 0.1, "open")).code).toBe(0);
    const before = await balance(s);
    s.sim.faults.pending_ms = HOLD_MS;
    const close = await s.call("POST", "/v2/trade/order", {
      symbol: "BTC-USDT",
      side: "SELL",
      positionSide: "LONG",
      type: "MARKET",
      quantity: "0.1",
    });
    expect(close.data.order.status).toBe("PENDING");
    expect((await marketBuy(s, 0.1, "held-open")).data.order.status).toBe("PENDING");
    const held = await balance(s);
    expect(held.frozen).toBeCloseTo(reserve(0.1), 6); // the opening order's alone
    expect(held.used).toBe(before.used);
  });
});
