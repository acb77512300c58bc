/**
 * Placing and cancelling with BingX's failure modes handled explicitly:
 * - a rate limit becomes a REJECT (or CANCEL_REJECT) with reject_reason RATE_LIMITED and the
 *   venue's `retry_after_ms` hint when it sent one;
 * - an UNKNOWN outcome (timeout, 5xx, dropped connection, 100500/101500/80019/80012, unreadable answer)
 *   is resolved by querying the order by clientOrderID BEFORE anything else; only when every query
 *   says the order does not exist is the place sent again, with the same clientOrderID, at most
 *   `PLACE_ATTEMPTS_MAX` times in all;
 * - a code-0 answer with no readable orderId is never resent: the venue accepted it, so a query
 *   that misses it only lags, and a second placement could rest beside it (BingX refuses a repeated
 *   client id within 1 s; later is not documented): ACCEPTED if the query finds it, else UNKNOWN;
 * - 109201 (same client id within 1 s) means the order exists: it is resolved by query too;
 * - an order found by that query with another side or quantity, or created before this placement
 *   was first sent, is another order holding the id (BingX lower-cases client ids and remembers old
 *   ones): not ours, never applied; ours cannot rest under that id: REJECT (CLIENT_ID_TAKEN), untracked (_resolve.ts);
 * - only the first placement's refusal is a REJECT: a refused resend (80014 "already exists",
 *   a rate limit, any code) leaves the first placement unresolved (it may land late), so the order
 *   is queried again: ACCEPTED if found, else UNKNOWN and still tracked (no REJECT, no more resend).
 * A local refusal (contract rules, client id shape, a client id differing only in case from a
 * working one: CLIENT_ID_CASE, `closes_position` on an opening order: CLOSES_POSITION) never sends
 * anything: LOCAL_RULE diagnostic plus REJECT event. Every REJECT is both returned and emitted
 * (same event id, so it dedupes).
 * Nothing before the placement asks the venue (in hedge mode): contract rules, the position mode
 * and the marks for the min-notional check are known from connect (and the mark cache).
 *
 * Position mode: in hedge mode the order names its position (LONG/SHORT); in one-way mode it goes
 * with positionSide BOTH and reduceOnly=true when it closes (SELL of a long, BUY of a short) or the
 * kernel asked for reduce-only, so an exit can never open the other side; an opening order while
 * the account holds the other side of that asset, or this process works an opening order of the
 * other side there (resting or being placed), is refused locally (it would net, not open).
 * A close of the whole position (`closes_position`) is held to no minimum quantity or notional
 * (contract_rules.ts): it goes as every close does, and the venue judges it.
 *
 * Entry points: `submitOrder`, `cancelOrder`, `readPositionMode`, `SubmitContext`.
 */

import type {
  CancelResult,
  ContractRules,
  OrderRequest,
  PositionSide,
  SubmitResult,
  VenueDiagnostic,
  VenueEvent,
  VenueOrderState,
  VenuePosition,
} from "../../contracts/venue.ts";
import { parseOrder, parsePlacedOrderId, parsePositionMode } from "./_parse.ts";
import { placement } from "./_placement.ts";
import { type ResolveContext, resolveByQuery } from "./_resolve.ts";
import { openingSide, type TrackRefusal } from "./_working_orders.ts";
import { applyContractRules, closesWholePosition } from "./contract_rules.ts";
import * as ep from "./endpoints.ts";
import { VenueRequestError } from "./errors.ts";
import type { BingxRestClient } from "./rest_client.ts";

export const PLACE_ATTEMPTS_MAX = 2;
const CLIENT_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** Rate-limited mode reads at connect are retried this many times in all (BingX allows 2/s). */
const MODE_READS_MAX = 4;
const MODE_RETRY_MS_MAX = 2_000;

