/**
 * Projection benchmark against real servers (started here, stopped at the end):
 *  - enqueue: p50/p99/max ns of `projection.onOutcome` (one venue-fact transition, DEBUG journal on;
 *    hand-built records, so the `slots` path: each call captures the transition, slot and account
 *    records, and the drain later builds a slot row, an active-registry entry, the account row and a
 *    transition row from them);
 *  - ClickHouse: sustained rows/s from first enqueue to the end of `flush` (spool write + read + insert);
 *  - Hazelcast: compare-and-set map updates/s actually applied, and topic messages/s.
 * Writes bench/results/projection.json. Usage: bun bench/projection.ts [outcomes=100000]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { SlotRecord, Trigger } from "../src/contracts/records.ts";
import {
  createProjection,
  HazelcastSink,
  type MapWrite,
  type OutcomeInput,
  type Projection,
} from "../src/projection/index.ts";
import { startClickHouse, startHazelcast } from "../tests/integration/_services.ts";
import { control, idleSlot, TradeScript, wholeTrade } from "../tests/integration/projection_fixtures.ts";
import { SystemClockForBench } from "./projection_clock.ts";

const N = Number(process.argv[2] ?? 100_000);
const SLOTS = 64;

function syntheticOutcomes(n: number): OutcomeInput[] {
  const ctl = control({ mode: "DEBUG", debug_clickhouse_enabled: true });
  const k = new TradeScript();
  const out: OutcomeInput[] = [];
  for (let i = 0; i < n; i++) {
    const id = i % SLOTS;
    const version = Math.floor(i / SLOTS) + 1;
    const trigger: Trigger = version % 2 ? "ACK" : "PARTIAL_FILL";
    const slot: SlotRecord = {
      ...idleSlot(id),
      stage: "ENTRY_WORKING",
      trade_id: `B${id}`,
      asset: "BTC-USDT",
      side: "LONG",
      size: version * 0.001,
      entry_price: 100,
      version,
      updated_at_ms: 1_700_000_000_000 + i,
    };
    const account = { ...k.account, version: i + 2 };
    out.push({
      transitions: [
        {
          input_index: 0,
          slot_id: id,
          from: "ENTRY_WORKING",
          to: "ENTRY_WORKING",
          trigger,
          row: 2,
          version,
          now_ms: slot.updated_at_ms,
        },
      ],
      diagnostics: [],
      slots: () => slot,
      account,
      control: ctl,
      journalSeq: i + 1,
    });
  }
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function timed(p: Projection, outcomes: OutcomeInput[]) {
  const ns = new Float64Array(outcomes.length);
  const t0 = performance.now();
  for (let i = 0; i < outcomes.length; i++) {
    const s = Bun.nanoseconds();
    p.onOutcome(outcomes[i]!);
    ns[i] = Bun.nanoseconds() - s;
    if ((i & 4095) === 4095) await Bun.sleep(0); // let the drain loop run, as the kernel loop would
  }
  const enqueueMs = performance.now() - t0;
  const flushed = await p.flush(300_000);
  const totalMs = performance.now() - t0;
  ns.sort();
  return { ns, enqueueMs, totalMs, flushed };
}

/** Raw compare-and-set throughput: `rounds` batches of 256 keys, each round one version newer (nothing coalesces). */
async function mapThroughput(addr: string, cluster: string, rounds: number) {
  const sink = new HazelcastSink({ addr, cluster, strategy: "benchmaps" });
  await sink.connect();
  const t0 = performance.now();
  let applied = 0;
  for (let v = 1; v <= rounds; v++) {
    const batch: MapWrite[] = Array.from({ length: 256 }, (_, k) => ({
      map: "DOLPHIN_STATE_BENCHMAPS",
      key: String(k),
      value: { strategy: "benchmaps", slot_id: k, version: v, stage: "POSITION_OPEN", size: v },
      version: v,
    }));
    applied += (await sink.writeMaps(batch)).applied;
  }
  const ms = performance.now() - t0;
  await sink.close();
  return { applied, map_updates_per_s: Math.round(applied / (ms / 1000)) };
}

async function main(): Promise<void> {
  const [ch, hz] = await Promise.all([startClickHouse(), startHazelcast("bench")]);
  const stateDir = mkdtempSync(join(tmpdir(), "proj-bench-"));
  try {
    const outcomes = syntheticOutcomes(N);
    const p = await createProjection({
      run: "t1",
      strategy: "bench",
      stateDir,
      clock: new SystemClockForBench(),
      hazelcast: { addr: hz.addr, cluster: hz.cluster },
      clickhouse: { url: ch.url, database: "bench" },
      required: true,
      onDiagnostic: (d) => console.error(d.message),
    });
    const r = await timed(p, outcomes);
    const [hzs, chs] = p.stats().sinks;
    // Topic throughput: whole trades publish 4 lifecycle messages each.
    const k = new TradeScript();
    const trades = Array.from({ length: 500 }, (_, i) => wholeTrade(k, i % 8, `T${i}`)).flat();
    const t1 = performance.now();
    for (const o of trades) p.onOutcome(o);
    await p.flush(120_000);
    const topicMs = performance.now() - t1;
    const topicWritten = p.stats().sinks[0]!.records_written - hzs!.records_written;
    await p.close();
    const maps = await mapThroughput(hz.addr, hz.cluster, 40);
    const result = {
      outcomes: N,
      slots: SLOTS,
      enqueue_ns: {
        p50: percentile(r.ns, 0.5),
        p99: percentile(r.ns, 0.99),
        p999: percentile(r.ns, 0.999),
        max: r.ns[r.ns.length - 1],
      },
      enqueue_target_p99_ns: 2000,
      clickhouse: {
        rows: chs!.records_written,
        rows_per_s: Math.round(chs!.records_written / (r.totalMs / 1000)),
        total_ms: Math.round(r.totalMs),
        flushed: r.flushed,
      },
      hazelcast: {
        cas_map_updates: maps.applied,
        cas_map_updates_per_s: maps.map_updates_per_s,
        outbox_map_puts_enqueued: N * 3,
        outbox_map_writes_applied_after_coalescing: hzs!.map_writes_applied,
        topic_messages: topicWritten,
        topic_messages_per_s: Math.round(topicWritten / (topicMs / 1000)),
      },
      enqueue_phase_ms: Math.round(r.enqueueMs),
      bun: Bun.version,
    };
    const out = resolve(import.meta.dir, "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "projection.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    await Promise.all([ch.destroy(), hz.destroy()]);
  }
}

await main();
