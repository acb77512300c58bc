/**
 * The status document (`GET /status`, `dita-v2 status`, `dita-v2 once`) as a JSON schema
 * (TypeBox), and its TypeScript type derived from it. The launcher assembles the document typed as
 * `StatusDocument` and pins each part's own type (projection stats, recovery report, ...) equal to
 * the part here, so the document, its type and what `GET /openapi.json` publishes cannot drift.
 *
 * `venue.throttle` is the venue adapter's client-side rate throttle (null for an adapter without
 * one, the mock); `events` (the event stream), `fleet` (this kernel's heartbeats and account
 * lease) and `stall_watch` (the watch on serve's event loop) are present where serve runs.
 *
 * Entry points: `StatusDocumentSchema`, `StatusDocument` and the part schemas.
 */

import { type Static, Type } from "@sinclair/typebox";
import { ControlSnapshotSchema } from "./control.ts";
import { FlattenReportSchema } from "./flatten.ts";
import { FleetStatusPartSchema } from "./fleet_schema.ts";
import { AccountRecordSchema, literals, SlotRecordSchema, StageSchema } from "./record_schemas.ts";
import { SIDES } from "./records.ts";

const strict = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

export const KernelStatusSchema = Type.Object(
  {
    slot_count: Count,
    active_slot_limit: Count,
    hung_order_ms: Count,
    trading_state: literals(["ACTIVE", "REDUCING", "HALTED"] as const),
    max_notional_per_trade: Type.Number(),
    max_gross_exposure: Type.Number(),
    max_orders_per_minute: Type.Number(),
    max_leverage: Type.Number(),
    max_drawdown_ratio: Type.Number(),
    faulted: Type.Boolean({ description: "read-only after a caught panic" }),
  },
  { ...strict, description: "The kernel's configuration as it enforces it" },
);

export const SinkStatsSchema = Type.Object(
  {
    sink: Type.String(),
    address: Type.String(),
    up: Type.Boolean(),
    spooled: Type.Boolean(),
    backlog_records: Count,
    backlog_bytes: Count,
    pending_map_writes: Count,
    last_success_ms: Nullable(Count),
    last_error: Nullable(Type.String()),
    records_written: Count,
    records_duplicate: Type.Integer({ minimum: 0, description: "rows the sink already held (same id) and skipped" }),
    resyncs: Type.Integer({ minimum: 0, description: "times the sink's image was found lost and written again" }),
    map_writes_applied: Count,
    map_writes_stale: Count,
    records_refused: Count,
    sealed: Nullable(
      Type.Object(
        { files: Count, bytes: Count },
        {
          ...strict,
          description: "the local sink's sealed files (spool/local-sealed/) and their bytes; null for other sinks",
        },
      ),
    ),
  },
  { ...strict, title: "SinkStats" },
);

export const VenueRateStatsSchema = Type.Object(
  {
    margin: Type.Number({ description: "fraction of each venue limit the throttle uses" }),
    requests: Count,
    waited: Count,
    wait_ms_total: Type.Number(),
    wait_ms_p50: Type.Number(),
    wait_ms_p99: Type.Number(),
    wait_ms_max: Type.Number(),
    queued: Count,
    queued_max: Count,
    refused: Type.Integer({ minimum: 0, description: "refused before sending, surfaced as RATE_LIMITED" }),
    rate_limited: Type.Integer({ minimum: 0, description: "429 / 100410 answers the venue still gave" }),
    exhausted: Count,
  },
  { ...strict, title: "VenueRateStats" },
);

export const ProjectionStatsSchema = Type.Object(
  { strategy: Type.String(), degraded: Type.Boolean(), backlog_records: Count, sinks: Type.Array(SinkStatsSchema) },
  strict,
);

export const RingStatsSchema = Type.Object(
  { head: Count, tail: Count, abandoned: Count, stalledPid: Count, lastAbandonedPid: Count },
  strict,
);

export const OrphanSchema = Type.Object(
  { asset: Type.String(), side: literals(SIDES), size: Type.Number(), avg_price: Type.Number() },
  strict,
);

export const RecoveryReportSchema = Type.Object(
  {
    belief_source: literals(["journal", "zinc", "hazelcast", "none"] as const),
    restored: Type.Array(Count),
    reconciled: Type.Array(
      Type.Object(
        { slot_id: Count, from: StageSchema, to: StageSchema, size_before: Type.Number(), size_after: Type.Number() },
        strict,
      ),
    ),
    refused: Type.Array(Type.Object({ slot_id: Count, message: Type.String() }, strict)),
    orphans: Type.Array(OrphanSchema),
    capital: Nullable(Type.Number()),
  },
  { ...strict, title: "RecoveryReport" },
);

