/**
 * The one simulated account: USDT wallet balance, positions per (symbol, LONG|SHORT), leverage per
 * (symbol, side), and the position mode. Fills change it through `bookFill` only, so positions,
 * realised profit and balance always follow the fills.
 *
 * Position modes (BingX "Set Position Mode", POST /openApi/swap/v1/positionSide/dual): in hedge
 * (dual-side) mode an order names the position it opens or closes (close long = SELL+LONG); in
 * one-way (single-side) mode a symbol holds one net position, a BUY first reduces a short and
 * then opens a long with the rest (a SELL the mirror), and a reduce-only order never opens.
 *
 * Invariants: positionAmt ≥ 0; avgPrice is 0 exactly when positionAmt is 0; in one-way mode at
 * most one side of a symbol has an amount; wallet changes by realised profit minus fees only.
 * Margin model (cross, simplified): used margin = Σ amt·avgPrice / leverage; equity = wallet +
 * unrealised; available = equity − used margin − the margin working orders reserve (frozen,
 * reckoned in margin.ts and passed in).
 */

import type { PositionMode, SimPosition } from "./types.ts";

export const DEFAULT_LEVERAGE = 10;
const QTY_EPSILON = 1e-12;

export interface FillResult {
  realised: number;
}

/** One fill to book: `closing` is the hedge-mode pairing, or reduce-only in one-way mode. */
export interface Booking {
  symbol: string;
  side: "BUY" | "SELL";
  positionSide: "LONG" | "SHORT" | "BOTH";
  closing: boolean;
  qty: number;
  price: number;
  feeRate: number;
}

export interface Booked {
  realised: number;
  fee: number;
  /** Quantity that moved positions (below `qty` only when a closing fill met a smaller position). */
  qty: number;
}

export class Account {
  wallet: number;
  mode: PositionMode = "hedge";
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

  /** Whether `symbol`'s leverage was ever set (either side); else both sides are DEFAULT_LEVERAGE. */
  leverageSet(symbol: string): boolean {
    return this.leverages.has(`${symbol}|LONG`) || this.leverages.has(`${symbol}|SHORT`);
  }

  setLeverage(symbol: string, side: "LONG" | "SHORT" | "BOTH", leverage: number): void {
    for (const s of side === "BOTH" ? (["LONG", "SHORT"] as const) : [side]) {
      this.leverages.set(`${symbol}|${s}`, leverage);
      const pos = this.positions.get(`${symbol}|${s}`);
      if (pos) pos.leverage = leverage;
    }
  }

  /** Books one fill in the account's mode; the fee is charged on the quantity that was booked. */
  bookFill(b: Booking): Booked {
    if (!(b.qty > 0 && b.price > 0 && b.feeRate >= 0)) throw new Error(`Invariant: bad booking ${b.qty}@${b.price}`);
    if (b.positionSide !== "BOTH") {
      const held = this.position(b.symbol, b.positionSide).positionAmt;
      const qty = b.closing ? clean(Math.min(b.qty, held)) : b.qty;
      if (qty <= QTY_EPSILON) return { realised: 0, fee: 0, qty: 0 };
      const fee = qty * b.price * b.feeRate;
      return { realised: this.applyFill(b.symbol, b.positionSide, b.closing, qty, b.price, fee).realised, fee, qty };
    }
    const opposite = b.side === "BUY" ? "SHORT" : "LONG";
    const same = b.side === "BUY" ? "LONG" : "SHORT";
    const closeQty = clean(Math.min(b.qty, this.position(b.symbol, opposite).positionAmt));
    const openQty = b.closing ? 0 : clean(b.qty - closeQty);
    let realised = 0;
    let fee = 0;
    if (closeQty > QTY_EPSILON) {
      const f = closeQty * b.price * b.feeRate;
      realised += this.applyFill(b.symbol, opposite, true, closeQty, b.price, f).realised;
      fee += f;
    }
    if (openQty > QTY_EPSILON) {
      const f = openQty * b.price * b.feeRate;
      this.applyFill(b.symbol, same, false, openQty, b.price, f);
      fee += f;
    }
    if (this.position(b.symbol, "LONG").positionAmt > 0 && this.position(b.symbol, "SHORT").positionAmt > 0)
      throw new Error(`Invariant: one-way ${b.symbol} holds both sides`);
    return { realised, fee, qty: clean(closeQty + openQty) };
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

  summary(markOf: (symbol: string) => number, frozen = 0) {
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
      available_margin: equity - used - frozen,
      used_margin: used,
      freezed_margin: frozen,
      unrealized,
      realised: this.realisedTotal,
    };
  }
}

/** Removes binary-float noise from quantities (they live on decimal steps ≥ 1e-8). */
export function clean(q: number): number {
  return Number(q.toFixed(10));
}
