/**
 * Orders the venue adapter already knows it would not send now: while `orderHoldMs()` says a
 * placement would be refused for the rate limit (BingX: an IP ban, a wait for the venue's retry hint
 * past the throttle's bound, a full queue; the mock: a refusal's hint still running), an ENTER or
 * EXIT is refused at its edge (HTTP, CLI, ring) before the kernel: RATE_LIMITED (WARNING),
 * retryable, `retry_after_ms` the adapter's estimate. The kernel never sees it, so an EXIT spends
 * none of the trade's exit legs (a stop-loss re-sent in a loop through a five-minute ban spent
 * them all in under a second, after which the trade could not be exited), no order is made that
 * could only be refused, and the strategy hears when to try again. Everything else passes: a CANCEL
 * has its own budget at the venue, a MARK_PRICE sends nothing.
 *
 * The edges' checks before the kernel are `orderIntentRefusal` (HTTP, CLI) and `orderRecordRefusal`
 * (ring): the size rules (`_size_rules.ts`) first, so an intent that can never be sent says so, not
 * "retry later"; then the hold.
 *
 * Entry points: `orderIntentRefusal(venue, intent, slotOf)`, `orderRecordRefusal(venue, rec, slotOf)`, `SlotOf`.
 */

import { OFF } from "../contracts/abi.ts";
import type { InputRefusal } from "../contracts/intent_parse.ts";
import type { StrategyIntent } from "../contracts/intents.ts";
import type { VenueAdapter } from "../contracts/venue.ts";
import { intentSizeRefusal, recordSizeRefusal, type SlotOf } from "./_size_rules.ts";

export type { SlotOf };

const ENTER = 1;
const EXIT = 2;

function refusal(venue: VenueAdapter, kind: "ENTER" | "EXIT", slotId: number): InputRefusal | null {
  const waitMs = venue.orderHoldMs();
  if (waitMs === null) return null;
  return {
    code: "RATE_LIMITED",
    field: "RETRY_AFTER",
    message: `${kind} not sent: the venue's rate limit holds orders ${waitMs} ms more; retry after that`,
    input_kind: kind,
    slot_id: slotId,
    retry_after_ms: waitMs,
  };
}

/** An ENTER or EXIT intent (HTTP, CLI) off the size rules, or while the adapter holds orders: refused; else null. */
export function orderIntentRefusal(venue: VenueAdapter, intent: StrategyIntent, slotOf: SlotOf): InputRefusal | null {
  const off = intentSizeRefusal(venue, intent, slotOf);
  if (off !== null || (intent.type !== "ENTER" && intent.type !== "EXIT")) return off;
  return refusal(venue, intent.type, intent.slot_id);
}

/** The same on a raw ring record (its kind and slot id read in place). */
export function orderRecordRefusal(venue: VenueAdapter, rec: Uint8Array, slotOf: SlotOf): InputRefusal | null {
  const off = recordSizeRefusal(venue, rec, slotOf);
  if (off !== null) return off;
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const kind = dv.getUint16(OFF.InputRecord.kind, true);
  if (kind !== ENTER && kind !== EXIT) return null;
  return refusal(venue, kind === ENTER ? "ENTER" : "EXIT", dv.getUint32(OFF.InputRecord.slot_id, true));
}