export const ReconcileStatsSchema = Type.Object(
  {
    passes: Count,
    mismatches_total: Count,
    last_pass_at_ms: Nullable(Count),
    last_mismatches: Type.Array(Count, { description: "the slots the last pass reconciled" }),
    last_error: Nullable(Type.String()),
  },
  strict,
);

export const EventStatsSchema = Type.Object(
  {
    epoch: Type.String(),
    clients: Count,
    clients_max: Count,
    clients_dropped_total: Count,
    last_seq: Count,
    oldest_seq: Count,
    ring_capacity: Count,
    client_queue_bytes_max: Count,
  },
  { ...strict, title: "EventStats" },
);

export const JournalStatusSchema = Type.Object(
  {
    path: Type.String({ description: "the journal directory, <state dir>/journal" }),
    segment: Count,
    rotations: Count,
    entries: Count,
    refused_not_journaled: Count,
    write_refused: Nullable(
      Type.String({
        description:
          "why the disk refuses the journal's writes, while it does (inputs wait in memory; no entry order is sent; trading HALTED); null: it writes",
      }),
    ),
    recovered: Nullable(
      Type.Object(
        {
          snapshot: Count,
          segments: Count,
          entries: Count,
          run: Type.String(),
          seq: Count,
          state_hash: Type.String(),
          torn_tails: Count,
        },
        { ...strict, description: "the state this start recovered from the journal (null: none)" },
      ),
    ),
  },
  { ...strict, title: "JournalStatus" },
);

export const EventLoopLagSchema = Type.Object(
  { samples: Count, p50_ms: Type.Number(), p99_ms: Type.Number(), max_ms: Type.Number() },
  { ...strict, title: "EventLoopLag", description: "how late a 50 ms timer fired, over the last minute of samples" },
);

export const StallWatchSchema = Type.Object(
  {
    stall_ms: Type.Number({ description: "the bound (DITA_V2_STALL_MS); 0: the watch is off" }),
    running: Type.Boolean({ description: "its worker thread is watching" }),
  },
  {
    ...strict,
    title: "StallWatch",
    description:
      "serve's event loop making no turn for stall_ms ends the process (SIGKILL) for its supervisor to restart",
  },
);

export type StallWatchStatus = Static<typeof StallWatchSchema>;

export const StatusDocumentSchema = Type.Object(
  {
    version: Type.String(),
    strategy: Type.String(),
    run: Type.String({ description: "the kernel lifetime's id, in the journal header and every projected row id" }),
    started_at_ms: Count,
    control: ControlSnapshotSchema,
    kernel: KernelStatusSchema,
    slots: Type.Array(SlotRecordSchema),
    account: AccountRecordSchema,
    state_hash: Type.String({ description: "16 hex digits; `dita-v2 replay` of the journal reproduces it" }),
    venue: Type.Object(
      {
        name: literals(["MOCK", "BINGX"] as const),
        connected: Type.Boolean(),
        inflight: Count,
        throttle: Nullable(VenueRateStatsSchema),
      },
      strict,
    ),
    projection: ProjectionStatsSchema,
    zinc: Type.Object(
      {
        kind: literals(["MEMORY", "REAL"] as const),
        prefix: Nullable(Type.String()),
        ring: RingStatsSchema,
        hostile: Nullable(Type.String({ description: "the first region found corrupt" })),
      },
      strict,
    ),
    journal: Nullable(JournalStatusSchema),
    recovery: Nullable(RecoveryReportSchema),
    reconciliation: Type.Composite([Type.Object({ interval_ms: Count }), ReconcileStatsSchema], strict),
    event_loop: EventLoopLagSchema,
    flatten: Nullable(FlattenReportSchema),
    intake_open: Type.Boolean(),
    events: Type.Optional(EventStatsSchema),
    fleet: Type.Optional(FleetStatusPartSchema),
    stall_watch: Type.Optional(StallWatchSchema),
  },
  { ...strict, title: "StatusDocument" },
);

export type StatusDocument = Static<typeof StatusDocumentSchema>;
export type EventStats = Static<typeof EventStatsSchema>;
export type SinkStatsWire = Static<typeof SinkStatsSchema>;
