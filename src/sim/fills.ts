/**
 * One fill of one order: books it on the account in the account's position mode, grows the
 * order's cumulative quantity, quote, average price (the VWAP of its legs) and commission,
 * records it for `GET /openApi/swap/v2/trade/allFillOrders`, and queues the ORDER_TRADE_UPDATE
 * (`l`/`L` this leg, `z`/`ap` cumulative) and ACCOUNT_UPDATE stream events. REST and stream read
 * the same order fields, so they always agree.
 *
 * The auditor-canary faults act here and nowhere else: `fill_price_skew` changes the price the
 * order, the stream and the fill history report (the account books the book's price), and
 * `fill_qty_skew` changes the quantity booked on the position (reports keep the true quantity).
 *
 * Invariants (asserted): executedQty ≤ origQty; the fill history keeps at most FILLS_MAX fills.
 * Entry points: `fillOnce`, `targetSide`, `orderEvent`-producing helpers.
 */

import { clean } from "./accounts.ts";
import { floorToStep, MAKER_FEE_RATE, TAKER_FEE_RATE } from "./contracts_catalog.ts";
import type { SimCore } from "./core.ts";
import type { StreamEvent } from "./stream.ts";
import type { SimOrder } from "./types.ts";
import { accountEvent, type ExecType, orderEvent } from "./views.ts";

export const FILLS_MAX = 50_000;

/** The position an order works on: its own side in hedge mode, the side a BUY/SELL meets in one-way. */
export function targetSide(o: Pick<SimOrder, "side" | "positionSide">): "LONG" | "SHORT" {
  if (o.positionSide !== "BOTH") return o.positionSide;
  return o.side === "BUY" ? "SHORT" : "LONG";
}

export function fillOnce(core: SimCore, o: SimOrder, qty: number, price: number, maker: boolean, batch: StreamEvent[]) {
  if (!(qty > 0 && price > 0)) throw new Error(`Invariant: fill of ${o.orderId} needs qty, price > 0`);
  const rule = core.catalog.get(o.symbol);
  const qtyDecimals = rule?.quantityPrecision ?? 8;
  const skewQty = core.faults.fill_qty_skew;
  const bookedAsk = skewQty === 0 ? qty : floorToStep(qty * (1 + skewQty), qtyDecimals);
  const booked =
    bookedAsk > 0
      ? core.account.bookFill({
          symbol: o.symbol,
          side: o.side,
          positionSide: o.positionSide,
          closing: o.closing,
          qty: bookedAsk,
          price,
          feeRate: maker ? MAKER_FEE_RATE : TAKER_FEE_RATE,
        })
      : { realised: 0, fee: 0, qty: 0 };
  const reported =
    core.faults.fill_price_skew === 0 ? price : Number((price * (1 + core.faults.fill_price_skew)).toFixed(8));
  o.executedQty = clean(o.executedQty + qty);
  o.cumQuote += qty * reported;
  o.avgPrice = o.cumQuote / o.executedQty;
  o.commission += booked.fee;
  o.profit += booked.realised;
  o.updateTime = core.now();
  if (o.executedQty > o.origQty + 1e-12) throw new Error(`Invariant: order ${o.orderId} overfilled`);
  o.status = o.executedQty >= o.origQty ? "FILLED" : "PARTIALLY_FILLED";
  record(core, o, qty, reported, booked.fee, maker);
  core.stats.trade(o.symbol, qty, price, core.now());
  batch.push(event(core, o, "TRADE", qty, reported, booked.fee));
  const positions =
    o.positionSide === "BOTH"
      ? [core.account.position(o.symbol, "LONG"), core.account.position(o.symbol, "SHORT")]
      : [core.account.position(o.symbol, o.positionSide)];
  batch.push({ payload: accountEvent(core.account, positions, core.mark(o.symbol), core.now()) });
}

export function event(
  core: SimCore,
  o: SimOrder,
  x: ExecType,
  lastQty: number,
  lastPrice: number,
  lastFee = 0,
): StreamEvent {
  return { orderId: o.orderId, payload: orderEvent(o, x, lastQty, lastPrice, lastFee, core.now()) };
}

function record(core: SimCore, o: SimOrder, qty: number, price: number, fee: number, maker: boolean): void {
  if (core.fills.length >= FILLS_MAX) core.fills.splice(0, Math.ceil(FILLS_MAX / 10));
  core.fills.push({
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    positionSide: o.positionSide,
    type: o.type,
    qty,
    price,
    commission: fee,
    maker,
    time: o.updateTime,
  });
}
