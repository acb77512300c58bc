/**
 * Kernel inputs as snake_case wire records, typed by their one source (docs/architecture.md,
 * "Inputs by source"): a `StrategyInput` comes from HTTP, the CLI or the Zinc ring; a
 * `VenueInput` only from the venue adapter; a `SystemInput` only from the launcher. The types are
 * derived from the schemas in intent_schemas.ts, so what the edges validate and what the code
 * compiles against cannot drift. `now_ms` is stamped by the launcher from its Clock; a strategy
 * never sends it.
 *
 * Entry points: the types, `KernelInputType`, `sourceOf(type)`.
 */

import { type InputKind, type InputSource, SOURCE_OF_KIND } from "./enums.ts";
import type { ReconcileTruthWire, StrategyIntentWire, SystemInputWire, VenueEventWire } from "./intent_schemas.ts";
import type { VenueEvent } from "./venue.ts";

/** What a strategy asks for (ENTER, EXIT, CANCEL, MARK_PRICE), before the launcher stamps the time. */
export type StrategyIntent = StrategyIntentWire;
export type StrategyInput = StrategyIntent & { now_ms: number };
export type VenueInput = { type: "VENUE_EVENT"; slot_id?: number | null; event: VenueEvent; now_ms: number };
export type SystemInput = SystemInputWire;
export type KernelInput = StrategyInput | VenueInput | SystemInput;
export type KernelInputType = KernelInput["type"];
export type ReconcileTruth = ReconcileTruthWire;

/** The source an input kind belongs to. */
export function sourceOf(type: InputKind): InputSource {
  return SOURCE_OF_KIND[type];
}

// The hand-written VenueEvent (venue.ts, with its documentation) and its schema are one shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const venueEventMatchesItsSchema: Same<VenueEvent, VenueEventWire> = true;
void venueEventMatchesItsSchema;
// Every kind has exactly one typed input.
const everyKindTyped: Same<KernelInputType, InputKind> = true;
void everyKindTyped;
