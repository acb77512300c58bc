/**
 * Readers for BingX REST answers (the `data` of the envelope). Each returns a normalized value or
 * `undefined` when it cannot read it exactly; nothing here throws on venue input. The truth reads'
 * lists (positions, open orders) are whole or not at all: one entry unreadable, or no list, and
 * the reader answers why (a string) instead of a partial or empty book.
 *
 * Contracts: a `status` other than 1 marks the contract not trading (`ListedContractRules`).
 *
 * Order types: BingX's stop, take-profit, trigger and trailing types read as the MARKET or LIMIT
 * they execute as (`EXECUTES_AS`), so a conditional order set by hand does not make open orders
 * unreadable; any other type leaves the order unreadable.
 *
 * Statuses: PENDING reads as NEW and CANCELLED as CANCELED; fees arrive signed (BingX reports a
 * paid commission as a negative number) and are returned as a positive cost. An order with a
 * negative quantity or price, or a commission above `FEE_RATE_MAX` (1%) of its filled notional
 * (any commission with nothing filled), is unreadable.
 *
 * Average price: `cumQuote` / `executedQty` (the double nearest the exact quotient) when the answer
 * holds a `cumQuote` that agrees with `avgPrice` within the unit of `avgPrice`'s last written
 * decimal (its rounding: a `cumQuote` further off is not this order's quote), else `avgPrice`, which
 * the venue may round (bingx-sim writes it to 10 decimals, the stream's `ap` to 8).
 *
 * One-way mode: an order's `positionSide` is BOTH; the position it works on follows from its side
 * and `reduceOnly` (an opening BUY or a reduce-only BUY that closes a short). A position reads its
 * side from `positionSide` when that is LONG/SHORT (BingX reports the direction, with a positive
 * amount) and from the sign of `positionAmt` when it is BOTH.
 *
 * Entry points: `parseOrder`, `parsePlacedOrderId`, `parsePositions`, `parseBalance`,
 * `parseContracts`, `parseMarkPrice`, `parseListenKey`, `parsePositionMode`, `normalizeStatus`.
 */

import type {
  OrderSide,
  OrderType,
  PositionSide,
  VenueBalance,
  VenueOrderState,
  VenuePosition,
} from "../../contracts/venue.ts";
import { agreesWithin, averageOf, decimalUnits, QUOTE_DECIMALS } from "./_average_price.ts";
import { feeBelievable, idText, isRecord, num, numOrZero, text, writtenUnit } from "./_values.ts";
import type { ListedContractRules } from "./contract_rules.ts";

const STATUSES = ["NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED"] as const;

export function normalizeStatus(s: unknown): VenueOrderState["status"] | undefined {
  if (typeof s !== "string") return undefined;
  const up = s.toUpperCase();
  if (up === "PENDING") return "NEW";
  if (up === "CANCELLED") return "CANCELED";
  return (STATUSES as readonly string[]).includes(up) ? (up as VenueOrderState["status"]) : undefined;
}

/**
 * BingX's order types (its order pages: "LIMIT: Limit Order / MARKET: Market Order / STOP_MARKET:
 * Stop Market Order / …") by what they execute as once triggered. The adapter places MARKET and
 * LIMIT only, but open orders list every type the account holds (a stop-loss or take-profit set on
 * BingX's page): read as the MARKET or LIMIT they become, so one such order does not fail the
 * whole open-orders read (live reconciliation reports it as an ORPHAN_ORDER, never cancels it).
 * BingX accepts a client order id on LIMIT/MARKET only, so none of the others is ever the kernel's.
 * A type not listed here leaves the order unreadable.
 */
const EXECUTES_AS: ReadonlyMap<string, OrderType> = new Map(
  Object.entries({
    MARKET: "MARKET",
    LIMIT: "LIMIT",
    STOP_MARKET: "MARKET",
    TAKE_PROFIT_MARKET: "MARKET",
    TRIGGER_MARKET: "MARKET",
    TRIGGER_REVERSE_MARKET: "MARKET",
    TRAILING_STOP_MARKET: "MARKET",
    TRAILING_TP_SL: "MARKET",
    STOP: "LIMIT",
    TAKE_PROFIT: "LIMIT",
    TRIGGER_LIMIT: "LIMIT",
  } as const),
); // a Map: a hostile `type` such as "constructor" finds nothing

function unwrapOrder(data: unknown): Record<string, unknown> | undefined {
  if (!isRecord(data)) return undefined;
  return isRecord(data.order) ? data.order : data;
}

export function parsePlacedOrderId(data: unknown): string | undefined {
  const o = unwrapOrder(data);
  return o ? (idText(o.orderId) ?? idText(o.orderID)) : undefined;
}

