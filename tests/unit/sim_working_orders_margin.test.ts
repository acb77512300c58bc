/**
 * bingx-sim reserves margin for working opening orders, as BingX does: a resting LIMIT that opens
 * holds its remaining quantity × price / leverage plus the taker fee on it (GET
 * /openApi/swap/v2/user/balance shows it as `freezedMargin`, out of `availableMargin`) until it is
 * cancelled or fills; a fill turns the filled share into position margin (`usedMargin`), never
 * counted twice. A new opening order must fit what the reservations leave (else 101204, nothing
 * placed). Working closes reserve nothing. Before, working orders reserved nothing, so many
 * resting limits each fitting the balance alone were all accepted, which BingX refuses.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type PositionMode, type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { signedSimCall } from "../_support/bingx_sim.ts";

const API_KEY = "simKeyReserve0123456789abcdef";
const SECRET = "simSecretReserve0123456789abcdef";
const TAKER = 0.0005;
const MAKER = 0.0002;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

interface Sim {
  sim: SimHandle;
  call(method: string, path: string, params: Record<string, string>): Promise<{ code: number; msg: string; data: any }>;
}

async function startSim(balance: number, positionMode: PositionMode = "hedge"): Promise<Sim> {
  const clock = new ManualClock(1_700_000_000_000);
  const prices = { "BTC-USDT": 65_000 };
  const sim = await startBingxSim({ port: 0, apiKey: API_KEY, secret: SECRET, seed: 11, clock, prices, balance });
  stops.push(() => sim.stop());
  const call = signedSimCall(sim, clock, API_KEY, SECRET, 1_000); // within every per-second budget
  if (positionMode === "oneway")
    expect((await call("POST", "/v1/positionSide/dual", { dualSidePosition: "false" })).code).toBe(0);
  return { sim, call };
}

const place = (s: Sim, params: Record<string, string>) =>
  s.call("POST", "/v2/trade/order", { symbol: "BTC-USDT", side: "BUY", positionSide: "LONG", ...params });
const limitBuy = (s: Sim, price: number, quantity: number) =>
  place(s, { type: "LIMIT", price: String(price), quantity: String(quantity) });
const balance = async (s: Sim) => {
  const b = (await s.call("GET", "/v2/user/balance", {})).data.balance;
  return { available: Number(b.availableMargin), used: Number(b.usedMargin), frozen: Number(b.freezedMargin) };
};
/** What a resting opening LIMIT reserves at leverage 10: margin plus the taker fee. */
const reserve = (price: number, qty: number) => (qty * price) / 10 + qty * price * TAKER;

describe("bingx-sim: working opening orders reserve margin", () => {
  test("a second resting LIMIT that fits alone but not beside the first is refused 101204, nothing placed", async () => {
    const s = await startSim(1_000);
    // A reserves 600 + 3 = 603; B needs 590 + 2.95 = 592.95: it fits 1 000, not the 397 left.
    expect((await limitBuy(s, 60_000, 0.1)).code).toBe(0);
    const b = await limitBuy(s, 59_000, 0.1);
    expect(b.code).toBe(101204);
    expect(b.msg).toContain("need 592.9500 USDT, available 397.0000");
    expect(s.sim.state().orders.map((o) => o.price)).toEqual([60_000]);
  });

  test("cancelling the first releases its reservation: the second then fits", async () => {
    const s = await startSim(1_000);
    const a = await limitBuy(s, 60_000, 0.1);
    expect((await limitBuy(s, 59_000, 0.1)).code).toBe(101204);
    const orderId = String(s.sim.state().orders[0]?.orderId);
    expect(a.code).toBe(0);
    expect((await s.call("DELETE", "/v2/trade/order", { symbol: "BTC-USDT", orderId })).code).toBe(0);
    expect((await limitBuy(s, 59_000, 0.1)).code).toBe(0);
    expect(s.sim.state().orders.map((o) => o.status)).toEqual(["CANCELLED", "NEW"]);
  });

  test("a fill turns the reservation into position margin, never counted twice", async () => {
    const s = await startSim(1_000);
    await limitBuy(s, 60_000, 0.1);
    s.sim.setPrice("BTC-USDT", 59_999); // the book moves through 60 000: A fills there as a maker
    expect(s.sim.state().orders[0]?.status).toBe("FILLED");
    // 1 000 − 1.2 maker fee − 0.1 unrealized − 600 position margin = 398.7, nothing frozen.
    const b = await balance(s);
    expect(b.frozen).toBe(0);
    expect(b.used).toBeCloseTo(600, 6);
    expect(b.available).toBeCloseTo(1_000 - 0.1 * 60_000 * MAKER - 0.1 - 600, 6);
    // C needs 354 + 1.77: it fits 398.7, but would not if A's reservation still counted.
    expect((await limitBuy(s, 59_000, 0.06)).code).toBe(0);
  });

  test("the balance shows the reservation as freezedMargin, out of availableMargin, while the order rests", async () => {
    const s = await startSim(1_000);
    await limitBuy(s, 60_000, 0.1);
    const resting = await balance(s);
    expect(resting.frozen).toBeCloseTo(reserve(60_000, 0.1), 6);
    expect(resting.available).toBeCloseTo(1_000 - reserve(60_000, 0.1), 6);
    expect(resting.used).toBe(0);
    expect(s.sim.state().balance.available_margin).toBeCloseTo(1_000 - reserve(60_000, 0.1), 6);
  });

  test("a partial fill releases the reservation in proportion", async () => {
    const s = await startSim(20_000);
    expect((await limitBuy(s, 60_000, 2)).code).toBe(0);
    // Only the level at 60 000 is within the limit after this move: A fills in part and rests.
    s.sim.setPrice("BTC-USDT", 59_999.95);
    const b = await balance(s); // (the request moves the clock: the book may refill and fill more)
    const a = s.sim.state().orders[0];
    expect(a?.status).toBe("PARTIALLY_FILLED");
    const filled = a?.executedQty ?? 0;
    expect(b.frozen).toBeCloseTo(reserve(60_000, 2 - filled), 6);
    expect(b.used).toBeCloseTo((filled * 60_000) / 10, 6);
  });

  test("a working close reserves nothing", async () => {
    const s = await startSim(10_000);
    expect((await place(s, { type: "MARKET", quantity: "0.1" })).code).toBe(0);
    const before = await balance(s);
    const close = await place(s, { side: "SELL", type: "LIMIT", price: "70000", quantity: "0.1" });
    expect(close.code).toBe(0);
    expect(s.sim.state().orders[1]?.status).toBe("NEW");
    expect(await balance(s)).toEqual(before);
  });

  test("one-way mode: a resting opening order reserves margin too", async () => {
    const s = await startSim(1_000, "oneway");
    const both = { positionSide: "BOTH", type: "LIMIT", quantity: "0.1" };
    expect((await place(s, { ...both, price: "60000" })).code).toBe(0);
    expect((await place(s, { ...both, price: "59000" })).code).toBe(101204);
  });
});
