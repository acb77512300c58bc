/**
 * A limit price off the contract's tick (src/venue/bingx/contract_rules.ts) goes to BingX on the
 * tick on the order's own side: a BUY's rounds down, a SELL's up, so an order never trades worse
 * than its limit. Rounded to the nearest tick, a BUY limit a few hundredths under the best ask
 * was sent at the ask and took it: filled above its limit, at the taker fee, where the strategy
 * meant to rest as a maker. Ticks finer than 1e-9 keep their decimals (a price is never sent as "0").
 */

import { afterEach, expect, test } from "bun:test";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import { applyContractRules, formatStep, stepDecimals } from "../../src/venue/bingx/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { connectedOnSim, QUICK_STREAM, realTimeSim } from "../_support/bingx_sim.ts";
import { BTC_RULES as BTC } from "../_support/venue_data.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function venueAt(mark: number) {
  const { sim, config } = await realTimeSim(3, { "BTC-USDT": mark });
  const adapter = new BingxVenueAdapter(config, { stream: QUICK_STREAM });
  return { sim, adapter, events: await connectedOnSim(adapter, sim, stops) };
}

const limit = (side: "BUY" | "SELL", price: number, cid: string): OrderRequest => ({
  client_order_id: cid,
  asset: "BTC-USDT",
  side,
  position_side: side === "BUY" ? "LONG" : "SHORT",
  type: "LIMIT",
  price,
  size: 0.01,
  reduce_only: false,
});

test("a BUY limit just under the best ask rests under it; a SELL limit just over the best bid rests over it", async () => {
  // Mark 64999.95: the book's best bid is 64999.9 and its best ask 65000.0 (tick 0.1).
  const v = await venueAt(64_999.95);
  expect(await v.adapter.submit(limit("BUY", 64_999.96, "buy1"))).toMatchObject({ status: "ACCEPTED" });
  expect(await v.adapter.submit(limit("SELL", 64_999.94, "sell1"))).toMatchObject({ status: "ACCEPTED" });
  const orders = v.sim.state().orders.map((o) => [o.clientOrderId, o.price, o.status, o.executedQty]);
  expect(orders).toEqual([
    ["buy1", 64_999.9, "NEW", 0],
    ["sell1", 65_000, "NEW", 0],
  ]);
  expect(v.sim.state().fills).toEqual([]);
});

test("limit prices go on the tick on the order's side; without a side, to the nearest tick", () => {
  const price = (side: "BUY" | "SELL" | undefined, p: number) => {
    const r = applyContractRules({ ...BTC, min_notional: 0 }, 0.01, p, undefined, side);
    return r.ok ? r.price : r.rule;
  };
  expect([price("BUY", 64_999.96), price("SELL", 64_999.94), price(undefined, 64_999.96)]).toEqual([
    "64999.9",
    "65000.0",
    "65000.0",
  ]);
  // A price already on the tick stays where it is, float residue or not.
  expect([price("BUY", 64_999.9), price("SELL", 64_999.9), price("BUY", 0.3), price("SELL", 0.3)]).toEqual([
    "64999.9",
    "64999.9",
    "0.3",
    "0.3",
  ]);
  expect(price("BUY", 0.04)).toBe("INVALID_PRICE"); // under one tick: nothing to send
  // The minimum notional is judged at the price sent: 0.0001 × 20000.0 is under 2.000001.
  const small = applyContractRules({ ...BTC, min_notional: 2.000001 }, 0.0001, 20_000.05, undefined, "BUY");
  expect(small.ok === false && small.rule).toBe("MIN_NOTIONAL");
  expect(formatStep(1e9 + 0.5, 1)).toBe("1000000000"); // down stays down for large step counts
});

test("a tick finer than 1e-9 keeps its decimals: the price is never sent as 0", () => {
  expect(stepDecimals(1e-10)).toBe(10);
  expect(stepDecimals(1e-12)).toBe(12);
  const tiny = { ...BTC, asset: "TINY-USDT", quantity_step: 1, min_quantity: 1, price_step: 10 ** -10 };
  expect(applyContractRules(tiny, 10_000_000, 0.0000012345, undefined, "BUY")).toEqual({
    ok: true,
    size: 10_000_000,
    quantity: "10000000",
    price: "0.0000012345",
  });
});
