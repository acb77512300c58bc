/**
 * The numbers behind GET /openApi/swap/v2/quote/ticker ("24hr Ticker Price Change Statistics"):
 * per symbol, the open, high and low of the mark and the traded volume of the account's own fills
 * (the only trades the sim knows) in the current 24 h window of the sim clock. BingX's window is
 * rolling; the sim's restarts every 24 h from the sim's start, which keeps the state bounded.
 *
 * Entry points: `TickerStats.price`, `trade`, `of`.
 */

export const WINDOW_MS = 86_400_000;

export interface SymbolStats {
  openTime: number;
  openPrice: number;
  high: number;
  low: number;
  volume: number;
  quoteVolume: number;
  lastQty: number;
  closeTime: number;
}

export class TickerStats {
  private readonly bySymbol = new Map<string, SymbolStats>();

  constructor(
    prices: Map<string, number>,
    private readonly startMs: number,
  ) {
    for (const [symbol, price] of prices) this.bySymbol.set(symbol, fresh(price, startMs));
  }

  /** The mark moved. */
  price(symbol: string, price: number, nowMs: number): void {
    const s = this.current(symbol, price, nowMs);
    s.high = Math.max(s.high, price);
    s.low = Math.min(s.low, price);
    s.closeTime = nowMs;
  }

  /** One of the account's fills traded `qty` at `price`. */
  trade(symbol: string, qty: number, price: number, nowMs: number): void {
    const s = this.current(symbol, price, nowMs);
    s.volume += qty;
    s.quoteVolume += qty * price;
    s.lastQty = qty;
    s.closeTime = nowMs;
  }

  of(symbol: string, mark: number, nowMs: number): SymbolStats {
    return { ...this.current(symbol, mark, nowMs) };
  }

  private current(symbol: string, price: number, nowMs: number): SymbolStats {
    const windowStart = this.startMs + Math.floor(Math.max(0, nowMs - this.startMs) / WINDOW_MS) * WINDOW_MS;
    let s = this.bySymbol.get(symbol);
    if (!s) throw new Error(`Invariant: no ticker statistics for listed symbol ${symbol}`);
    if (s.openTime < windowStart) {
      s = fresh(price, windowStart);
      this.bySymbol.set(symbol, s);
    }
    return s;
  }
}

function fresh(price: number, atMs: number): SymbolStats {
  return {
    openTime: atMs,
    openPrice: price,
    high: price,
    low: price,
    volume: 0,
    quoteVolume: 0,
    lastQty: 0,
    closeTime: atMs,
  };
}