/**
 * Reads the account's position mode; an answer that is neither mode throws one clear line. A
 * rate limit (the endpoint allows 2 requests/s per UID, so quick reconnects meet it) is waited
 * out, as hinted by the venue or for 500 ms, at most MODE_READS_MAX reads in all.
 */
export async function readPositionMode(
  rest: BingxRestClient,
  sleep: (ms: number) => Promise<void>,
): Promise<PositionMode> {
  let data: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      data = await rest.request(ep.positionMode());
      break;
    } catch (err) {
      if (!(err instanceof VenueRequestError && err.kind === "RATE_LIMIT") || attempt >= MODE_READS_MAX) throw err;
      await sleep(Math.min(Math.max(err.retry_after_ms ?? 500, 50), MODE_RETRY_MS_MAX));
    }
  }
  const mode = parsePositionMode(data);
  if (mode) return mode;
  const seen = JSON.stringify((data as { dualSidePosition?: unknown } | null)?.dualSidePosition ?? null);
  throw new Error(
    `Condition failed: BingX position mode unreadable (dualSidePosition=${seen.slice(0, 40)}); the adapter works in hedge or one-way mode only`,
  );
}

export type PositionMode = "hedge" | "oneway";

export interface SubmitContext extends ResolveContext {
  /** The account's position mode (read at connect; read now if not known yet). */
  positionMode(): Promise<PositionMode>;
  /** The venue's positions of one asset (for the one-way netting check). */
  positions(asset: string): Promise<VenuePosition[]>;
  rules(asset: string): Promise<ContractRules>;
  /** What `positionMode` and `rules` would answer, when already known: the order path takes no hop. */
  knownMode(): PositionMode | undefined;
  knownRules(asset: string): ContractRules | null;
  /** The asset's mark from memory (undefined: unknown or stale); never a venue call. */
  markPrice(asset: string): number | undefined;
  emit(e: VenueEvent): void;
  diag(d: VenueDiagnostic): void;
  /** Starts working a client id (`opens`: one-way, the side it opens): null, or why not (nothing is sent then). */
  track(clientId: string, asset: string, opens?: PositionSide, sentMs?: number): TrackRefusal | null;
  untrack(clientId: string): void;
  reportedCumulative(venueOrderId: string): number;
  nextSeq(): number;
  nowMs(): number;
}

type Refusal = { reason: "VENUE" | "RATE_LIMITED"; code: string; message: string; retry_after_ms?: number };

function refusalEvent(
  kind: "REJECT" | "CANCEL_REJECT",
  ctx: SubmitContext,
  cid: string,
  asset: string,
  r: Refusal,
  venueOrderId = "",
  filled = 0,
): VenueEvent {
  const e: VenueEvent = {
    kind,
    event_id: `${kind}:${cid}:${ctx.nextSeq()}`,
    venue_order_id: venueOrderId,
    client_order_id: cid,
    asset,
    filled_size_cumulative: filled,
    avg_price: 0,
    last_fill_size: 0,
    last_fill_price: 0,
    fee_cumulative: 0,
    venue_time_ms: ctx.nowMs(),
    reject_reason: r.reason,
    venue_code: r.code,
    venue_message: r.message,
  };
  if (r.retry_after_ms !== undefined) e.retry_after_ms = r.retry_after_ms;
  ctx.emit(e);
  return e;
}

function refusalFrom(err: VenueRequestError): Refusal {
  const r: Refusal = {
    reason: err.kind === "RATE_LIMIT" ? "RATE_LIMITED" : "VENUE",
    code: String(err.code ?? err.http_status ?? ""),
    message: err.message,
  };
  if (err.retry_after_ms !== undefined) r.retry_after_ms = err.retry_after_ms;
  return r;
}

function localReject(ctx: SubmitContext, o: OrderRequest, rule: string, message: string): SubmitResult {
  ctx.diag({ code: "LOCAL_RULE", message, details: { rule, client_order_id: o.client_order_id, asset: o.asset } });
  return {
    status: "REJECTED",
    event: refusalEvent("REJECT", ctx, o.client_order_id, o.asset, { reason: "VENUE", code: "LOCAL_RULE", message }),
  };
}