export function parseOrder(data: unknown): VenueOrderState | undefined {
  const o = unwrapOrder(data);
  if (!o) return undefined;
  const id = idText(o.orderId);
  const status = normalizeStatus(o.status);
  const side = o.side === "BUY" || o.side === "SELL" ? (o.side as OrderSide) : undefined;
  const ps = orderPositionSide(o.positionSide, side, o.reduceOnly);
  const type = typeof o.type === "string" ? EXECUTES_AS.get(o.type) : undefined;
  const size = num(o.origQty);
  const filled = numOrZero(o.executedQty);
  const avg = numOrZero(o.avgPrice);
  const fee = numOrZero(o.commission);
  const updated = num(o.updateTime ?? o.time) ?? 0;
  const created = createdMs(o);
  const asset = text(o.symbol, 40);
  const cid = text(o.clientOrderID ?? o.clientOrderId, 40) ?? "";
  if (
    !id ||
    !status ||
    !side ||
    !ps ||
    !type ||
    !asset ||
    size === undefined ||
    size < 0 ||
    filled === undefined ||
    filled < 0 ||
    avg === undefined ||
    avg < 0 ||
    fee === undefined ||
    !feeBelievable(fee, filled * avg)
  ) {
    return undefined;
  }
  return {
    venue_order_id: id,
    client_order_id: cid,
    asset,
    side,
    position_side: ps,
    type,
    status,
    size,
    filled_size_cumulative: filled,
    avg_price: averagePrice(o, filled, avg),
    fee_cumulative: Math.abs(fee),
    updated_ms: updated,
    ...(created === undefined ? {} : { created_ms: created }),
  };
}

/**
 * cumQuote / executedQty when `cumQuote` is the finer of the two (its written unit over the filled size below
 * avgPrice's written unit: a cumQuote rounded to cents, 195.00 for 0.003 at 65000.1, cannot correct avgPrice) and
 * agrees with `avgPrice` (> 0) within both roundings; else avgPrice.
 */
function averagePrice(o: Record<string, unknown>, filled: number, avg: number): number {
  const quote = num(o.cumQuote);
  if (quote === undefined || !(quote > 0) || !(filled > 0) || !(avg > 0)) return avg;
  const [avgUnit, quoteUnit] = [writtenUnit(o.avgPrice), writtenUnit(o.cumQuote) / filled];
  if (!(quoteUnit < avgUnit)) return avg;
  const exact = averageOf(decimalUnits(typeof o.cumQuote === "string" ? o.cumQuote : quote, QUOTE_DECIMALS), filled);
  return exact > 0 && agreesWithin(avg, exact, avgUnit + quoteUnit) ? exact : avg;
}

/** When the venue created an order (its `time`, venue ms), or undefined when the answer has none readable. */
function createdMs(o: Record<string, unknown>): number | undefined {
  const t = num(o.time);
  return t !== undefined && t > 0 ? t : undefined;
}

/** The position an order works on; BOTH (one-way) derives it from the side and reduce-only flag. */
function orderPositionSide(ps: unknown, side: OrderSide | undefined, reduceOnly: unknown): PositionSide | undefined {
  if (ps === "LONG" || ps === "SHORT") return ps;
  if (ps !== "BOTH" || side === undefined) return undefined;
  const reducing = reduceOnly === true || reduceOnly === "true";
  return (side === "BUY") !== reducing ? "LONG" : "SHORT";
}

/** `dualSidePosition` of GET /openApi/swap/v1/positionSide/dual: "true" hedge, "false" one-way. */
export function parsePositionMode(data: unknown): "hedge" | "oneway" | undefined {
  if (!isRecord(data)) return undefined;
  const v = data.dualSidePosition;
  if (v === "true" || v === true) return "hedge";
  if (v === "false" || v === false) return "oneway";
  return undefined;
}

/** The most entries a truth read's list may hold. */
const LIST_MAX = 10_000;

/** Why `list` is no readable list of at most LIST_MAX entries, or null. */
function notAList(what: string, list: unknown): string | null {
  if (!Array.isArray(list)) return `${what}: the answer holds no list`;
  return list.length > LIST_MAX ? `${what}: ${list.length} entries, more than ${LIST_MAX}` : null;
}

/** GET openOrders' `data.orders` (or a bare list): every order, or why the answer is not that whole list. */
export function parseOrderList(data: unknown): VenueOrderState[] | string {
  const list = isRecord(data) ? data.orders : data;
  const bad = notAList("open orders", list);
  if (bad !== null) return bad;
  const orders = (list as unknown[]).map(parseOrder);
  const unreadable = orders.filter((o) => o === undefined).length;
  return unreadable > 0
    ? `open orders: ${unreadable} of ${orders.length} entries unreadable`
    : (orders as VenueOrderState[]);
}

