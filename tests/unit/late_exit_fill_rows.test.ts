/**
 * The trade_events rows of an exit that fills after the kernel ended it (the hung-order query took it as absent on
 * the venue's "no such order", MARK_STALE, a RECONCILE whose open orders did not list it): the real kernel books the
 * late fill as the exit's (kernel/README.md, decision 38) and the projection turns it into the rows a fill of a
 * working exit makes: a PARTIAL_EXIT for a fill that leaves a position (POSITION_OPEN → POSITION_OPEN), the CLOSE
 * when the position is gone, at the exit's price; the lifecycle fills add up to the position. Before: the fill was
 * an OVERFILL, the slot reconciled flat (IDLE) and no row recorded the exit.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import { RISK_LIMITS_OFF } from "../../src/contracts/control.ts";
import type { KernelInput } from "../../src/contracts/index.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { CallbackSink, createProjection, type TradeEventRow } from "../../src/projection/index.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CONTROL = {
  version: 1,
  mode: "NORMAL",
  verbosity: "QUIET",
  backend: "MOCK",
  debug_clickhouse_enabled: false,
  trace_transitions: false,
  mirror_to_hazelcast: true,
  reconcile_on_restart: true,
  active_slot_limit: 2,
  trading_state: "ACTIVE",
  ...RISK_LIMITS_OFF,
  updated_at_ms: 1_700_000_000_000,
} as const;

/** A real kernel whose every outcome goes to a projection with a trade_events callback sink. */
async function kernelWithRows() {
  const clock = new ManualClock(1_700_000_000_000);
  const stateDir = mkdtempSync(join(tmpdir(), "late-exit-rows-"));
  const sink = new CallbackSink({ takesMaps: false, kinds: ["trade_event"] });
  const p = await createProjection({
    run: "t1",
    strategy: "lx",
    stateDir,
    clock,
    sinks: [sink],
    required: false,
    onDiagnostic: () => {},
    tuning: { delayMs: 1 },
  });
  const kernel = ExecutionKernel.open({ slotCount: 2, hungOrderMs: 30_000 });
  cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  cleanups.push(() => kernel.destroy());
  cleanups.push(() => p.close());
  let seq = 0;
  const apply = (input: Record<string, unknown>) => {
    clock.advance(1);
    const o = kernel.apply({ ...input, now_ms: clock.nowMs() } as KernelInput);
    const { transitions, diagnostics } = o;
    const account = kernel.account();
    p.onOutcome({
      transitions,
      diagnostics,
      slots: (id) => kernel.slot(id),
      account,
      control: CONTROL,
      journalSeq: ++seq,
    });
    return o;
  };
  const ev = (kind: string, cid: string, cum: number, px: number, id = `${cid}:${kind}:${cum}`) =>
    apply({
      type: "VENUE_EVENT",
      slot_id: null,
      event: {
        kind,
        event_id: id,
        venue_order_id: `9${cid.length}00000000000000${cid.endsWith("E") ? 1 : 2}`,
        client_order_id: cid,
        asset: "BTC-USDT",
        filled_size_cumulative: cum,
        avg_price: px,
        last_fill_size: 0,
        last_fill_price: 0,
        fee_cumulative: 0,
        venue_time_ms: 1,
      },
    });
  const rows = async () => {
    expect(await p.flush(5_000)).toBe(true);
    return sink.records.map((r) => r.row as TradeEventRow);
  };
  return { kernel, apply, ev, rows };
}

/** LONG 0.02 @100 on slot 0 (trade L1); exit L1-X1 of it all acknowledged, then ended by the absent path. */
function exitTakenAsEnded(k: Awaited<ReturnType<typeof kernelWithRows>>): void {
  k.apply({ type: "SEED_CAPITAL", capital: 10_000 });
  const enter = { slot_id: 0, trade_id: "L1", asset: "BTC-USDT", side: "LONG", size: 0.02, price: null, leverage: 5 };
  k.apply({ type: "ENTER", ...enter });
  k.ev("FULL_FILL", "L1-E", 0.02, 100);
  k.apply({ type: "EXIT", slot_id: 0, size: 0.02, price: 110, reason: "TP" });
  k.ev("ACK", "L1-X1", 0, 0);
  k.apply({ type: "MARK_STALE", slot_id: 0, reason: "DIVERGENCE" });
  const truth = { side: "LONG", size: 0.02, avg_price: 100, open_order: null };
  expect(k.apply({ type: "RECONCILE", slot_id: 0, truth }).accepted).toBe(true);
  expect(k.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", exit_order: { status: "CANCELLED" } });
}

test("a late exit fill that leaves a position is one PARTIAL_EXIT row; the late fill that empties it is the CLOSE row, at the exit's price", async () => {
  const k = await kernelWithRows();
  exitTakenAsEnded(k);
  const part = k.ev("PARTIAL_FILL", "L1-X1", 0.005, 110);
  expect(part.diagnostics.map((d) => d.code)).toEqual([]);
  expect(part.transitions.map((t) => `${t.from}>${t.to}:${t.trigger}`)).toEqual([
    "POSITION_OPEN>POSITION_OPEN:PARTIAL_FILL",
  ]);
  const full = k.ev("FULL_FILL", "L1-X1", 0.02, 110);
  expect(full.transitions.map((t) => `${t.from}>${t.to}:${t.trigger}`)).toEqual(["POSITION_OPEN>CLOSED:FULL_FILL"]);
  const rows = await k.rows();
  expect(rows.map((r) => r.row_id)).toEqual(["lx:L1:OPEN", "lx:L1:PX1:0.015", "lx:L1:CLOSE"]);
  const [, partial, close] = rows;
  expect(partial).toMatchObject({ event_type: "PARTIAL_EXIT", leg: 1, exit_price: 110, position_size: 0.015 });
  expect(partial!.fill_size).toBeCloseTo(0.005, 12);
  expect(close).toMatchObject({ event_type: "CLOSE", leg: 1, exit_price: 110, position_size: 0, trade_seq: 1 });
  expect(close!.fill_size).toBeCloseTo(0.015, 12);
  expect(close!.realized_pnl).toBeCloseTo(0.2, 12); // 0.02 × (110 − 100)
  expect(close!.capital).toBeCloseTo(10_000.2, 9);
  const exited = rows.filter((r) => r.event_type !== "OPEN").reduce((n, r) => n + r.fill_size, 0);
  expect(exited).toBeCloseTo(0.02, 12);
});

test("the same late fill delivered again adds no row and settles nothing twice", async () => {
  const k = await kernelWithRows();
  exitTakenAsEnded(k);
  k.ev("FULL_FILL", "L1-X1", 0.02, 110);
  expect(k.ev("FULL_FILL", "L1-X1", 0.02, 110).diagnostics.map((d) => d.code)).toEqual(["DUPLICATE_EVENT"]);
  expect(k.ev("FULL_FILL", "L1-X1", 0.02, 110, "copy").diagnostics.map((d) => d.code)).toEqual(["STALE_EVENT"]);
  const rows = await k.rows();
  expect(rows.map((r) => r.event_type)).toEqual(["OPEN", "CLOSE"]);
  expect(k.kernel.account()).toMatchObject({ trade_seq: 1 });
  expect(k.kernel.account().capital).toBeCloseTo(10_000.2, 9);
});
