/**
 * createProjection: builds the sinks from configuration, connects them, and wires one outbox (with
 * its spool under `<stateDir>/spool/`) per sink. With no server configured and no extra sink, the
 * LocalSpoolSink is the only destination. A sink that cannot connect either fails the whole call
 * with one line naming the sink and address (`required`) or leaves the projection degraded: its
 * outbox spools, stats show it down and a SINK_DEGRADED diagnostic is emitted.
 *
 * After each drain the rows are appended to the spools at once and, with `markProgress`, the
 * projected mark records how far (mark.ts) — until a spool refuses a row (SPOOL_FULL: cap or failed
 * write, catch-up rows included): from then on this process leaves the mark where it is, so the next
 * start's catch-up rebuilds from the journal every row after the last seq whose rows were all stored. A map sink that lost its image gets the whole current
 * image again (`resyncWith`). `replay(run, ...)` rebuilds a past run's records from its journal.
 * Addresses and errors are masked (contracts/secrets.ts) before they reach stats or diagnostics.
 */
import { join } from "node:path";
import type { Clock } from "../contracts/clock.ts";
import type { ControlSnapshot } from "../contracts/control.ts";
import { RUN_ID_RE, type SlotRecord } from "../contracts/records.ts";
import { ClickHouseSink } from "./clickhouse.ts";
import { HazelcastSink } from "./hazelcast.ts";
import { LocalSpoolSink } from "./local.ts";
import { ProjectedMark } from "./mark.ts";
import { checkStrategy, type NamespaceNames } from "./names.ts";
import { Outbox } from "./outbox.ts";
import { ProjectionCore } from "./projection.ts";
import { JournalProjector } from "./replay.ts";
import { Spool } from "./spool.ts";
import {
  errorText,
  type ImageInput,
  type OutcomeInput,
  type ProjectionDiagnostic,
  type Sink,
  type SinkStats,
} from "./types.ts";

export interface ProjectionTuning {
  batchMax?: number;
  delayMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  spoolMaxBytes?: number;
  spoolCompactBytes?: number;
  connectTimeoutMs?: number;
  invocationTimeoutMs?: number;
  requestTimeoutMs?: number;
  imageCheckMs?: number;
  /** How long after Hazelcast came back the keys of its failed map batches are re-sent at each check (ms). */
  mapRecheckMs?: number;
  /** The local default sink's seal size and sealed files kept (local.ts). */
  localSegmentBytes?: number;
  localKeep?: number;
}

export interface ProjectionConfig {
  strategy: string;
  /** The kernel lifetime's id (launcher/run_id.ts): part of every table row id. */
  run: string;
  stateDir: string;
  clock: Clock;
  hazelcast?: { addr: string; cluster: string; user?: string; password?: string } | null;
  clickhouse?: { url: string; database: string } | null;
  required: boolean;
  onDiagnostic: (d: ProjectionDiagnostic) => void;
  /** This process's epoch for map writes (default: `clock.nowMs()` at creation; README "Version epochs"). */
  epochMs?: number;
  /** Extra sinks (CallbackSink in tests); each gets a spooled outbox like the servers. */
  sinks?: Sink[];
  /**
   * Keep `<stateDir>/spool/projected.mark` (journal-backed runs: the launcher's catch-up reads it).
   * Only when every record sink is spooled (the local default sink is not).
   */
  markProgress?: boolean;
  tuning?: ProjectionTuning;
}

export interface ProjectionStats {
  strategy: string;
  degraded: boolean;
  backlog_records: number;
  sinks: SinkStats[];
}

export interface Projection {
  readonly strategy: string;
  readonly run: string;
  /** The epoch every map write of this process carries. */
  readonly epoch: number;
  readonly names: NamespaceNames;
  /** Synchronous and non-blocking: keeps the outcome's raw facts; rows are built at the next drain. */
  onOutcome(o: OutcomeInput): void;
  onControl(snapshot: ControlSnapshot): void;
  /**
   * The journal's restored slots at start, before recovery applies anything: the lifecycle memo only (no row, no
   * map write), as a replay seeds it from the run's first snapshot (replay.ts invariant 1), so a fill recovery
   * books (an exit leg that filled while the process was down) gets its lifecycle row live too.
   */
  onRestored(slots: readonly SlotRecord[]): void;
  /** The whole confirmed image at start, after recovery: every slot row, the registry, the account. */
  onImage(image: ImageInput): void;
  /** A projector that rebuilds past run `run`'s records from its journal into these sinks (replay.ts). */
  replay(run: string, opts: { debug: boolean; afterSeq: number }): JournalProjector;
  /** Drains maps and spools until empty or timeoutMs; true when everything arrived. */
  flush(timeoutMs: number): Promise<boolean>;
  stats(): ProjectionStats;
  close(): Promise<void>;
}

