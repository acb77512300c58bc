/**
 * What the runtime-on-bingx-sim tests of late landings share (an order the venue answered "no such order" about
 * that lands after all): the sim's out-of-band `hide_order` / `land_order`, a LONG entry intent, the venue's LONG
 * position, and the prelude "an exit acknowledged, hidden, and taken as ended by the hung-order query".
 */

import { expect } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import type { simRuntime } from "./sim_runtime.ts";
import { within } from "./within.ts";

/** POST /_sim/out_of_band `{action, clientOrderId, qty?}`: the venue hides or lands the order (`qty` of it: part). */
export async function outOfBand(
  sim: SimHandle,
  action: "hide_order" | "land_order",
  clientOrderId: string,
  qty?: number,
) {
  const body = JSON.stringify({ action, clientOrderId, ...(qty === undefined ? {} : { qty }) });
  expect((await fetch(`${sim.url}/_sim/out_of_band`, { method: "POST", body })).status).toBe(200);
}

/** An ENTER on slot 0: LONG at 20×, market unless `price`. */
export function enterLong(trade: string, price: number | null = null, asset = "BTC-USDT", size = 0.01): StrategyIntent {
  return { type: "ENTER", slot_id: 0, trade_id: trade, asset, side: "LONG", size, price, leverage: 20 };
}

/** The position the venue holds on `asset` LONG (0 for none). */
export const venueLong = (sim: SimHandle, asset = "BTC-USDT") =>
  sim.state().positions.find((p) => p.symbol === asset && p.positionSide === "LONG")?.positionAmt ?? 0;

/**
 * Opens trade `trade` (0.01 BTC), then an exit at 70 000 the venue acknowledges, hides, and the hung-order query takes
 * as ended (ABSENT_STALE: the slot back to POSITION_OPEN holding 0.01), within `withinMs` each. Returns the entry price.
 */
export async function exitTakenAsEnded(
  w: Awaited<ReturnType<typeof simRuntime>>,
  trade: string,
  withinMs: number,
): Promise<number> {
  expect(w.rt.submitStrategy(enterLong(trade)).accepted).toBe(true);
  await within(10_000, "position open", () => w.slot().stage === "POSITION_OPEN");
  const entryPrice = w.slot().entry_price;
  const cid = `${trade}-X1`;
  const exit = { type: "EXIT", slot_id: 0, size: 0.01, price: 70_000, reason: "TP" } as const;
  expect(w.rt.submitStrategy(exit).accepted).toBe(true);
  await within(10_000, `${cid} acknowledged`, () => w.slot().exit_order?.status === "ACKED");
  await outOfBand(w.sim, "hide_order", cid);
  await within(withinMs, `${cid} taken as ended`, () => w.slot().exit_order?.status === "CANCELLED");
  await within(withinMs, "slot 0 back to POSITION_OPEN", () => w.slot().stage === "POSITION_OPEN");
  expect(w.lines).toContain("slot 0: hung order resolved by query: ABSENT_STALE");
  expect(w.slot().size).toBe(0.01);
  return entryPrice;
}
