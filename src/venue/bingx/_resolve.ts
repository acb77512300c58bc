/**
 * Resolving an order's fate by querying it by clientOrderID (after an unknown outcome, a 109201
 * "same client id within 1 s", or a refused resend). BingX lower-cases client ids, so the order
 * a query finds may be another one that happens to share the id: when the caller says what it
 * placed (side and quantity), an order that differs in either is `foreign`, not ours, and is not
 * applied (its fills must never be booked to the caller's order).
 *
 * BingX also remembers the client ids of orders that ended long ago: a trade id used again (a
 * strategy's own ids, a journal reset) finds the OLD order, often of the same side and size. So an
 * order whose venue creation time (`time`) is more than `CREATED_MARGIN_MS` before the placement
 * was first sent (`PlacedAs.sentMs`, venue time: local clock plus the measured offset) is `foreign`
 * too. The margin covers the offset's error (half a round trip at sync, drift since); an old order
 * placed under the same id less than that before this one is not told apart (the kernel refuses a
 * slot's current and last trade id). An answer with no readable `time` is judged by side and size only.
 * After a restart the adapter never sent the order: the caller's `createdAtMs` (when the kernel
 * created it, local ms, plus the offset: venue ms) stands in for the send time (`createdBefore`).
 *
 * Entry points: `resolveByQuery`, `ResolveContext`, `PlacedAs`, `Resolution`, `CREATED_MARGIN_MS`, `createdBefore`.
 */

import type { OrderSide, VenueOrderState } from "../../contracts/venue.ts";
import { roundQty } from "../event_id.ts";
import { parseOrder } from "./_parse.ts";
import * as ep from "./endpoints.ts";
import { VenueRequestError } from "./errors.ts";
import type { BingxRestClient } from "./rest_client.ts";

export interface ResolveContext {
  rest: BingxRestClient;
  /** Feeds a REST order state through the tracker (emits what is new). */
  applyState(s: VenueOrderState): void;
  /** Waits between resolution queries, in ms; its length bounds the queries. */
  resolveDelaysMs: readonly number[];
  sleep(ms: number): Promise<void>;
}

/** An order created more than this before its placement was first sent is another one (venue ms). */
export const CREATED_MARGIN_MS = 5_000;

/**
 * Whether an order the venue created at `createdMs` is older than one first sent (or, after a
 * restart, created) at `sinceMs`, less the margin (venue ms): another order. Either unknown: not older.
 */
export function createdBefore(createdMs: number | undefined, sinceMs: number | undefined): boolean {
  return createdMs !== undefined && sinceMs !== undefined && createdMs < sinceMs - CREATED_MARGIN_MS;
}

/** What was placed under the client id: the side and the quantity sent, and when it was first sent (venue ms). */
export interface PlacedAs {
  side: OrderSide;
  quantity: number;
  sentMs?: number;
}

/**
 * `state`: our order, found (and applied); `foreign`: another order holds the client id;
 * `absent` only when every query said "no such order" (109421, 80016 before); `why` the last failure otherwise.
 */
export interface Resolution {
  state?: VenueOrderState;
  foreign?: VenueOrderState;
  absent: boolean;
  why: string;
}

/** Queries by clientOrderID until an order is found or the delays run out. */
export async function resolveByQuery(
  ctx: ResolveContext,
  asset: string,
  cid: string,
  placed?: PlacedAs,
): Promise<Resolution> {
  let why = "";
  let absent = true;
  for (const delay of ctx.resolveDelaysMs) {
    if (delay > 0) await ctx.sleep(delay);
    try {
      const state = parseOrder(await ctx.rest.request(ep.queryOrder(asset, cid)));
      if (state && placed && !isPlacedOrder(state, placed)) return { foreign: state, absent: false, why: "" };
      if (state) {
        ctx.applyState(state);
        return { state, absent: false, why: "" };
      }
      absent = false;
      why = "query answer unreadable";
    } catch (err) {
      if (!(err instanceof VenueRequestError)) throw err;
      if (!err.orderAbsent) absent = false;
      why = err.message;
    }
  }
  return { absent, why };
}

/** The found order is the one placed: same side, same quantity, not created before it was sent (less the margin). */
function isPlacedOrder(s: VenueOrderState, placed: PlacedAs): boolean {
  if (s.side !== placed.side || roundQty(s.size) !== roundQty(placed.quantity)) return false;
  return !createdBefore(s.created_ms, placed.sentMs);
}
