/**
 * Shared projection types: what the outbox hands to a sink (map writes and records), the Sink
 * contract every implementation honours, projection diagnostics and per-sink stats.
 *
 * A map write carries the full latest row, its version and the writing projection's epoch; a sink
 * applies it only if the stored row's (epoch, version) is lower (compare-and-set), so replays and
 * reordering can never regress a map, and a restarted process (new epoch, kernel versions from 0)
 * still replaces what the previous process wrote (README.md, "Version epochs").
 * A record carries a deterministic `row_id`; sinks that store records dedupe by it.
 * Every address and error text a sink reports goes through `maskSecrets` (`errorText` does it).
 */
import type { ControlSnapshot } from "../contracts/control.ts";
import type {
  AccountRecord,
  DiagnosticRecord,
  Severity,
  SlotRecord,
  TransitionRecord,
  Trigger,
} from "../contracts/records.ts";
import { maskSecrets } from "../contracts/secrets.ts";

/** Triggers whose transitions are venue-confirmed state (the only ones that write slot rows). */
export const VENUE_FACTS: ReadonlySet<Trigger> = new Set<Trigger>([
  "ACK",
  "PARTIAL_FILL",
  "FULL_FILL",
  "CANCEL_ACK",
  "CANCEL_REJECT",
  "REJECT",
  "RECONCILE",
  "RESTORE",
  "OVERFILL",
  "FOREIGN_ORDER",
  "MARK_STALE",
]);

export type ProjectionDiagnosticCode =
  | "SPOOL_CORRUPT"
  | "SPOOL_FULL"
  | "SINK_DOWN"
  | "SINK_UP"
  | "SINK_DEGRADED"
  | "SINK_RESYNC"
  | "SCHEMA_NEWER"
  | "SPOOL_ROTATED";

/** A projection-side anomaly (not a kernel diagnostic): reported through `onDiagnostic`. */
export interface ProjectionDiagnostic {
  code: ProjectionDiagnosticCode;
  severity: Severity;
  sink: string;
  message: string;
  details: Record<string, unknown>;
}

export type Row = Record<string, unknown>;

/** Latest value for one key of one map; `value === null` deletes the key (if not newer). */
export interface MapWrite {
  map: string;
  key: string;
  value: Row | null;
  version: number;
  /** The writing projection's epoch (its start time, ms); absent = 0 (written before epochs). */
  epoch?: number;
}

/** (epoch, version) of a stored row; a row without `epoch` predates epochs and counts as epoch 0. */
export function stampOf(row: Row | null | undefined): { epoch: number; version: number } {
  if (row === null || row === undefined) return { epoch: -1, version: -1 };
  const e = Number(row.epoch);
  const v = Number(row.version);
  return { epoch: Number.isFinite(e) ? e : 0, version: Number.isFinite(v) ? v : -1 };
}

/**
 * True when `w` must not replace the stored stamp: (epoch, version) compared in that order; a put
 * needs a strictly newer stamp, a delete an equal or newer one.
 */
export function isStaleWrite(
  stored: { epoch: number; version: number },
  w: { epoch?: number; version: number; value: unknown },
): boolean {
  const epoch = w.epoch ?? 0;
  if (stored.epoch !== epoch) return stored.epoch > epoch;
  return w.value === null ? stored.version > w.version : stored.version >= w.version;
}

