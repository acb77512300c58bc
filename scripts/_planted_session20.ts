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
];
