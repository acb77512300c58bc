/**
 * The shapes the console reads from the server: the wire records (one source: src/contracts)
 * and the parts of the status document it shows. Type-only imports: nothing of the server is
 * bundled into the browser code.
 */

import type { ControlSnapshot } from "../../contracts/control.ts";
import type { AccountRecord, OrderRecord, Severity, SlotRecord, TransitionRecord } from "../../contracts/records.ts";

export type { AccountRecord, ControlSnapshot, OrderRecord, Severity, SlotRecord, TransitionRecord };

export interface SinkStats {
  sink: string;
  address: string;
  up: boolean;
  spooled: boolean;
  backlog_records: number;
  backlog_bytes: number;
  pending_map_writes: number;
  last_success_ms: number | null;
  last_error: string | null;
  records_written: number;
}

export interface StatusDocument {
  version: string;
  strategy: string;
  started_at_ms: number;
  control: ControlSnapshot;
  kernel: { slot_count: number; active_slot_limit: number; faulted: boolean } & Record<string, unknown>;
  slots: SlotRecord[];
  account: AccountRecord;
  state_hash: string;
  venue: { name: string; connected: boolean; inflight: number };
  projection: { strategy: string; degraded: boolean; backlog_records: number; sinks: SinkStats[] };
  journal: { path: string; entries: number } | null;
  intake_open: boolean;
  events?: { clients: number; clients_dropped_total: number; last_seq: number };
}

export interface FeedDiagnostic {
  source: "kernel" | "venue" | "projection";
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
