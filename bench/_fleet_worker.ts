/**
 * One kernel of bench/fleet.ts, in its own process: the realistic stream of bench/kernel.ts through
 * `kernel.apply` alone and through `kernel.apply` + `projection.onOutcome` with a live Hazelcast sink
 * (rounds alternate), then one round fed as fast as it goes and flushed, for the sink's throughput
 * (map writes applied and topic messages per second, first input to last acknowledgement). Prints
 * one JSON line.
 *
 *   bun bench/_fleet_worker.ts ADDR CLUSTER NAMESPACE TRADES ROUNDS
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlSnapshot, RISK_LIMITS_OFF } from "../src/contracts/control.ts";
import { ExecutionKernel } from "../src/kernel/index.ts";
import { createProjection, type Projection } from "../src/projection/index.ts";
import { kernelStream } from "./_kernel_stream.ts";
import { SystemClockForBench } from "./projection_clock.ts";

const [addr, cluster, ns, tradesArg, roundsArg] = process.argv.slice(2) as [string, string, string, string, string];
const stream = kernelStream(Number(tradesArg), 8);
const ROUNDS = Number(roundsArg);
const control: ControlSnapshot = {
  version: 1,
  mode: "NORMAL",
  verbosity: "QUIET",
  backend: "BINGX",
  debug_clickhouse_enabled: false,
  trace_transitions: false,
  mirror_to_hazelcast: true,
  reconcile_on_restart: true,
  active_slot_limit: 8,
  trading_state: "ACTIVE",
  ...RISK_LIMITS_OFF,
  updated_at_ms: 1_700_000_000_000,
};

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** One pass over the stream; per-input ns when `timed`. */
async function pass(projection: Projection | null, timed: boolean): Promise<{ p50: number; p99: number }> {
  const k = ExecutionKernel.open({ slotCount: 8 });
  const ns = new Float64Array(timed ? stream.length : 1);
  const slotImage = (id: number) => k.slotImage(id);
  for (let i = 0; i < stream.length; i++) {
    const s = timed ? Bun.nanoseconds() : 0;
    const o = k.apply(stream[i]!);
    projection?.onOutcome({
      transitions: o.transitions,
      diagnostics: o.diagnostics,
      slotImage,
      account: k.account(),
      control,
      journalSeq: i + 1,
    });
    if (timed) ns[i] = Bun.nanoseconds() - s;
    if ((i & 1023) === 1023) await Bun.sleep(0); // the event loop turns, as in serve: the outbox drains
  }
  k.destroy();
  ns.sort();
  return { p50: pct(ns, 0.5), p99: pct(ns, 0.99) };
}

const stateDir = mkdtempSync(join(tmpdir(), `dita-bench-fleet-${ns}-`));
const clock = new SystemClockForBench();
try {
  const projection = await createProjection({
    run: "benchfleet",
    strategy: ns,
    stateDir,
    clock,
    required: true,
    onDiagnostic: () => {},
    hazelcast: { addr, cluster },
  });
  const bare: Array<{ p50: number; p99: number }> = [];
  const attached: Array<{ p50: number; p99: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(await pass(null, true));
    attached.push(await pass(projection, true));
  }
  if (!(await projection.flush(300_000))) throw new Error("latency rounds did not drain");
  const before = projection.stats().sinks[0]!;
  const t0 = Bun.nanoseconds();
  await pass(projection, false);
  const flushed = await projection.flush(300_000);
  const seconds = (Bun.nanoseconds() - t0) / 1e9;
  const after = projection.stats().sinks[0]!;
  await projection.close();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    JSON.stringify({
      namespace: ns,
      inputs: stream.length,
      kernel_ns: { p50: med(bare.map((x) => x.p50)), p99: med(bare.map((x) => x.p99)) },
      with_projection_ns: { p50: med(attached.map((x) => x.p50)), p99: med(attached.map((x) => x.p99)) },
      flushed,
      drain_s: seconds,
      map_writes:
        after.map_writes_applied + after.map_writes_stale - before.map_writes_applied - before.map_writes_stale,
      topic_messages: after.records_written - before.records_written,
    }),
  );
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