export async function createProjection(cfg: ProjectionConfig): Promise<Projection> {
  const strategy = checkStrategy(cfg.strategy);
  if (!RUN_ID_RE.test(cfg.run))
    throw new Error(`Condition failed: projection run must match ${RUN_ID_RE.source}, got ${JSON.stringify(cfg.run)}`);
  const t = cfg.tuning ?? {};
  const spoolDir = join(cfg.stateDir, "spool");
  const sinks = buildSinks(cfg, spoolDir);
  const results = await Promise.allSettled(sinks.map((s) => s.connect()));
  const failures = results.flatMap((r, i) =>
    r.status === "rejected" ? [{ sink: sinks[i]!, error: errorText(r.reason) }] : [],
  );
  if (cfg.required && failures.length > 0) {
    await Promise.all(sinks.map((s) => s.close().catch(() => {})));
    throw new Error(`projection: ${failures.map((f) => f.error).join("; ")}`);
  }
  const outboxes = sinks.map((sink) => {
    const spool =
      sink instanceof LocalSpoolSink
        ? null
        : new Spool(spoolDir, sink.name, {
            maxBytes: t.spoolMaxBytes,
            compactBytes: t.spoolCompactBytes,
            onDiagnostic: cfg.onDiagnostic,
          });
    return new Outbox(sink, {
      clock: cfg.clock,
      spool,
      batchMax: t.batchMax,
      delayMs: t.delayMs,
      retryMinMs: t.retryMinMs,
      retryMaxMs: t.retryMaxMs,
      imageCheckMs: t.imageCheckMs,
      mapRecheckMs: t.mapRecheckMs,
      onDiagnostic: cfg.onDiagnostic,
    });
  });
  for (const f of failures) {
    cfg.onDiagnostic({
      code: "SINK_DEGRADED",
      severity: "ERROR",
      sink: f.sink.name,
      message: `projection degraded: ${f.error}`,
      details: { address: f.sink.address },
    });
    outboxes.find((o) => o.sink === f.sink)?.markDown(f.error);
  }
  const epoch = cfg.epochMs ?? cfg.clock.nowMs();
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new Error(`Condition failed: projection epoch must be a non-negative integer of ms, got ${epoch}`);
  const spooled = outboxes.every((o) => o.stats().spooled);
  const mark = cfg.markProgress === true && spooled ? ProjectedMark.open(cfg.stateDir, cfg.run) : null;
  const onDrained = (maxSeq: number) => {
    let whole = true;
    for (const o of outboxes) whole = o.spill() && whole; // rows reach the spool files one drain after their input
    // After any refused row the mark stays at the last seq whose rows were all stored: catch-up rebuilds the rest.
    if (mark !== null && maxSeq >= 0 && whole && outboxes.every((o) => o.spooledAll)) mark.write(maxSeq);
  };
  const core = new ProjectionCore(strategy, cfg.clock, outboxes, epoch, t.delayMs ?? 10, cfg.run, onDrained);
  for (const o of outboxes) o.resyncWith = () => core.resync(o);
  return wrap(core, outboxes, cfg, mark);
}

function buildSinks(cfg: ProjectionConfig, spoolDir: string): Sink[] {
  const t = cfg.tuning ?? {};
  const sinks: Sink[] = [];
  if (cfg.hazelcast)
    sinks.push(
      new HazelcastSink({
        ...cfg.hazelcast,
        strategy: cfg.strategy,
        connectTimeoutMs: t.connectTimeoutMs,
        invocationTimeoutMs: t.invocationTimeoutMs,
      }),
    );
  if (cfg.clickhouse)
    sinks.push(new ClickHouseSink({ ...cfg.clickhouse, requestTimeoutMs: t.requestTimeoutMs }, cfg.clock));
  sinks.push(...(cfg.sinks ?? []));
  if (sinks.length === 0)
    sinks.push(
      new LocalSpoolSink(spoolDir, cfg.onDiagnostic, t.spoolMaxBytes, {
        segmentBytes: t.localSegmentBytes,
        keep: t.localKeep,
      }),
    );
  const names = new Set(sinks.map((s) => s.name));
  if (names.size !== sinks.length)
    throw new Error("Condition failed: projection sinks need distinct names (one spool file each)");
  return sinks;
}

function wrap(core: ProjectionCore, outboxes: Outbox[], cfg: ProjectionConfig, mark: ProjectedMark | null): Projection {
  return {
    strategy: core.strategy,
    run: core.run,
    epoch: core.epoch,
    names: core.names,
    onOutcome: (o) => core.onOutcome(o),
    onControl: (c) => core.onControl(c),
    onRestored: (slots) => core.onRestored(slots),
    onImage: (image) => core.onImage(image),
    replay: (run, opts) => {
      if (!RUN_ID_RE.test(run)) throw new Error(`Condition failed: replayed run must match ${RUN_ID_RE.source}`);
      return new JournalProjector({ strategy: core.strategy, run, clock: cfg.clock, outboxes, ...opts });
    },
    async flush(timeoutMs) {
      core.drain(true); // every refusal summary still owed is written too
      const done = await Promise.all(outboxes.map((o) => o.flush(timeoutMs)));
      return done.every(Boolean);
    },
    stats() {
      core.drain(); // captured facts count as backlog once they are rows
      const sinks = outboxes.map((o) => o.stats());
      return {
        strategy: core.strategy,
        degraded: sinks.some((s) => !s.up),
        backlog_records: sinks.reduce((n, s) => n + s.backlog_records, 0),
        sinks,
      };
    },
    async close() {
      core.drain(true);
      mark?.close();
      await Promise.all(outboxes.map((o) => o.close()));
      await Promise.all(outboxes.map((o) => o.sink.close().catch(() => {})));
    },
  };
}
