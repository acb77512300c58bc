/**
 * The shapes the console reads from the server: the wire records and the status document (one
 * source: src/contracts, whose schemas `GET /openapi.json` publishes). Type-only imports: nothing of the server is
 * bundled into the browser code.
 */

import type { Static } from "@sinclair/typebox";
import type { ControlSnapshot } from "../../contracts/control.ts";
import type { FlattenEvent, FlattenReport } from "../../contracts/flatten.ts";
import type { FleetListingSchema } from "../../contracts/fleet_schema.ts";
import type { AccountRecord, OrderRecord, Severity, SlotRecord, TransitionRecord } from "../../contracts/records.ts";
import type { StatusDocument } from "../../contracts/status_schema.ts";

export type {
  AccountRecord,
  ControlSnapshot,
  FlattenEvent,
  FlattenReport,
  OrderRecord,
  Severity,
  SlotRecord,
  StatusDocument,
  TransitionRecord,
};

/** `GET /fleet`: every kernel heartbeating into the cluster (`dita-v2 fleet --json`). */
export type FleetListing = Static<typeof FleetListingSchema>;

/** The fleet as the console last read it: the listing, or why there is none (cluster off, unreadable). */
export interface FleetView {
  listing: FleetListing | null;
  error: string | null;
}

export type SinkStats = StatusDocument["projection"]["sinks"][number];

/** What the console shows for the venue's request budget when the adapter reports none itself. */
export interface VenueCalls {
  rate_limited: number;
  calls: number;
}

export interface FeedDiagnostic {
  source: "kernel" | "launcher" | "venue" | "projection";
  code: string;
  severity: Severity;
  slot_id: number | null;
  message: string;
  now_ms: number;
}

/** One line of the live feed: a transition, a diagnostic, or a note of the console itself. */
export type FeedItem =
  | { kind: "transition"; id: string; t: TransitionRecord }
  | { kind: "diagnostic"; id: string; d: FeedDiagnostic }
  | { kind: "note"; id: string; text: string; at_ms: number };

export type EquityPoint = [at_ms: number, equity: number, drawdown: number];
