/**
 * Why the mock venue refuses a request, in BingX terms (code + message), decided from the knobs
 * and the order book. Counted knobs are consumed here, so one refusal uses one count.
 *
 * The contract rules are the BingX adapter's own (`ruleCheck`): a close of the whole position
 * (`closes_position`) skips the minimum quantity and notional there too; a LIMIT needs a price.
 *
 * As BingX (and bingx-sim): a close is held to the position less what the working closes of that
 * position still reserve (101400); a reduce-only order whose sides open a position is refused
 * (101400), never opened; a client order id (lower-cased, as BingX keeps them) names one order:
 * the same order sent again answers its placement, any other order under that id is refused (80014).
 * An opening order needs its initial margin plus the taker fee within the available margin, net of
 * what working opening orders reserve (101204).
 *
 * A rate-limit refusal whose retry hint is longer than the BingX adapter's throttle waits holds
 * every placement until the hint has passed (`RateHold`), as that throttle does.
 *
 * Entry points: `placeRefusal`, `RateHold`, `transportFailure`, `cancelRefusal`, `ruleCheck`, `closeRefusal`,
 * `marginRefusal`, `clientIdRefusal`, `Refusal`.
 */

import type { ContractRules, OrderRequest } from "../../contracts/venue.ts";
import { applyContractRules, closesWholePosition, type RuleCheck } from "../bingx/contract_rules.ts";
import { RATE_WAIT_MAX_MS } from "../bingx/endpoints.ts";
import { roundQty } from "../event_id.ts";
import { isOpening, type MockLedger } from "./_ledger.ts";
import { type MockOrder, TAKER_FEE_RATE } from "./_orders.ts";
import { consumeCount, type MockKnobs } from "./knobs.ts";

export interface Refusal {
  reason: "VENUE" | "RATE_LIMITED";
  code: string;
  message: string;
  retry_after_ms?: number;
}

export interface KnobCell {
  get(): MockKnobs;
  set(knobs: MockKnobs): void;
}

function rateLimited(cell: KnobCell): Refusal | null {
  const k = cell.get();
  if (!k.rate_limit) return null;
  cell.set(consumeCount(k, "rate_limit"));
  const out: Refusal = { reason: "RATE_LIMITED", code: "100410", message: "rate limited" };
  if (k.rate_limit.retry_after_ms !== undefined) out.retry_after_ms = k.rate_limit.retry_after_ms;
  return out;
}

/**
 * The venue's retry hint after a placement refused for the rate limit, kept as BingX's adapter
 * keeps it: its throttle lets an order wait up to RATE_WAIT_MAX_MS for the hint and refuses it at
 * once past that. So a hint longer than that holds every placement until it has passed: each is
 * refused (100410, the time left as its hint) without using a count of the knob, and `remainingMs`
 * says so before anything is sent. A shorter hint holds nothing (the mock does not queue: the next
 * placement goes at once, refused only as the knob's count says).
 */
export class RateHold {
  private untilMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly nowMs: () => number) {}

  /** The time (ms) left before a held hint, or null when none runs. */
  remainingMs(): number | null {
    const left = Math.ceil(this.untilMs - this.nowMs());
    return left > 0 ? left : null;
  }

  /** A placement's refusal while a hint holds, else the knob's (`rate_limit`), whose long hint starts a hold. */
  refusal(cell: KnobCell): Refusal | null {
    const left = this.remainingMs();
    if (left !== null) return { reason: "RATE_LIMITED", code: "100410", message: "rate limited", retry_after_ms: left };
    const limited = rateLimited(cell);
    const hint = limited?.retry_after_ms;
    if (hint !== undefined && hint > RATE_WAIT_MAX_MS) this.untilMs = this.nowMs() + hint;
    return limited;
  }
}

/** Consumes one use of a transport knob: the answer the caller gets is UNKNOWN. */
export function transportFailure(
  cell: KnobCell,
  key: "http_5xx" | "drop_responses",
): { status: "UNKNOWN"; reason: string } | null {
  const k = cell.get();
  if (!k[key]) return null;
  cell.set(consumeCount(k, key));
  const why = key === "http_5xx" ? "HTTP 500 before execution" : "answer lost after execution";
  return { status: "UNKNOWN", reason: `mock venue: ${why}; outcome unknown` };
}

export function placeRefusal(
  cell: KnobCell,
  hold: RateHold,
  request: OrderRequest,
  hasPrice: boolean,
  full: boolean,
): Refusal | null {
  const limited = hold.refusal(cell);
  if (limited) return limited;
  const k = cell.get();
  if (k.reject) {
    cell.set(consumeCount(k, "reject"));
    return { reason: "VENUE", code: String(k.reject.code), message: k.reject.message };
  }
  if (!hasPrice) return { reason: "VENUE", code: "80014", message: `symbol ${request.asset} does not exist` };
  if (full) return { reason: "VENUE", code: "80013", message: "too many orders" };
  return null;
}

