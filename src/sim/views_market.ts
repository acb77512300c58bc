/**
 * BingX JSON shapes for the market-data, fill-history and wallet answers:
 * - `depthJson` (GET /openApi/swap/v2/quote/depth): `T`, `bids` best first, `asks` listed from
 *   the deepest shown level down to the best ask, as the live answer recorded in ccxt's bingx
 *   source shows; `bidsCoin`/`asksCoin` repeat the levels in coin. The sim's contract size is one
 *   coin (ccxt reads linear contracts so), so both quantities are the same number.
 * - `tickerJson` (GET /openApi/swap/v2/quote/ticker): the "24hr Ticker Price Change
 *   Statistics" fields; `lastPrice` is the mark, bid/ask come from the book.
 * - `fillJson` (GET /openApi/swap/v2/trade/allFillOrders, inside `data.fill_orders` as ccxt
 *   reads it): quantity `volume`, `price`, `amount` = volume × price, commission negative (a
 *   cost), `filledTm` in UTC and `filledTime` in UTC+8 as BingX prints them.
 * - `capitalCoinJson` (GET /openApi/wallets/v1/capital/config/getall): one coin with one network;
 *   the sim takes no deposits or withdrawals, so both are disabled.
 */

import type { Level } from "./book.ts";
import type { SymbolStats } from "./ticker_stats.ts";
import type { SimFill } from "./types.ts";

const text = (v: number) => String(Number(v.toFixed(10)));
const UTC8_MS = 8 * 3_600_000;

export function depthJson(bids: Level[], asks: Level[], limit: number, nowMs: number) {
  const pairs = (levels: Level[]) => levels.map((l) => [text(l.price), text(l.qty)]);
  const shownBids = bids.filter((l) => l.qty > 0).slice(0, limit);
  const shownAsks = asks
    .filter((l) => l.qty > 0)
    .slice(0, limit)
    .reverse();
  return {
    T: nowMs,
    bids: pairs(shownBids),
    asks: pairs(shownAsks),
    bidsCoin: pairs(shownBids),
    asksCoin: pairs(shownAsks),
  };
}

export function tickerJson(symbol: string, mark: number, s: SymbolStats, best: { bid: Level; ask: Level }) {
  const change = mark - s.openPrice;
  return {
    symbol,
    priceChange: text(change),
    priceChangePercent: ((change / s.openPrice) * 100).toFixed(2),
    lastPrice: text(mark),
    lastQty: text(s.lastQty),
    highPrice: text(s.high),
    lowPrice: text(s.low),
    volume: text(s.volume),
    quoteVolume: text(s.quoteVolume),
    openPrice: text(s.openPrice),
    openTime: s.openTime,
    closeTime: s.closeTime,
    bidPrice: best.bid.price,
    bidQty: best.bid.qty,
    askPrice: best.ask.price,
    askQty: best.ask.qty,
  };
}

export function fillJson(f: SimFill) {
  return {
    filledTm: `${new Date(f.time).toISOString().slice(0, 19)}Z`,
    symbol: f.symbol,
    volume: text(f.qty),
    price: text(f.price),
    amount: (f.qty * f.price).toFixed(4),
    commission: (-f.commission).toFixed(6),
    currency: "USDT",
    orderId: f.orderId,
    liquidatedPrice: "0.00",
    liquidatedMarginRatio: "0.00",
    workingType: "MARK_PRICE",
    filledTime: `${new Date(f.time + UTC8_MS).toISOString().slice(0, 23)}+0800`,
    side: f.side,
    type: f.type,
    positionSide: f.positionSide,
    clientOrderID: f.clientOrderId,
    onlyOnePosition: f.positionSide === "BOTH",
  };
}

export function capitalCoinJson(coin: string) {
  return {
    coin,
    name: coin,
    networkList: [
      {
        name: coin,
        network: coin === "USDT" ? "ERC20" : coin,
        isDefault: true,
        minConfirm: "1",
        withdrawEnable: false,
        depositEnable: false,
        withdrawFee: "0",
        withdrawMax: "0",
        withdrawMin: "0",
        depositMin: "0",
        withdrawPrecision: "8",
        depositPrecision: "8",
        contractAddress: "",
        needTagOrMemo: "false",
        displayName: coin,
      },
    ],
  };
}
