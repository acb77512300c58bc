/**
 * The kernel's per-input latency with and without the projection attached, side by side on the
 * realistic mixed stream of bench/kernel.ts (entries, acks, fills, marks, two-leg exits), the way
 * the runtime calls them: `kernel.apply(input)` then `projection.onOutcome(...)` with live
 * Hazelcast and ClickHouse sinks (DEBUG journal on). Rounds alternate the two modes; the figure
 * that matters is what the outbox adds at p99 (target ≤ 2 µs). Results in
 * bench/results/projection_latency.json.
 *
 *   bun bench/projection_latency.ts [TRADES (4000)] [ROUNDS (5)]
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ControlSnapshot } from "../src/contracts/control.ts";
import { RISK_LIMITS_OFF } from "../src/contracts/control.ts";
import { ExecutionKernel } from "../src/kernel/index.ts";
import { createProjection, type Projection } from "../src/projection/index.ts";
import { startClickHouse, startHazelcast } from "../tests/integration/_services.ts";
import { kernelStream } from "./_kernel_stream.ts";
import { SystemClockForBench } from "./projection_clock.ts";

const TRADES = Number(process.argv[2] ?? 4000);
const ROUNDS = Number(process.argv[3] ?? 5);
const stream = kernelStream(TRADES, 8);
const control: ControlSnapshot = {
  version: 1,
  mode: "DEBUG",
  verbosity: "TRACE",
  backend: "BINGX",
  debug_clickhouse_enabled: true,
  trace_transitions: true,
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

async function round(projection: Projection | null): Promise<{ p50: number; p99: number }> {
  const k = ExecutionKernel.open({ slotCount: 8 });
  const ns = new Float64Array(stream.length);
  const slotImage = (id: number) => k.slotImage(id); // built once, as in Runtime
  for (let i = 0; i < stream.length; i++) {
    const s = Bun.nanoseconds();
    const o = k.apply(stream[i]!);
    projection?.onOutcome({
      transitions: o.transitions,
      diagnostics: o.diagnostics,
      slotImage,
      account: k.account(),
      control,
      journalSeq: i + 1,
    });
    ns[i] = Bun.nanoseconds() - s;
    if ((i & 1023) === 1023) await Bun.sleep(0); // the event loop turns, as in serve; projection and outboxes drain
  }
  k.destroy();
  ns.sort();
  return { p50: pct(ns, 0.5), p99: pct(ns, 0.99) };
}

const [ch, hz] = await Promise.all([startClickHouse(), startHazelcast()]);
const stateDir = mkdtempSync(join(tmpdir(), "dita-bench-pl-"));
try {
  const projection = await createProjection({
    run: "t1",
    strategy: "benchlat",
    stateDir,
    clock: new SystemClockForBench(),
    required: true,
    onDiagnostic: () => {},
    hazelcast: { addr: hz.addr, cluster: hz.cluster },
    clickhouse: { url: ch.url, database: "default" },
  });
  const bare: Array<{ p50: number; p99: number }> = [];
  const attached: Array<{ p50: number; p99: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(await round(null));
    attached.push(await round(projection));
  }
  await projection.flush(120_000);
  await projection.close();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result = {
    bench: "projection_latency",
    inputs_per_round: stream.length,
    rounds: ROUNDS,
    kernel_apply_ns: { p50: med(bare.map((x) => x.p50)), p99: med(bare.map((x) => x.p99)) },
    kernel_apply_plus_projection_ns: { p50: med(attached.map((x) => x.p50)), p99: med(attached.map((x) => x.p99)) },
    added_by_projection_ns: {
      p50: med(attached.map((x) => x.p50)) - med(bare.map((x) => x.p50)),
      p99: med(attached.map((x) => x.p99)) - med(bare.map((x) => x.p99)),
    },
    target_added_p99_ns: 2000,
    all_rounds: { bare, attached },
    bun: Bun.version,
  };
  mkdirSync(join(import.meta.dir, "results"), { recursive: true });
  writeFileSync(join(import.meta.dir, "results/projection_latency.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(stateDir, { recursive: true, force: true });
  await Promise.all([ch.destroy(), hz.destroy()]);
}