/** The adapter's contract rules for `request` at `price` (the mock's LOCAL_RULE refusals). */
export function ruleCheck(rules: ContractRules, request: OrderRequest, price: number): RuleCheck {
  if (request.type === "LIMIT" && request.price === undefined)
    return { ok: false, rule: "INVALID_PRICE", message: "a LIMIT order needs a price" };
  const whole = closesWholePosition(request);
  const limit = request.type === "LIMIT" ? request.price : undefined;
  return applyContractRules(rules, request.size, limit, price, request.side, whole);
}

/**
 * 101400 for a reduce-only order that would open, or a close of more than `held` less the
 * remaining size of the working closes of that position in `orders`.
 */
export function closeRefusal(
  orders: Iterable<MockOrder>,
  request: OrderRequest,
  size: number,
  held: number,
): Refusal | null {
  const { asset, side, position_side } = request;
  if (isOpening(side, position_side)) {
    if (!request.reduce_only) return null;
    const message = `reduce-only ${side} of a ${position_side} position would open it: no position to close`;
    return { reason: "VENUE", code: "101400", message };
  }
  let reserved = 0;
  for (const o of orders) {
    const r = o.request;
    if (r.asset !== asset || r.position_side !== position_side || isOpening(r.side, r.position_side)) continue;
    if (o.status === "NEW" || o.status === "PARTIALLY_FILLED") reserved += r.size - o.filled;
  }
  const closable = roundQty(held - reserved);
  if (closable <= 0) return { reason: "VENUE", code: "101400", message: "order size error: no position to close" };
  if (roundQty(size - closable) > 0)
    return {
      reason: "VENUE",
      code: "101400",
      message: `the quantity ${size} exceeds the closable position ${closable}`,
    };
  return null;
}

/**
 * 101204 "Insufficient margin" for an opening order whose initial margin (size × price / the
 * leverage set for its position side) plus the taker fee on it exceeds the ledger's available
 * margin, net of what working opening orders reserve (`MockLedger.track`), as bingx-sim's
 * `checkFunds`: price is the limit (on the tick) for a LIMIT, else the venue's `mark`. A close
 * needs no margin.
 */
export function marginRefusal(
  request: OrderRequest,
  check: { size: number; price?: string },
  mark: number,
  ledger: MockLedger,
): Refusal | null {
  if (!isOpening(request.side, request.position_side)) return null;
  const notional = check.size * (check.price === undefined ? mark : Number(check.price));
  const need = notional / ledger.leverage(request.asset, request.position_side) + notional * TAKER_FEE_RATE;
  const available = ledger.balance().available_margin;
  if (need <= available) return null;
  const message = `Insufficient margin, need ${need.toFixed(4)} USDT, available ${available.toFixed(4)}`;
  return { reason: "VENUE", code: "101204", message };
}

/** Null when `request` is the order `existing` was placed from (sent again), else 80014: the id is taken. */
export function clientIdRefusal(existing: MockOrder, request: OrderRequest): Refusal | null {
  const a = existing.asked;
  const same =
    a.asset === request.asset &&
    a.side === request.side &&
    a.position_side === request.position_side &&
    a.type === request.type &&
    a.size === request.size &&
    a.price === request.price &&
    a.reduce_only === request.reduce_only;
  if (same) return null;
  const message = `clientOrderId ${request.client_order_id} already exists (order ${existing.venue_order_id})`;
  return { reason: "VENUE", code: "80014", message };
}

export function cancelRefusal(cell: KnobCell, order: MockOrder | undefined, asset: string): Refusal | null {
  const limited = rateLimited(cell);
  if (limited) return limited;
  if (!order || order.request.asset !== asset) return { reason: "VENUE", code: "80016", message: "order not exist" };
  if (order.status === "FILLED") return { reason: "VENUE", code: "80018", message: "order is already filled" };
  if (order.status !== "NEW" && order.status !== "PARTIALLY_FILLED") {
    return { reason: "VENUE", code: "80016", message: `order is ${order.status}` };
  }
  const knob = cell.get().cancel_reject;
  if (knob) {
    const custom = typeof knob === "object" ? knob : {};
    return {
      reason: "VENUE",
      code: String(custom.code ?? "80012"),
      message: custom.message ?? "cancel refused by scenario",
    };
  }
  return null;
}
