/**
 * The mock venue's account: hedge-mode positions per (asset, side) and the USDT wallet. Fills
 * move positions and the wallet exactly as a linear USDT-margined perpetual does: opening adds
 * at a size-weighted average price, closing realizes (price − entry) × size for longs (the
 * reverse for shorts), and every fill pays its fee from the wallet. Reconciliation reads this
 * as the venue's truth.
 *
 * Working orders reserve margin as at BingX (`track`, `reservedMargin`): a working opening LIMIT
 * holds its remaining size × limit / the leverage of its side, plus the taker fee on it, out of
 * the available margin until it is cancelled or fills (filled size becomes position margin, so a
 * partial fill releases its share). Closes and market orders (they fill at once) reserve nothing.
 * Kept as running sums per (asset, side), so a check costs the same with 100 000 orders working.
 *
 * Invariant: a position's size is never negative; a closed position is removed.
 */

import type { OrderSide, PositionSide, VenueBalance, VenuePosition } from "../../contracts/venue.ts";
import { roundQty } from "../event_id.ts";
import { type MockOrder, TAKER_FEE_RATE } from "./_orders.ts";

/** The leverage of a (symbol, side) nobody set, as bingx-sim's DEFAULT_LEVERAGE. */
export const DEFAULT_LEVERAGE = 10;

interface Holding {
  size: number;
  avg_price: number;
}

export class MockLedger {
  private wallet: number;
  private readonly holdings = new Map<string, Holding>();
  private readonly leverages = new Map<string, number>();
  /** What each working opening LIMIT reserves, by venue order id: its (asset, side) and remaining notional. */
  private readonly reservations = new Map<string, { key: string; notional: number }>();
  /** The sum of those notionals per (asset, side), and how many orders make it (0: the entry goes). */
  private readonly reservedBySide = new Map<string, { notional: number; count: number }>();

  constructor(
    balance: number,
    private readonly markPrice: (asset: string) => number,
  ) {
    if (!(Number.isFinite(balance) && balance >= 0))
      throw new Error(`Condition failed: balance must be >= 0, got ${balance}`);
    this.wallet = balance;
  }

  /** The size of the position on `positionSide` of `asset` (0 when flat). */
  held(asset: string, positionSide: PositionSide): number {
    return this.holdings.get(key(asset, positionSide))?.size ?? 0;
  }

  applyFill(asset: string, side: OrderSide, positionSide: PositionSide, qty: number, price: number, fee: number): void {
    if (!(qty > 0 && price > 0 && fee >= 0))
      throw new Error(`Invariant: fill needs qty>0 price>0 fee>=0, got ${qty} ${price} ${fee}`);
    const k = key(asset, positionSide);
    const h = this.holdings.get(k) ?? { size: 0, avg_price: 0 };
    if (isOpening(side, positionSide)) {
      const size = roundQty(h.size + qty);
      h.avg_price = (h.size * h.avg_price + qty * price) / size;
      h.size = size;
    } else {
      const closed = Math.min(qty, h.size);
      const direction = positionSide === "LONG" ? 1 : -1;
      this.wallet += direction * (price - h.avg_price) * closed;
      h.size = roundQty(h.size - closed);
    }
    this.wallet -= fee;
    if (h.size > 0) this.holdings.set(k, h);
    else this.holdings.delete(k);
  }

  leverage(asset: string, side: PositionSide): number {
    return this.leverages.get(key(asset, side)) ?? DEFAULT_LEVERAGE;
  }

  setLeverage(asset: string, side: PositionSide, leverage: number): void {
    this.leverages.set(key(asset, side), leverage);
  }

  /** The assets whose leverage was ever set (either side), in the order first set. */
  leveragedAssets(): string[] {
    return [...new Set([...this.leverages.keys()].map((k) => k.slice(0, k.lastIndexOf("|"))))];
  }

  positions(asset?: string): VenuePosition[] {
    const out: VenuePosition[] = [];
    for (const [k, h] of this.holdings) {
      const [a, s] = k.split("|") as [string, PositionSide];
      if (asset !== undefined && a !== asset) continue;
      const mark = this.markPrice(a);
      const direction = s === "LONG" ? 1 : -1;
      out.push({
        asset: a,
        side: s,
        size: h.size,
        avg_price: h.avg_price,
        unrealized_pnl: direction * (mark - h.avg_price) * h.size,
        leverage: this.leverage(a, s),
      });
    }
    return out.sort((x, y) => (x.asset + x.side < y.asset + y.side ? -1 : 1));
  }

  /**
   * Records what `order` reserves now; called after every change to a placed order (placement,
   * fill, cancel). A working opening LIMIT reserves its remaining size × limit; any other nothing.
   */
  track(order: MockOrder): void {
    const id = order.venue_order_id;
    const old = this.reservations.get(id);
    if (old) {
      this.reservations.delete(id);
      this.addReserved(old.key, -old.notional, -1);
    }
    const r = order.request;
    const working = order.status === "NEW" || order.status === "PARTIALLY_FILLED";
    if (!working || r.type !== "LIMIT" || r.price === undefined || !isOpening(r.side, r.position_side)) return;
    const notional = roundQty(r.size - order.filled) * r.price;
    if (!(notional > 0)) return;
    const k = key(r.asset, r.position_side);
    this.reservations.set(id, { key: k, notional });
    this.addReserved(k, notional, 1);
  }

  /** The margin working opening limits reserve: remaining notional × (1 / leverage of its side + taker fee rate). */
  reservedMargin(): number {
    let sum = 0;
    for (const [k, t] of this.reservedBySide) {
      sum += t.notional / (this.leverages.get(k) ?? DEFAULT_LEVERAGE) + t.notional * TAKER_FEE_RATE;
    }
    return sum;
  }

  /** The wallet, equity, and the margin left after positions and working orders' reservations. */
  balance(): VenueBalance {
    let unrealized = 0;
    let locked = this.reservedMargin();
    for (const p of this.positions()) {
      unrealized += p.unrealized_pnl;
      locked += (p.size * p.avg_price) / p.leverage;
    }
    const equity = this.wallet + unrealized;
    return { asset: "USDT", balance: this.wallet, equity, available_margin: equity - locked };
  }

  private addReserved(k: string, notional: number, count: number): void {
    const t = this.reservedBySide.get(k) ?? { notional: 0, count: 0 };
    t.notional += notional;
    t.count += count;
    if (t.count === 0) this.reservedBySide.delete(k);
    else this.reservedBySide.set(k, t);
  }
}

export function isOpening(side: OrderSide, positionSide: PositionSide): boolean {
  return (side === "BUY" && positionSide === "LONG") || (side === "SELL" && positionSide === "SHORT");
}

function key(asset: string, side: PositionSide): string {
  return `${asset}|${side}`;
}
