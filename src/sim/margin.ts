/**
 * Margin held by working orders, as BingX reserves it from acceptance: a working opening LIMIT (NEW,
 * PARTIALLY_FILLED or PENDING) holds the quantity it still has to open × its price / the leverage of
 * the side it opens, plus the taker fee on it; a MARKET held PENDING by the `pending_ms` fault holds
 * the same at the mark it was accepted at (`acceptedMark`, the price its margin check used). The
 * balance shows the sum as `freezedMargin`, out of `availableMargin`; a new opening order must fit
 * what is left (order_rules.ts, 101204). A fill moves the filled share into position margin
 * (`usedMargin`); a cancel, expiry or rejection releases it (the order is no longer open).
 * Closing and reduce-only orders reserve nothing; a MARKET the engine takes at once reserves nothing.
 *
 * One-way mode: the part of an order that would first reduce the opposite position (as far as
 * working reduce-only orders leave it) opens nothing and reserves nothing; each working order is
 * reckoned alone against that position, as a new order is (a simplification: BingX does not say).
 *
 * Entry points: `openingQty`, `marginFor`, `frozenMargin`, `accountSummary`.
 */

import { clean } from "./accounts.ts";
import { TAKER_FEE_RATE } from "./contracts_catalog.ts";
import type { SimCore } from "./core.ts";
import { targetSide } from "./fills.ts";
import { closableQty, isOpen } from "./matching.ts";
import type { SimOrder } from "./types.ts";

type Opening = Pick<SimOrder, "symbol" | "side" | "positionSide">;

/** The part of `qty` that opens: all of it in hedge mode; in one-way mode what is left after the opposite position. */
export function openingQty(core: SimCore, o: Opening, qty: number, closable = closableQty): number {
  if (o.positionSide !== "BOTH") return qty;
  return clean(Math.max(0, qty - Math.max(0, closable(core, o.symbol, targetSide(o)))));
}

/** Margin plus taker fee for opening `qty` at `price` on the side a BUY/SELL opens. */
export function marginFor(core: SimCore, o: Opening, qty: number, price: number): number {
  const leverage = core.account.leverage(o.symbol, o.side === "BUY" ? "LONG" : "SHORT");
  return (qty * price) / leverage + qty * price * TAKER_FEE_RATE;
}

/** The price an order's reservation is reckoned at: a LIMIT's own, a held MARKET's accepted mark; null: none. */
function reservedAt(o: SimOrder): number | null {
  if (o.closing || !isOpen(o)) return null;
  if (o.type === "LIMIT") return o.price;
  return o.status === "PENDING" && o.acceptedMark !== undefined ? o.acceptedMark : null;
}

/** What the working opening orders reserve (USDT): resting or held LIMITs, held MARKETs. */
export function frozenMargin(core: SimCore): number {
  const closable = new Map<string, number>();
  const cachedClosable = (c: SimCore, symbol: string, side: "LONG" | "SHORT") => {
    const key = `${symbol}|${side}`;
    const known = closable.get(key);
    if (known !== undefined) return known;
    const v = closableQty(c, symbol, side);
    closable.set(key, v);
    return v;
  };
  let frozen = 0;
  for (const o of core.orders.values()) {
    const price = reservedAt(o);
    if (price === null) continue;
    const opens = openingQty(core, o, clean(o.origQty - o.executedQty), cachedClosable);
    if (opens > 0) frozen += marginFor(core, o, opens, price);
  }
  return frozen;
}

/** The account's summary with working orders' reservations out of the available margin. */
export function accountSummary(core: SimCore) {
  return core.account.summary((s) => core.mark(s), frozenMargin(core));
}
