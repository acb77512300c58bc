/**
 * createProjection: builds the sinks from configuration, connects them, and wires one outbox (with
 * its spool under `<stateDir>/spool/`) per sink. With no server configured and no extra sink, the
 * LocalSpoolSink is the only destination. A sink that cannot connect either fails the whole call
 * with one line naming the sink and address (`required`) or leaves the projection degraded: its
 * outbox spools, stats show it down and a SINK_DEGRADED diagnostic is emitted.
 */
import { join } from "node:path";
import type { Clock } from "../contracts/clock.ts";
import type { ControlSnapshot } from "../contracts/control.ts";
import { ClickHouseSink } from "./clickhouse.ts";
import { HazelcastSink } from "./hazelcast.ts";
import { LocalSpoolSink } from "./local.ts";
import { checkStrategy, type NamespaceNames } from "./names.ts";
import { Outbox } from "./outbox.ts";
import { type OutcomeInput, ProjectionCore } from "./projection.ts";
import { Spool } from "./spool.ts";
import { errorText, type ProjectionDiagnostic, type Sink, type SinkStats } from "./types.ts";

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
}

export interface ProjectionConfig {
  strategy: string;
  stateDir: string;
  clock: Clock;
  hazelcast?: { addr: string; cluster: string } | null;
  clickhouse?: { url: string; database: string } | null;
  required: boolean;
  onDiagnostic: (d: ProjectionDiagnostic) => void;
  /** This process's epoch for map writes (default: `clock.nowMs()` at creation; README "Version epochs"). */
  epochMs?: number;
  /** Extra sinks (CallbackSink in tests); each gets a spooled outbox like the servers. */
  sinks?: Sink[];
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
  /** The epoch every map write of this process carries. */
  readonly epoch: number;
  readonly names: NamespaceNames;
  /** Synchronous and non-blocking: keeps the outcome's raw facts; rows are built at the next drain. */
  onOutcome(o: OutcomeInput): void;
  onControl(snapshot: ControlSnapshot): void;
  /** Drains maps and spools until empty or timeoutMs; true when everything arrived. */
  flush(timeoutMs: number): Promise<boolean>;
  stats(): ProjectionStats;
  close(): Promise<void>;
}

export async function createProjection(cfg: ProjectionConfig): Promise<Projection> {
  const strategy = checkStrategy(cfg.strategy);
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
  return wrap(new ProjectionCore(strategy, cfg.clock, outboxes, epoch, t.delayMs ?? 10), outboxes);
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
  if (sinks.length === 0) sinks.push(new LocalSpoolSink(spoolDir, cfg.onDiagnostic, t.spoolMaxBytes));
  const names = new Set(sinks.map((s) => s.name));
  if (names.size !== sinks.length)
    throw new Error("Condition failed: projection sinks need distinct names (one spool file each)");
  return sinks;
}

function wrap(core: ProjectionCore, outboxes: Outbox[]): Projection {
  return {
    strategy: core.strategy,
    epoch: core.epoch,
    names: core.names,
    onOutcome: (o) => core.onOutcome(o),
    onControl: (c) => core.onControl(c),
    async flush(timeoutMs) {
      core.drain();
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
      core.drain();
      await Promise.all(outboxes.map((o) => o.close()));
      await Promise.all(outboxes.map((o) => o.sink.close().catch(() => {})));
    },
  };
}
