/** Planted bugs fixed in the twentieth session (2026-12-07): late landings' remaining edges. */

import { p } from "./_planted_plant.ts";
import type { Plant } from "./_planted_sample.ts";

export const SESSION20_PLANTS: readonly Plant[] = [
  p(
    "late-exit-rest-never-looked-up",
    "reconcile",
    "src/launcher/_late_fills.ts",
    "return same && (o.fed?.open ?? true) && o.lookups < LOOKUPS_MAX ? o : undefined;",
    "return same && !o.fed && o.lookups < LOOKUPS_MAX ? o : undefined;",
    "an ended exit's partial late fill is booked but its rest, its event lost too, reconciles the slot to IDLE with no CLOSE row",
  ),
  p(
    "late-exit-same-cumulative-fed-twice",
    "reconcile",
    "src/launcher/_late_fills.ts",
    "if (passed !== undefined && !(mayGrow && beyond(state.filled_size_cumulative, passed) > 0)) return false;",
    "if (passed !== undefined && !mayGrow) return false;",
    "an ended exit's late fill is passed to the kernel again at every pass although the venue's cumulative did not grow",
  ),
  p(
    "restart-forgets-kernel-spellings",
    "recovery",
    "src/launcher/recovery.ts",
    "  d.venue.rememberClientIds?.(restoredOrders(kernel.slots())); // their events under the kernel's ids (BingX)\n",
    "",
    "an ended exit that lands after a restart reaches the kernel under BingX's lower-cased id: an OVERFILL, no CLOSE row",
  ),
  p(
    "forgotten-spelling-books-another-order",
    "venue",
    "src/venue/bingx/_working_orders.ts",
    "if (w === undefined || !sameOrder(w, venueOrderId, asset, createdMs)) return venueSpelling;",
    "if (w === undefined) return venueSpelling;",
    "another venue order under a forgotten or restored order's lower-cased id is booked to the kernel's order",
  ),
  p(
    "restored-spellings-case-collision",
    "recovery",
    "src/launcher/_recovery_lookups.ts",
    "      .filter((o) => ordersUnderId(slots, o.client_order_id) === 1)\n",
    "",
    "two slots' ids differing only in case are both told the adapter: the venue's one order is spelled as either slot's",
  ),
  p(
    "restored-order-without-offset",
    "venue",
    "src/venue/bingx/_forgotten_orders.ts",
    "const sentMs = o.created_at_ms + offsetMs;",
    "const sentMs = o.created_at_ms;",
    "after a restart the kernel's order is judged older than its venue order on a host whose clock lags the venue's",
  ),
  p(
    "earlier-exit-leg-off-by-one",
    "reconcile",
    "src/launcher/_resting_absent.ts",
    "if (k >= exit.leg || state.side !== exit.side",
    "if (k + 1 >= exit.leg || state.side !== exit.side",
    "after a restart the exit leg just before the slot's current one rests at the venue uncancelled (an anonymous ORPHAN_ORDER)",
  ),
  p(
    "earlier-exit-leg-ignores-list-lag",
    "reconcile",
    "src/launcher/_resting_absent.ts",
    "  if (earlier?.listLag === true) return void owned.push(state.client_order_id);\n",
    "",
    "an earlier exit leg the venue's list still shows right after the next leg was made is cancelled (or reported) needlessly",
  ),
  p(
    "earlier-exit-leg-case-collision",
    "reconcile",
    "src/launcher/_resting_absent.ts",
    "if (trade.length !== 1 || ordersUnderId(slots, cid) !== 0) return null;",
    "if (trade.length !== 1) return null;",
    "a slot's current order whose id differs only in case is taken as an earlier exit leg and cancelled at BingX",
  ),
  p(
    "blind-cancel-of-another-order",
    "reconcile",
    "src/launcher/_resting_absent.ts",
    "const notIt = venueSpelling && o.lookups >= LOOKUPS_MAX && o.answered_another === true;",
    "const notIt = venueSpelling && o.lookups >= LOOKUPS_MAX && o.answered_another === undefined;",
    "an order every lookup found to be another order under the slot's id is cancelled by that id: an operator's order cancelled",
  ),
];
