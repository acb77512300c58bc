/**
 * One synthetic order book per listed symbol, standing for the rest of the market: `LEVELS`
 * price levels a side, one tick apart, around the mark. The best bid is the last tick strictly
 * below the mark and the best ask the first tick strictly above it, so the mark always lies
 * inside the spread (one or two ticks wide). Level sizes come from a per-symbol seeded profile:
 * level i holds TOP_NOTIONAL_USDT × (1 + DEPTH_GROWTH × i) × a factor drawn in [0.5, 1.5), in
 * base units floored to the quantity step (never below one step).
 *
 * Liquidity taken by fills stays taken until the book refills: every mark move (the seeded walk
 * or `/_sim/price`) rebuilds the book around the new mark with a freshly drawn profile, and a
 * book left alone for `REFILL_MS` of sim clock refills in place. Randomness comes from the
 * book's own `Rng`, derived from the sim's seed, so adding the book did not change the order ids
 * or the price walk a seed produced before.
 *
 * Side names follow BingX's depth answer: `bids` (buyers, best = highest) and `asks` (sellers,
 * best = lowest). A BUY takes asks, a SELL takes bids.
 *
 * Entry points: `OrderBooks.take`, `available`, `levels`, `best`, `moved`, `housekeeping`.
 */

import { Rng } from "../contracts/rng.ts";
import { type ContractRule, floorToStep, roundTo } from "./contracts_catalog.ts";

export type BookSide = "bids" | "asks";

export interface Level {
  price: number;
  qty: number;
}

export const LEVELS = 100;
/** Notional of the top level before the seeded factor (USDT). */
const TOP_NOTIONAL_USDT = 40_000;
const DEPTH_GROWTH = 0.25;
export const REFILL_MS = 1000;
/** Derives the book's seed from the sim's, so the two random streams stay independent. */
const SEED_SALT = 0x5eed_b00c;
const TWO_32 = 2 ** 32;

interface SymbolBook {
  factors: Record<BookSide, number[]>;
  taken: Record<BookSide, number[]>;
  lastTakeMs: number;
}

export class OrderBooks {
  private readonly rng: Rng;
  private readonly books = new Map<string, SymbolBook>();

  constructor(
    seed: number,
    private readonly catalog: Map<string, ContractRule>,
  ) {
    // The low 32 bits salted, the high bits kept: chaos seeds reach 2^53, and `^` alone would give
    // seeds 2^32 apart the same book (a seed below 2^32 keeps the book it always had).
    this.rng = new Rng(Math.floor(seed / TWO_32) * TWO_32 + ((seed ^ SEED_SALT) >>> 0));
    for (const symbol of catalog.keys()) this.books.set(symbol, this.fresh());
  }

  /** Remaining levels of one side, best first, after liquidity already taken. */
  levels(symbol: string, side: BookSide, mark: number): Level[] {
    const { rule, book } = this.of(symbol);
    const tick = 10 ** -rule.pricePrecision;
    const step = 10 ** -rule.quantityPrecision;
    const best = side === "asks" ? floorTick(mark, rule) + tick : ceilTick(mark, rule) - tick;
    const out: Level[] = [];
    for (let i = 0; i < LEVELS; i++) {
      const price = roundTo(side === "asks" ? best + i * tick : best - i * tick, rule.pricePrecision);
      if (price <= 0) break;
      const notional = TOP_NOTIONAL_USDT * (1 + DEPTH_GROWTH * i) * (book.factors[side][i] ?? 1);
      const full = Math.max(floorToStep(notional / price, rule.quantityPrecision), step);
      const qty = floorToStep(full - (book.taken[side][i] ?? 0), rule.quantityPrecision);
      out.push({ price, qty: Math.max(qty, 0) });
    }
    return out;
  }

  /** Best level of each side with quantity left; `{price: 0, qty: 0}` for a side with none (a mark below one tick has no bids). */
  best(symbol: string, mark: number): { bid: Level; ask: Level } {
    const empty = { price: 0, qty: 0 };
    const bid = this.levels(symbol, "bids", mark).find((l) => l.qty > 0) ?? empty;
    const ask = this.levels(symbol, "asks", mark).find((l) => l.qty > 0) ?? empty;
    return { bid, ask };
  }

  /** Quantity on `side` at prices no worse than `limit` (all of it when `limit` is undefined). */
  available(symbol: string, side: BookSide, mark: number, limit?: number): number {
    let sum = 0;
    for (const l of this.levels(symbol, side, mark)) {
      if (limit !== undefined && !within(side, l.price, limit)) break;
      sum += l.qty;
    }
    return sum;
  }

  /**
   * Takes up to `qty` from `side`, best level first, never past `limit`; returns the legs
   * (one per level touched). Their sum is less than `qty` only when the book ran out first.
   */
  take(symbol: string, side: BookSide, mark: number, qty: number, nowMs: number, limit?: number): Level[] {
    const { rule, book } = this.of(symbol);
    const legs: Level[] = [];
    let left = qty;
    const levels = this.levels(symbol, side, mark);
    for (let i = 0; i < levels.length && left > 0; i++) {
      const level = levels[i] as Level;
      if (limit !== undefined && !within(side, level.price, limit)) break;
      const q = floorToStep(Math.min(left, level.qty), rule.quantityPrecision);
      if (q <= 0) continue;
      legs.push({ price: level.price, qty: q });
      book.taken[side][i] = roundTo((book.taken[side][i] ?? 0) + q, rule.quantityPrecision);
      left = roundTo(left - q, rule.quantityPrecision);
    }
    if (legs.length > 0) book.lastTakeMs = nowMs;
    return legs;
  }

  /** The mark moved: the symbol's book is rebuilt around it with a newly drawn profile. */
  moved(symbol: string): void {
    this.of(symbol);
    this.books.set(symbol, this.fresh());
  }

  /** Books left alone for REFILL_MS get their taken liquidity back; returns their symbols. */
  housekeeping(nowMs: number): string[] {
    const refilled: string[] = [];
    for (const [symbol, book] of this.books) {
      if (book.lastTakeMs >= 0 && nowMs - book.lastTakeMs >= REFILL_MS) {
        book.taken = { bids: [], asks: [] };
        book.lastTakeMs = -1;
        refilled.push(symbol);
      }
    }
    return refilled;
  }

  private fresh(): SymbolBook {
    const draw = () => Array.from({ length: LEVELS }, () => 0.5 + this.rng.next());
    return { factors: { bids: draw(), asks: draw() }, taken: { bids: [], asks: [] }, lastTakeMs: -1 };
  }

  private of(symbol: string): { rule: ContractRule; book: SymbolBook } {
    const rule = this.catalog.get(symbol);
    const book = this.books.get(symbol);
    if (!rule || !book) throw new Error(`Invariant: no book for listed symbol ${symbol}`);
    return { rule, book };
  }
}

/** True when a level at `price` on `side` is at or better than `limit` for the taker. */
function within(side: BookSide, price: number, limit: number): boolean {
  return side === "asks" ? price <= limit + 1e-12 : price >= limit - 1e-12;
}

function floorTick(price: number, rule: ContractRule): number {
  return floorToStep(price, rule.pricePrecision);
}

function ceilTick(price: number, rule: ContractRule): number {
  const floor = floorToStep(price, rule.pricePrecision);
  return floor < price - 1e-12 ? roundTo(floor + 10 ** -rule.pricePrecision, rule.pricePrecision) : floor;
}