export const RECORD_KINDS = ["trade_event", "topic_event", "transition", "diagnostic", "control_change"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export type RecordRow = Row & { row_id: string; strategy: string };

/** One row for a table or one message for a topic. `row.row_id` is its dedupe key. */
export interface OutRecord {
  kind: RecordKind;
  row: RecordRow;
}

/**
 * What the projection enqueues: rows may be thunks, built by the outbox off the hot path (and never
 * built at all when a newer map value supersedes them). Thunks capture kernel wire records, which
 * are fresh immutable objects per decode.
 */
export type Lazy<T> = T | (() => T);
export interface PendingMapWrite {
  map: string;
  key: string;
  value: Lazy<Row> | null;
  version: number;
  epoch?: number;
}
export interface PendingRecord {
  kind: RecordKind;
  row: Lazy<RecordRow>;
}

export function resolve<T extends object>(v: Lazy<T>): T {
  return typeof v === "function" ? (v as () => T)() : v;
}

export interface WriteResult {
  /**
   * The prefix of the batch the sink is done with (the outbox acknowledges it and sends the rest again): records
   * durably written, found already stored (duplicates) or refused for good and reported by the sink itself
   * (LocalSpoolSink: too large for a frame). Never a count of rows stored out of order.
   */
  written: number;
  /** Of `written`, records the sink already held (same row id) and did not store again. */
  duplicates?: number;
  error?: unknown;
}

export interface Sink {
  readonly name: string;
  readonly address: string;
  readonly takesMaps: boolean;
  /** True for sinks that control.mirror_to_hazelcast switches off (Hazelcast). */
  readonly mirrorGated: boolean;
  takes(kind: RecordKind): boolean;
  /** Connects (and prepares schemas). Rejects with one clear line naming the sink and address. */
  connect(): Promise<void>;
  /** Applies every write with compare-and-set on version; rejects if any could not be applied. */
  writeMaps(writes: readonly MapWrite[]): Promise<{ applied: number; stale: number }>;
  writeRecords(records: readonly OutRecord[]): Promise<WriteResult>;
  /**
   * Map sinks that can lose what they hold (a Hazelcast member restarted empty): true when the
   * image this projection wrote is gone and must be written again in full. `reconnected()` says a
   * check is due now (the client reconnected or changed cluster since the last check).
   */
  imageLost?(): Promise<boolean>;
  reconnected?(): boolean;
  /**
   * True when a map write whose call failed may still be applied later (a remote store: Hazelcast). The
   * outbox then sends the newest write of each such key again at every check for a while (`_map_recheck.ts`).
   */
  readonly lateMapWrites?: boolean;
  /** The sealed files a sink that seals its own file keeps (the local sink). */
  sealedFiles?(): { files: number; bytes: number };
  /**
   * A sink that stores on the caller's thread (the local file): the outbox appends its queued records
   * here at each spill, as into a spool, so the projected mark covers them (mark.ts). `append` takes a
   * batch whole (its length) or refuses it whole (0: the outbox keeps it and the mark stops).
   */
  readonly store?: { append(records: readonly OutRecord[]): number };
  close(): Promise<void>;
}

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
  /** Records the sink already held (same row id: a replay, a restart's catch-up) and skipped. */
  records_duplicate: number;
  /** Times the sink's image was found lost and written again in full. */
  resyncs: number;
  map_writes_applied: number;
  map_writes_stale: number;
  records_refused: number;
  /** The local sink's sealed files (`local-sealed/`): how many it keeps and their bytes; null for other sinks. */
  sealed: { files: number; bytes: number } | null;
}

/** The first line of an error, credentials masked, at most 300 characters. */
export function errorText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return maskSecrets(s.split("\n")[0]!).slice(0, 300);
}

/** The slot fields a mark moves, plus the trade id that says it is still the same trade. */
export type SlotMark = Pick<SlotRecord, "trade_id" | "mark_price" | "unrealized_pnl" | "version" | "updated_at_ms">;

/**
 * One kernel outcome. The object itself is not kept (callers may reuse it); the records it points to
 * must not be mutated afterwards. Give `slotImage` (preferred) or `slots`.
 */
export interface OutcomeInput {
  transitions: readonly TransitionRecord[];
  diagnostics: readonly DiagnosticRecord[];
  /** Zero-copy view of a slot's 448-byte kernel image (ExecutionKernel.slotImage), copied at once. */
  slotImage?: (id: number) => Uint8Array;
  /** Decoded slot records (hand-built fixtures), used when `slotImage` is absent. */
  slots?: (id: number) => SlotRecord;
  /** With `slots` only: a cheap read of the fields a mark changes (ExecutionKernel.slotMark). */
  marks?: (id: number) => SlotMark;
  account: AccountRecord;
  control: ControlSnapshot;
  /** Journal seq of the outcome's first input (input_index 0). */
  journalSeq: number;
  /**
   * A batch: input `i` (a record's input_index) was journaled as `journalSeq + inputOffsets[i]`;
   * -1: input `i` was refused, so never journaled (its diagnostics get launcher-style ids). Default: i.
   */
  inputOffsets?: ArrayLike<number>;
  /**
   * Diagnostics the launcher issued itself (orphans, mismatches): no journaled input made them;
   * their ids come from the projection's own count (`<ns>:<run>:L<n>`). `journalSeq` is then the
   * journal's position at the time, for ordering only. Never coalesced.
   */
  launcher?: boolean;
  /**
   * The outcome's input was refused (at an edge, or by the kernel: no transition), so not journaled:
   * its diagnostics are numbered like `launcher`'s, and repeated WARNING/ERROR ones are coalesced
   * (`_refusals.ts`), as are those of a batch's refused records (`inputOffsets` -1).
   */
  refused?: boolean;
}

/** The whole confirmed image at start, after recovery (see `Projector.image`). */
export interface ImageInput {
  slots: readonly SlotRecord[];
  account: AccountRecord;
}