export async function submitOrder(ctx: SubmitContext, o: OrderRequest): Promise<SubmitResult> {
  if (!CLIENT_ID.test(o.client_order_id))
    return localReject(
      ctx,
      o,
      "CLIENT_ID",
      `client order id must be 1–40 of [A-Za-z0-9_-], got ${JSON.stringify(o.client_order_id.slice(0, 60))}`,
    );
  // Known rules and mode are read synchronously: with both in memory (after connect) and budget
  // to spare, the request is signed and written in the caller's turn, with no hop before it.
  let rules: ContractRules;
  try {
    rules = ctx.knownRules(o.asset) ?? (await ctx.rules(o.asset));
  } catch (err) {
    return localReject(ctx, o, "NO_RULES", `contract rules for ${o.asset} unavailable: ${(err as Error).message}`);
  }
  const closes = (o.side === "SELL") === (o.position_side === "LONG");
  if (o.closes_position === true && !closes)
    return localReject(
      ctx,
      o,
      "CLOSES_POSITION",
      `closes_position is set on a ${o.side} of a ${o.position_side} position, which opens it; only a close skips the minimums`,
    );
  // A MARKET order's notional is checked against the mark the adapter already holds (`_mark_cache.ts`):
  // no venue call on the order path; an unknown or stale mark skips the check (the venue judges).
  const reference = o.type === "MARKET" ? ctx.markPrice(o.asset) : o.price;
  const limit = o.type === "LIMIT" ? o.price : undefined;
  const check = applyContractRules(rules, o.size, limit, reference, o.side, closesWholePosition(o));
  if (!check.ok) return localReject(ctx, o, check.rule, check.message);
  if (o.type === "LIMIT" && check.price === undefined)
    return localReject(ctx, o, "INVALID_PRICE", "a LIMIT order needs a price");
  let mode: PositionMode;
  try {
    mode = ctx.knownMode() ?? (await ctx.positionMode());
  } catch (err) {
    return localReject(ctx, o, "POSITION_MODE", `position mode unknown: ${(err as Error).message}`);
  }
  const opens = closes || o.reduce_only ? undefined : openingSide(o, mode);
  const netting = opens === undefined ? null : await oneWayNetting(ctx, o);
  if (netting) return netting;
  const req = placement(o, check.quantity, check.price, mode);
  const placed = { side: o.side, quantity: check.size, sentMs: ctx.nowMs() }; // venue time, before the first send
  const untracked = ctx.track(o.client_order_id, o.asset, opens, placed.sentMs); // refuses against a working opposite opening
  if (untracked) return localReject(ctx, o, untracked.rule, untracked.message);
  let lastWhy = "";
  for (let attempt = 1; attempt <= PLACE_ATTEMPTS_MAX; attempt++) {
    // A refusal is final only for the first placement: a resend's refusal (80014 "already
    // exists", 109201, a rate limit) says nothing of the earlier placement, which may still land.
    let resendRefused = false;
    let acceptedWithoutId = false;
    try {
      const id = parsePlacedOrderId(await ctx.rest.request(req));
      if (id) return { status: "ACCEPTED", venue_order_id: id };
      lastWhy = "the venue accepted the placement (code 0) with no readable orderId";
      acceptedWithoutId = true;
    } catch (err) {
      if (!(err instanceof VenueRequestError)) throw err;
      if (attempt === 1 && err.refused && err.code !== 109201) {
        ctx.untrack(o.client_order_id);
        return { status: "REJECTED", event: refusalEvent("REJECT", ctx, o.client_order_id, o.asset, refusalFrom(err)) };
      }
      resendRefused = attempt > 1 && err.refused;
      lastWhy = err.message;
    }
    const found = await resolveByQuery(ctx, o.asset, o.client_order_id, placed);
    if (found.foreign) return clientIdTaken(ctx, o, found.foreign);
    if (found.state) return { status: "ACCEPTED", venue_order_id: found.state.venue_order_id };
    if (resendRefused) return { status: "UNKNOWN", reason: `resend refused (${lastWhy}); order not found by query` };
    if (acceptedWithoutId) return { status: "UNKNOWN", reason: `${lastWhy}; not found by query yet; not resent` };
    if (!found.absent) return { status: "UNKNOWN", reason: `${lastWhy}; queries did not settle it (${found.why})` };
  }
  return { status: "UNKNOWN", reason: `${lastWhy}; order still not found after ${PLACE_ATTEMPTS_MAX} placements` };
}

