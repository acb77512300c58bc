/**
 * Out-of-band changes (admin only, not BingX): what a person or another system does to the account
 * behind the kernel's back, with no order or position stream event — the hard case for live
 * reconciliation. `close_position` closes a whole position at the mark (taker fee, realized PnL
 * booked into the wallet); `liquidate` closes it alike but, as BingX's liquidation engine, pushes the
 * position's change (ACCOUNT_UPDATE, the position 0; the forced order's own event is not modelled); `cancel_order` cancels an open order by client id; `open_position` opens
 * `qty` at the mark; `set_leverage` sets the leverage of a symbol's `positionSide` to `leverage` (a
 * whole number up to the contract's maximum), its held position's too, as an operator on BingX's
 * page does (a one-way account has one leverage per symbol: both sides), and, as BingX does for any
 * leverage change, the stream pushes ACCOUNT_CONFIG_UPDATE (`SimCore.setLeverage`); `forget_order`
 * makes the venue forget an order by client id, as BingX does when it purges an order from its
 * history or its risk engine ends one and the stream event is lost: an open one ends first (nothing
 * more fills, its margin reservation is released), then query and cancel answer 80016 and no list
 * shows it, while what it filled stays booked (position, wallet, fill history) and its id stays
 * taken. `hide_order` and `land_order` model a venue whose order service lags its acceptance: an open
 * order hidden (by client id) stays accepted, its margin reserved and its id taken, but query and cancel
 * answer 80016 and no list shows it, and nothing fills it (a PENDING hold does not end), so a client takes
 * it for gone; `land_order` shows it again and the engine takes it now (`landOrder`: a held one runs, a
 * resting one fills what it may at its own price, at most `qty` when given: a partial fill, the rest resting on),
 * its stream events published as for any fill: the order the client took as ended lands late. Each answers a
 * sentence on bad input and changes nothing then.
 *
 * Entry point: `outOfBand(core, body)`.
 */

import { clean } from "./accounts.ts";
import { floorToStep, TAKER_FEE_RATE } from "./contracts_catalog.ts";
import type { SimCore } from "./core.ts";
import { cancelOpenOrder, isOpen, landOrder } from "./matching.ts";
import type { SimOrder } from "./types.ts";
import { accountEvent } from "./views.ts";

type Side = "LONG" | "SHORT";
type Answer = { ok: true; done: string } | { ok: false; error: string };

export function outOfBand(core: SimCore, body: unknown): Answer {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  switch (b.action) {
    case "close_position": {
      const where = symbolSide(core, b);
      if (typeof where === "string") return { ok: false, error: where };
      const held = core.account.position(where.symbol, where.side).positionAmt;
      if (!(held > 0)) return { ok: false, error: `no ${where.side} position on ${where.symbol}` };
      book(core, where.symbol, where.side, true, held);
      return { ok: true, done: `closed ${held} ${where.symbol} ${where.side} at ${core.mark(where.symbol)}` };
    }
    case "liquidate": {
      // As the venue's liquidation engine closes a position: the change is pushed (ACCOUNT_UPDATE, the position
      // now 0), the forced order's own ORDER_TRADE_UPDATE (no client id of the client's) is not modelled.
      const where = symbolSide(core, b);
      if (typeof where === "string") return { ok: false, error: where };
      const held = core.account.position(where.symbol, where.side).positionAmt;
      if (!(held > 0)) return { ok: false, error: `no ${where.side} position on ${where.symbol}` };
      book(core, where.symbol, where.side, true, held);
      const after = core.account.position(where.symbol, where.side);
      const pushed = accountEvent(core.account, [after], core.mark(where.symbol), core.now());
      core.stream.publish([{ payload: pushed }], core.faults);
      return { ok: true, done: `liquidated ${held} ${where.symbol} ${where.side} at ${core.mark(where.symbol)}` };
    }
    case "open_position": {
      const where = symbolSide(core, b);
      if (typeof where === "string") return { ok: false, error: where };
      const qty = b.qty;
      if (typeof qty !== "number" || !(qty > 0) || qty > 1e9)
        return { ok: false, error: "qty must be a positive number" };
      book(core, where.symbol, where.side, false, qty);
      return { ok: true, done: `opened ${qty} ${where.symbol} ${where.side} at ${core.mark(where.symbol)}` };
    }
    case "cancel_order": {
      const o = orderOf(core, b.clientOrderId);
      if (o === undefined || !isOpen(o))
        return { ok: false, error: `no open order with clientOrderId ${String(b.clientOrderId)}` };
      cancelOpenOrder(core, o, []); // the stream batch is dropped: nobody is told
      return { ok: true, done: `cancelled ${o.clientOrderId}` };
    }
    case "forget_order": {
      const o = orderOf(core, b.clientOrderId);
      if (o === undefined) return { ok: false, error: `no order with clientOrderId ${String(b.clientOrderId)}` };
      const was = o.status;
      if (isOpen(o)) cancelOpenOrder(core, o, []); // ended first, nobody told: its reservation is released
      core.orders.delete(o.orderId);
      core.pending.delete(o.orderId);
      return { ok: true, done: `forgot ${o.clientOrderId} (${was}, ${o.executedQty} filled)` };
    }
    case "hide_order": {
      const o = orderOf(core, b.clientOrderId);
      if (o === undefined || !isOpen(o) || o.hidden === true)
        return { ok: false, error: `no open order with clientOrderId ${String(b.clientOrderId)} to hide` };
      o.hidden = true;
      return { ok: true, done: `hid ${o.clientOrderId} (${o.status}, ${o.executedQty} filled)` };
    }
    case "land_order": {
      const o = orderOf(core, b.clientOrderId);
      if (o === undefined || o.hidden !== true || !isOpen(o))
        return { ok: false, error: `no hidden open order with clientOrderId ${String(b.clientOrderId)}` };
      const qty = landingQty(core, o, b.qty);
      if (typeof qty === "string") return { ok: false, error: qty };
      landOrder(core, o, qty);
      return { ok: true, done: `landed ${o.clientOrderId} (${o.status}, ${o.executedQty} filled)` };
    }
    case "set_leverage":
      return setLeverage(core, b);
    default:
      return {
        ok: false,
        error:
          "action must be close_position, liquidate, open_position, cancel_order, forget_order, hide_order, land_order or set_leverage",
      };
  }
}

