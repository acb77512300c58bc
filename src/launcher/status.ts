/**
 * The status document (`once`, `GET /status`, `dita-v2 status`) and the health verdict
 * (`GET /health`, `dita-v2 healthcheck`). Everything is read live from its owner: slots and
 * account from kernel memory, backlog from the projection, connectivity and the rate throttle's
 * counters (`venue.throttle`, null for the mock) from the venue.
 */

import type { Static } from "@sinclair/typebox";
import type { Same } from "../contracts/record_schemas.ts";
import type {
  KernelStatusSchema,
  ReconcileStatsSchema,
  RecoveryReportSchema,
  RingStatsSchema,
  SinkStatsSchema,
  StatusDocument,
  VenueRateStatsSchema,
} from "../contracts/status_schema.ts";
import type { VenueRateStats } from "../contracts/venue.ts";
import { VERSION } from "../contracts/version.ts";
import type { KernelConfig } from "../kernel/index.ts";
import type { SinkStats } from "../projection/index.ts";
import type { RingStats } from "../zinc/index.ts";
import type { ReconcileStats } from "./live_reconcile.ts";
import type { RecoveryReport } from "./recovery.ts";
import type { Runtime } from "./runtime.ts";

// The parts' own types are the status schema's parts (`GET /openapi.json` publishes that schema).
export const _sameParts: [
  Same<SinkStats, Static<typeof SinkStatsSchema>>,
  Same<RingStats, Static<typeof RingStatsSchema>>,
  Same<RecoveryReport, Static<typeof RecoveryReportSchema>>,
  Same<ReconcileStats, Static<typeof ReconcileStatsSchema>>,
  Same<KernelConfig & { faulted: boolean }, Static<typeof KernelStatusSchema>>,
  Same<VenueRateStats, Static<typeof VenueRateStatsSchema>>,
] = [true, true, true, true, true, true];

export function statusDocument(rt: Runtime): StatusDocument {
  const { kernel, control, venue, projection, journal, config, zinc } = rt.b;
  return {
    version: VERSION,
    strategy: config.strategy,
    run: rt.b.run,
    started_at_ms: rt.startedAtMs,
    control: control.snapshot(),
    kernel: { ...kernel.config(), faulted: kernel.faulted() },
    slots: kernel.slots(),
    account: kernel.account(),
    state_hash: kernel.stateHashHex(),
    venue: {
      name: venue.name,
      connected: venue.connected(),
      inflight: rt.executor.inflightCount,
      throttle: venue.rateStats?.() ?? null,
    },
    projection: projection.stats(),
    zinc: {
      kind: config.zinc,
      prefix: config.zinc === "REAL" ? config.zinc_prefix : null,
      ring: zinc.ringStats(),
      hostile: rt.hostileRegion,
    },
    journal: journal
      ? {
          path: journal.path,
          segment: journal.segment,
          rotations: journal.rotations,
          entries: journal.entries,
          refused_not_journaled: journal.refused,
          write_refused: rt.journal.failing,
          recovered: rt.b.journalBelief,
        }
      : null,
    recovery: rt.recovery,
    reconciliation: { interval_ms: config.reconcile_interval_ms, ...rt.reconciler.stats },
    event_loop: rt.metrics.loopLagRecent(),
    flatten: rt.flattener.last,
    intake_open: rt.executor.accepting,
  };
}

export function health(rt: Runtime): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (rt.b.kernel.faulted()) reasons.push("kernel faulted (read-only after a caught panic)");
  if (!rt.b.venue.connected()) reasons.push(`venue ${rt.b.venue.name} not connected`);
  if (!rt.executor.accepting) reasons.push("shutting down");
  if (rt.recovery === null) reasons.push("recovery not finished");
  if (rt.journal.failing !== null) reasons.push(`journal writes refused: ${rt.journal.failing}`);
  if (rt.hostileRegion !== null) reasons.push(`zinc region corrupt, consumption stopped: ${rt.hostileRegion}`);
  return { ok: reasons.length === 0, reasons };
}