/** GET positions' `data`: every open position, or why the answer is not that whole list. */
export function parsePositions(data: unknown): VenuePosition[] | string {
  const bad = notAList("positions", data);
  if (bad !== null) return bad;
  const list = data as unknown[];
  const positions: VenuePosition[] = [];
  let unreadable = 0;
  for (const p of list) {
    if (!isRecord(p)) {
      unreadable++;
      continue;
    }
    const asset = text(p.symbol, 40);
    const amt = num(p.positionAmt);
    const side =
      p.positionSide === "LONG" || p.positionSide === "SHORT"
        ? (p.positionSide as PositionSide)
        : p.positionSide === "BOTH" && amt !== undefined
          ? amt < 0
            ? "SHORT"
            : "LONG"
          : undefined;
    const avg = numOrZero(p.avgPrice);
    const upnl = numOrZero(p.unrealizedProfit);
    const lev = num(p.leverage) ?? 1;
    if (!asset || !side || amt === undefined || avg === undefined || upnl === undefined) {
      unreadable++;
      continue;
    }
    if (amt === 0) continue;
    positions.push({ asset, side, size: Math.abs(amt), avg_price: avg, unrealized_pnl: upnl, leverage: lev });
  }
  return unreadable > 0 ? `positions: ${unreadable} of ${list.length} entries unreadable` : positions;
}

export function parseBalance(data: unknown): VenueBalance | undefined {
  const raw = isRecord(data) && data.balance !== undefined ? data.balance : data;
  const entry = Array.isArray(raw) ? raw.find((b) => isRecord(b) && b.asset === "USDT") : raw;
  if (!isRecord(entry)) return undefined;
  const balance = num(entry.balance);
  const equity = num(entry.equity);
  const available = num(entry.availableMargin);
  if (balance === undefined || equity === undefined || available === undefined) return undefined;
  return { asset: text(entry.asset, 20) ?? "USDT", balance, equity, available_margin: available };
}

/** The most contracts one list is read for (BingX lists some hundreds): past it the list is not taken as whole. */
export const CONTRACTS_MAX = 5000;

/**
 * GET contracts' `data`: each readable contract's rules (of the first CONTRACTS_MAX). A `status` other than 1 (BingX: 0 offline,
 * 5 pre-online, 25 closed to opening) marks it `not_trading`; no status at all reads as trading.
 */
export function parseContracts(data: unknown): Map<string, ListedContractRules> {
  const out = new Map<string, ListedContractRules>();
  for (const c of (Array.isArray(data) ? data : []).slice(0, CONTRACTS_MAX)) {
    if (!isRecord(c)) continue;
    const asset = text(c.symbol, 40);
    const qp = num(c.quantityPrecision);
    const pp = num(c.pricePrecision);
    if (!asset || qp === undefined || pp === undefined || qp < 0 || qp > 12 || pp < 0 || pp > 12) continue;
    const step = 10 ** -qp;
    const rules: ListedContractRules = {
      asset,
      quantity_step: step,
      price_step: 10 ** -pp,
      min_quantity: num(c.tradeMinQuantity) ?? step,
      min_notional: num(c.tradeMinUSDT) ?? 0,
      max_leverage: Math.min(maxLeverage(c.maxLongLeverage), maxLeverage(c.maxShortLeverage)),
    };
    const status = num(c.status);
    if (c.status !== undefined && c.status !== null && status !== 1)
      rules.not_trading = `contract status ${status ?? JSON.stringify(c.status).slice(0, 24)}`;
    out.set(asset, rules);
  }
  return out;
}

/** A side's maximum leverage, whole; one that is not a number of at least 1 is no limit (125, BingX's highest). */
function maxLeverage(v: unknown): number {
  const n = num(v);
  return n !== undefined && n >= 1 ? Math.min(Math.floor(n), 125) : 125;
}

export function parseMarkPrice(data: unknown, symbol: string): number | undefined {
  const entry = Array.isArray(data) ? data.find((d) => isRecord(d) && d.symbol === symbol) : data;
  if (!isRecord(entry)) return undefined;
  const mark = num(entry.markPrice);
  return mark !== undefined && mark > 0 ? mark : undefined;
}

export function parseListenKey(data: unknown): string | undefined {
  if (!isRecord(data)) return undefined;
  const key = data.listenKey ?? (isRecord(data.data) ? data.data.listenKey : undefined);
  return typeof key === "string" && /^[A-Za-z0-9_-]{8,128}$/.test(key) ? key : undefined;
}
