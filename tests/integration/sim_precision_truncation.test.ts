/**
 * bingx-sim truncates an order's quantity and limit price to the contract's precision as BingX
 * does (the shared reference: "Quantities above the precision are truncated by the venue"): the
 * digits past the precision are dropped, never rounded, however close they come to the next step.
 * A sim that rounded 0.00019999999 up to 0.0002 would execute more than BingX does, and a BUY
 * limit of 64000.09999999 rounded up to 64000.1 would pay more than it said: a client sending
 * too many decimals would pass here and meet a different order live.
 */

import { afterEach, beforeEach, expect, test } from "bun:test";
import { type Harness, place, startSim } from "./fixtures/sim_client.ts";

let h: Harness;
beforeEach(async () => {
  h = await startSim();
});
afterEach(async () => {
  await h.sim.stop();
});

test("a quantity with digits past the precision is truncated to the step, never rounded up", async () => {
  // BTC-USDT: quantity precision 4, minimum 0.0001.
  const r = await place(h, { quantity: "0.00019999999", clientOrderID: "trunc-qty" });
  expect(r.body.code).toBe(0);
  expect(r.body.data.order.quantity).toBe("0.0001");
  expect(h.sim.state().positions.map((p) => p.positionAmt)).toEqual([0.0001]);
});

test("a limit price with digits past the tick is truncated, so a BUY never rests above its limit", async () => {
  // BTC-USDT: price precision 1; the book's best ask is above the mark (65000), so this rests.
  const r = await place(h, { type: "LIMIT", price: "64000.09999999", quantity: "0.001", clientOrderID: "trunc-px" });
  expect(r.body.code).toBe(0);
  expect(r.body.data.order.price).toBe("64000");
  expect(h.sim.state().orders.map((o) => o.price)).toEqual([64000]);
});

test("a quantity truncated below the minimum quantity answers 101400 and executes nothing", async () => {
  const r = await place(h, { quantity: "0.00009999999", clientOrderID: "trunc-min" });
  expect(r.body.code).toBe(101400);
  expect(h.sim.state().orders).toHaveLength(0);
});
