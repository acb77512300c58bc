/**
 * The mock venue's account: hedge-mode positions per (asset, side) and the USDT wallet. Fills
 * move positions and the wallet exactly as a linear USDT-margined perpetual does: opening adds
 * at a size-weighted average price, closing realizes (price − entry) × size for longs (the
 * reverse for shorts), and every fill pays its fee from the wallet. Reconciliation reads this
 * as the venue's truth.
 *
 * Invariant: a position's size is never negative; a closed position is removed.
 */

import type { OrderSide, PositionSide, VenueBalance, VenuePosition } from "../../contracts/venue.ts";
import { roundQty } from "../event_id.ts";

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

  balance(): VenueBalance {
    let unrealized = 0;
    let used = 0;
    for (const p of this.positions()) {
      unrealized += p.unrealized_pnl;
      used += (p.size * p.avg_price) / p.leverage;
    }
    const equity = this.wallet + unrealized;
    return { asset: "USDT", balance: this.wallet, equity, available_margin: equity - used };
  }
}

export function isOpening(side: OrderSide, positionSide: PositionSide): boolean {
  return (side === "BUY" && positionSide === "LONG") || (side === "SELL" && positionSide === "SHORT");
}

function key(asset: string, side: PositionSide): string {
  return `${asset}|${side}`;
}
