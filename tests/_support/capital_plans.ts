/**
 * The plans of tests/_support/capital_trades.ts: four markets with their real ticks and quantity
 * steps, and a trade as small choices (slot, market, side, size, how each order fills and ends, the
 * price moves, the fee rate) that shrink toward a plain trade: one entry fill, one exit leg.
 *
 * Entry points: `MARKETS`, `tradePlans` (the arbitrary), `TradePlan`, `OrderPlan`, `RunOptions`.
 */

import fc from "fast-check";
import { E8 } from "./decimals_e8.ts";

export interface Market {
  asset: string;
  tick: bigint;
  step: bigint;
  lo: bigint;
  hi: bigint;
  stepsMax: number;
}

/** Prices and quantities in 1e-8 units, on each market's tick and step. */
export const MARKETS: readonly Market[] = [
  { asset: "BTC-USDT", tick: 10_000_000n, step: 10_000n, lo: 20_000n * E8, hi: 150_000n * E8, stepsMax: 200_000 },
  { asset: "ETH-USDT", tick: 1_000_000n, step: 100_000n, lo: 800n * E8, hi: 6_000n * E8, stepsMax: 500_000 },
  { asset: "DOGE-USDT", tick: 1_000n, step: E8, lo: 5_000_000n, hi: 60_000_000n, stepsMax: 2_000_000 },
  { asset: "PEPE-USDT", tick: 1n, step: E8, lo: 200n, hi: 3_000n, stepsMax: 50_000_000 },
];

export type EntryEnd = "FULL" | "CANCEL" | "REJECT";
export type ExitEnd = EntryEnd | "LATE";
export interface OrderPlan<End> {
  /** Where the partial fills cut the order, per mille of its size. */
  cuts: number[];
  end: End;
  /** The cancel's ack or the reject carries the last partial fill (it is not sent before). */
  carried: boolean;
}
export interface LegPlan extends OrderPlan<ExitEnd> {
  /** The leg's size, per mille of the position (the last leg takes all of it and fills). */
  part: number;
}
export interface TradePlan {
  slot: number;
  market: number;
  side: "LONG" | "SHORT";
  /** The entry's size: stepsMax ** (sizeLog / 1000) steps, one step to the market's largest. */
  sizeLog: number;
  entry: OrderPlan<EntryEnd>;
  legs: LegPlan[];
  /** Price moves in basis points, one per fill, taken in turn. */
  moves: number[];
  feeBps: number;
  mark: boolean;
}

export interface RunOptions {
  slots: number;
  seedE8: bigint;
  /** null: averages reported as the nearest double of the exact VWAP; 8: rounded to 8 decimals. */
  avgDecimals: null | 8;
  /** Which slot moves next, taken in turn. */
  picks: number[];
  /**
   * Canaries only: the kernel is told each fee twice, or an order's last fill price as its average
   * (a kernel that books so), or the exact ledger books a SHORT as a LONG.
   */
  plant?: "KERNEL_FEE_TWICE" | "KERNEL_LAST_PRICE" | "LEDGER_SHORT_AS_LONG";
}

const cuts = fc.uniqueArray(fc.integer({ min: 1, max: 999 }), { maxLength: 3 });
const entryEnd = fc.integer({ min: 0, max: 9 }).map((i): EntryEnd => (i < 6 ? "FULL" : i < 8 ? "CANCEL" : "REJECT"));
const exitEnd = fc
  .integer({ min: 0, max: 11 })
  .map((i): ExitEnd => (i < 6 ? "FULL" : i < 8 ? "CANCEL" : i < 10 ? "REJECT" : "LATE"));

export function tradePlans(slots: number, tradesMax: number): fc.Arbitrary<TradePlan[]> {
  const trade = fc.record({
    slot: fc.nat(slots - 1),
    market: fc.nat(MARKETS.length - 1),
    side: fc.constantFrom<"LONG" | "SHORT">("LONG", "SHORT"),
    sizeLog: fc.integer({ min: 0, max: 1000 }),
    entry: fc.record({ cuts, end: entryEnd, carried: fc.boolean() }),
    legs: fc.array(fc.record({ part: fc.integer({ min: 1, max: 1000 }), cuts, end: exitEnd, carried: fc.boolean() }), {
      minLength: 1,
      maxLength: 4,
    }),
    moves: fc.array(fc.integer({ min: -150, max: 150 }), { minLength: 1, maxLength: 6 }),
    feeBps: fc.constantFrom(0, 2, 5, 10),
    mark: fc.boolean(),
  });
  return fc.array(trade, { minLength: tradesMax, maxLength: tradesMax });
}