/**
 * How much of hidden order `o` a landing may fill: all it still may (`qty` absent), or at most `qty`: a positive
 * multiple of its contract's step, at most what is left of it; only a resting order (a held PENDING one runs whole).
 */
function landingQty(core: SimCore, o: SimOrder, qty: unknown): number | string {
  if (qty === undefined) return Number.POSITIVE_INFINITY;
  if (o.status === "PENDING")
    return `qty applies to a resting order: ${o.clientOrderId} is held PENDING and lands whole`;
  const decimals = core.catalog.get(o.symbol)?.quantityPrecision ?? 8;
  const left = clean(o.origQty - o.executedQty);
  if (typeof qty !== "number" || !(qty > 0) || qty > left || floorToStep(qty, decimals) !== qty)
    return `qty must be a positive multiple of 1e-${decimals}, at most the ${left} left of ${o.clientOrderId}`;
  return qty;
}

/** The order holding client id `id` (case-insensitive, as BingX keeps it lower-cased); undefined for none or a non-string. */
function orderOf(core: SimCore, id: unknown): SimOrder | undefined {
  if (typeof id !== "string" || id.length === 0 || id.length > 64) return undefined;
  const lower = id.toLowerCase();
  return [...core.orders.values()].find((x) => x.clientOrderId.toLowerCase() === lower);
}

function setLeverage(core: SimCore, b: Record<string, unknown>): Answer {
  const where = symbolSide(core, b);
  if (typeof where === "string") return { ok: false, error: where };
  const { symbol, side } = where;
  const max = core.catalog.get(symbol)!.maxLeverage;
  const lev = b.leverage;
  if (typeof lev !== "number" || !Number.isInteger(lev) || lev < 1 || lev > max)
    return { ok: false, error: `leverage must be a whole number in 1..${max} for ${symbol}` };
  core.setLeverage(symbol, core.account.mode === "oneway" ? "BOTH" : side, lev); // pushed, as a change on BingX's page is
  return { ok: true, done: `set ${symbol} ${side} leverage to ${lev}` };
}

function symbolSide(core: SimCore, b: Record<string, unknown>): { symbol: string; side: Side } | string {
  if (typeof b.symbol !== "string" || !core.catalog.has(b.symbol)) return "unknown symbol";
  if (b.positionSide !== "LONG" && b.positionSide !== "SHORT") return "positionSide must be LONG or SHORT";
  return { symbol: b.symbol, side: b.positionSide };
}

function book(core: SimCore, symbol: string, side: Side, closing: boolean, qty: number): void {
  const buy = (side === "LONG") !== closing;
  core.account.bookFill({
    symbol,
    side: buy ? "BUY" : "SELL",
    positionSide: side,
    closing,
    qty,
    price: core.mark(symbol),
    feeRate: TAKER_FEE_RATE,
  });
}