/** Another order (other side or quantity, or older than the placement) holds the client id at the venue: ours is not there. */
function clientIdTaken(ctx: SubmitContext, o: OrderRequest, other: VenueOrderState): SubmitResult {
  ctx.untrack(o.client_order_id);
  const message = `client order id ${o.client_order_id} is held at the venue by another order (${other.side} ${other.size}, order ${other.venue_order_id}); not ours`;
  const refusal: Refusal = { reason: "VENUE", code: "CLIENT_ID_TAKEN", message };
  return { status: "REJECTED", event: refusalEvent("REJECT", ctx, o.client_order_id, o.asset, refusal) };
}

/**
 * One-way accounts net: an opening order against a held position of the other side would reduce it
 * instead of opening its own: refused locally (LOCAL_RULE ONE_WAY_NETTING); a rate-limited positions
 * read is the submit's rate limit, another failure refuses too. Working opening orders of the other
 * side: `ctx.track`, from this process's own (_working_orders.ts); a manual one is seen once it fills
 * (reading open orders would add a round trip to every one-way entry).
 */
async function oneWayNetting(ctx: SubmitContext, o: OrderRequest): Promise<SubmitResult | null> {
  const other = o.position_side === "LONG" ? "SHORT" : "LONG";
  try {
    const held = (await ctx.positions(o.asset)).find((p) => p.asset === o.asset && p.side === other && p.size > 0);
    if (!held) return null;
    const why = `one-way account holds ${other} ${held.size} ${o.asset}; an opening ${o.side} would net against it instead of opening ${o.position_side}`;
    return localReject(ctx, o, "ONE_WAY_NETTING", why);
  } catch (err) {
    if (err instanceof VenueRequestError && err.kind === "RATE_LIMIT")
      return { status: "REJECTED", event: refusalEvent("REJECT", ctx, o.client_order_id, o.asset, refusalFrom(err)) };
    return localReject(
      ctx,
      o,
      "ONE_WAY_NETTING",
      `positions unreadable for the one-way check: ${(err as Error).message}`,
    );
  }
}

export async function cancelOrder(
  ctx: SubmitContext,
  asset: string,
  cid: string,
  venueOrderId: string,
): Promise<CancelResult> {
  try {
    const state = parseOrder(await ctx.rest.request(ep.cancelOrder(asset, cid)));
    if (state) ctx.applyState(state);
    return { status: "REQUESTED" };
  } catch (err) {
    if (!(err instanceof VenueRequestError)) throw err;
    if (err.refused) {
      const filled = venueOrderId ? ctx.reportedCumulative(venueOrderId) : 0;
      const event = refusalEvent("CANCEL_REJECT", ctx, cid, asset, refusalFrom(err), venueOrderId, filled);
      return { status: "REJECTED", event };
    }
    const found = await resolveByQuery(ctx, asset, cid);
    if (found.state && found.state.status !== "NEW" && found.state.status !== "PARTIALLY_FILLED")
      return { status: "REQUESTED" };
    return {
      status: "UNKNOWN",
      reason: `${err.message}; order ${found.state ? "still working" : "not confirmed"} after query`,
    };
  }
}
