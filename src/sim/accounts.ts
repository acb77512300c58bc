/**
 * The one simulated account: USDT wallet balance, hedge-mode positions per (symbol, LONG|SHORT),
 * leverage per (symbol, side). Fills change it through `applyFill` only, so positions, realised
 * profit and balance always follow the fills.
 *
 * Invariants: positionAmt ≥ 0; avgPrice is 0 exactly when positionAmt is 0; wallet changes by
 * realised profit minus fees and nothing else.
 * Margin model (cross, simplified): used margin = Σ amt·avgPrice / leverage; equity = wallet +
 * unrealised; available = equity − used margin.
 */

import type { SimPosition } from "./types.ts";

export const DEFAULT_LEVERAGE = 10;
const QTY_EPSILON = 1e-12;

export interface FillResult {
  realised: number;
}

export class Account {
  wallet: number;
  realisedTotal = 0;
  private readonly positions = new Map<string, SimPosition>();
  private readonly leverages = new Map<string, number>();

  constructor(initial: number) {
    if (!(initial >= 0 && Number.isFinite(initial)))
      throw new Error(`Condition failed: balance must be ≥ 0, got ${initial}`);
    this.wallet = initial;
  }

  leverage(symbol: string, side: "LONG" | "SHORT"): number {
    return this.leverages.get(`${symbol}|${side}`) ?? DEFAULT_LEVERAGE;
  }

  setLeverage(symbol: string, side: "LONG" | "SHORT", leverage: number): void {
    this.leverages.set(`${symbol}|${side}`, leverage);
    const pos = this.positions.get(`${symbol}|${side}`);
    if (pos) pos.leverage = leverage;
  }

  position(symbol: string, side: "LONG" | "SHORT"): SimPosition {
    const key = `${symbol}|${side}`;
    let pos = this.positions.get(key);
    if (!pos) {
      pos = {
        symbol,
        positionSide: side,
        positionAmt: 0,
        avgPrice: 0,
        realisedProfit: 0,
        leverage: this.leverage(symbol, side),
      };
      this.positions.set(key, pos);
    }
    return pos;
  }

  /** Open positions only (amount > 0), in a stable order. */
  openPositions(symbol?: string): SimPosition[] {
    return [...this.positions.values()]
      .filter((p) => p.positionAmt > QTY_EPSILON && (symbol === undefined || p.symbol === symbol))
      .sort((a, b) => (a.symbol + a.positionSide < b.symbol + b.positionSide ? -1 : 1));
  }

  /** Applies one fill; `closing` means SELL+LONG or BUY+SHORT. Fee is positive (a cost). */
  applyFill(
    symbol: string,
    side: "LONG" | "SHORT",
    closing: boolean,
    qty: number,
    price: number,
    fee: number,
  ): FillResult {
    if (!(qty > 0 && price > 0 && fee >= 0))
      throw new Error(`Invariant: applyFill needs qty, price > 0, got ${qty}@${price}`);
    const pos = this.position(symbol, side);
    let realised = 0;
    if (closing) {
      if (qty > pos.positionAmt + QTY_EPSILON)
        throw new Error(`Invariant: closing ${qty} exceeds position ${pos.positionAmt}`);
      realised = (side === "LONG" ? price - pos.avgPrice : pos.avgPrice - price) * qty;
      pos.positionAmt = clean(pos.positionAmt - qty);
      if (pos.positionAmt <= QTY_EPSILON) {
        pos.positionAmt = 0;
        pos.avgPrice = 0;
      }
    } else {
      const amt = pos.positionAmt + qty;
      pos.avgPrice = (pos.positionAmt * pos.avgPrice + qty * price) / amt;
      pos.positionAmt = clean(amt);
    }
    pos.realisedProfit += realised - fee;
    this.realisedTotal += realised;
    this.wallet += realised - fee;
    return { realised };
  }

  unrealised(pos: SimPosition, mark: number): number {
    return (pos.positionSide === "LONG" ? mark - pos.avgPrice : pos.avgPrice - mark) * pos.positionAmt;
  }

  summary(markOf: (symbol: string) => number) {
    let unrealized = 0;
    let used = 0;
    for (const pos of this.openPositions()) {
      unrealized += this.unrealised(pos, markOf(pos.symbol));
      used += (pos.positionAmt * pos.avgPrice) / pos.leverage;
    }
    const equity = this.wallet + unrealized;
    return {
      wallet: this.wallet,
      equity,
      available_margin: equity - used,
      used_margin: used,
      unrealized,
      realised: this.realisedTotal,
    };
  }
}

/** Removes binary-float noise from quantities (they live on decimal steps ≥ 1e-8). */
export function clean(q: number): number {
  return Number(q.toFixed(10));
}
