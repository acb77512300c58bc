/**
 * A belief that lags the venue by one exit leg, against bingx-sim in-process (a ManualClock that
 * every request moves 1 s). The Hazelcast slot row is written only for venue facts: an EXIT is not
 * one, so a process that dies after sending exit X1 and before hearing of it leaves the row at the
 * last confirmed state (leg 0). A start that adopts that row (a new machine: no journal, no state
 * region) reconciles the position to the venue's, but its slot's `leg` is lower than the highest
 * leg it sent: its next exit is named X1 again, and BingX refuses an id it remembers (80014).
 *
 * What the system must do then: the refusal is a REJECT (VENUE_REJECTED naming the id), the slot is
 * back in POSITION_OPEN with that leg spent, and the next exit (the strategy's, or a flatten's) gets
 * a new id (X2) that the venue takes: no retry reuses the refused id, the position can be exited.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlSnapshot, RISK_LIMITS_OFF } from "../../src/contracts/control.ts";
import type { FlattenRequest } from "../../src/contracts/flatten.ts";
import type { DiagnosticRecord, KernelOutcome, SlotRecord } from "../../src/contracts/records.ts";
import { encodeSlotImage } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { Flattener } from "../../src/launcher/flatten.ts";
import { LiveReconciler } from "../../src/launcher/live_reconcile.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { CallbackSink, createProjection, namespaceNames } from "../../src/projection/index.ts";
import { QUICK_STREAM, simAdapter, simOnClock } from "../_support/bingx_sim.ts";
import { freshKernel } from "../_support/kernel.ts";

const stops: Array<() => Promise<void>> = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const CONTROL: ControlSnapshot = {
  version: 1,
  mode: "NORMAL",
  verbosity: "QUIET",
  backend: "BINGX",
  debug_clickhouse_enabled: false,
  trace_transitions: false,
  mirror_to_hazelcast: true,
  reconcile_on_restart: true,
  active_slot_limit: 2,
  trading_state: "ACTIVE",
  ...RISK_LIMITS_OFF,
  updated_at_ms: 1_700_000_000_000,
};

type Sim = Awaited<ReturnType<typeof simOnClock>>;

/** One process: a kernel, an adapter on the sim (each request moves the clock 1 s), its executor. */
async function process_(sim: Sim, capital: number) {
  const { clock } = sim;
  const adapter = simAdapter(sim.sim, clock, {
    fetch: (url, init) => {
      clock.advance(1_000);
      return fetch(url, init);
    },
    resolveDelaysMs: [0],
    stream: QUICK_STREAM,
  });
  const kernel = freshKernel({ slots: 2, capital });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await adapter.close();
    kernel.destroy();
  };
  stops.push(close);
  await adapter.connect();
  const diags: DiagnosticRecord[] = [];
  const outcomes: Array<(o: KernelOutcome) => void> = [(o) => void diags.push(...o.diagnostics)];
  const afterApply = (_i: unknown, o: KernelOutcome) => {
    for (const f of outcomes) f(o);
  };
  const executor = new Executor(kernel, adapter, clock, { afterApply });
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await executor.drain(2_000);
      await Bun.sleep(5);
    }
  };
  return { kernel, adapter, executor, diags, outcomes, settle, close };
}

/**
 * The first process: a long of 0.02 (trade H1) with its slot rows projected into a map sink, then
 * an exit of 0.01 (H1-X1) that fills at the venue; the process dies right after sending it (nothing
 * after the EXIT reaches the map). Returns the map's row of slot 0, as a second start reads it.
 */
async function firstProcessDiesAfterExit(sim: Sim): Promise<Record<string, unknown>> {
  const p = await process_(sim, 10_000);
  const stateDir = mkdtempSync(join(tmpdir(), "dita-leg-lag-"));
  dirs.push(stateDir);
  const sink = new CallbackSink({ kinds: [] });
  const projection = await createProjection({
    strategy: "pink",
    run: "lag1",
    stateDir,
    clock: sim.clock,
    required: false,
    onDiagnostic: () => {},
    sinks: [sink],
  });
  stops.push(() => projection.close());
  let alive = true;
  p.outcomes.push((o) => {
    if (!alive) return;
    const slots = p.kernel.slots();
    const account = p.kernel.account();
    projection.onOutcome({ ...o, slots: (id) => slots[id]!, account, control: CONTROL, journalSeq: 1 });
  });
  const enter = { type: "ENTER", slot_id: 0, trade_id: "H1", asset: "BTC-USDT", side: "LONG" } as const;
  expect(p.executor.submitStrategy({ ...enter, size: 0.02, price: null, leverage: 3 }).accepted).toBe(true);
  await p.settle();
  expect(p.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.02, leg: 0 });
  const exit = p.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "TP" });
  alive = false; // killed: the exit is on its way, nothing after it is projected
  expect(exit.accepted).toBe(true);
  expect(p.kernel.slot(0).exit_order?.client_order_id).toBe("H1-X1");
  await p.settle();
  expect(sim.sim.state().orders.map((o) => [o.clientOrderId, o.status])).toEqual([
    ["h1-e", "FILLED"],
    ["h1-x1", "FILLED"],
  ]);
  await projection.flush(5_000);
  await p.close();
  const row = sink.image.get(namespaceNames("pink").state)?.get("0");
  expect(row).toMatchObject({ stage: "POSITION_OPEN", size: 0.02, leg: 0, exit_order: null });
  return JSON.parse(JSON.stringify(row));
}

/** A second start adopting the row (belief "hazelcast"), reconciled with the venue. */
async function secondStart(sim: Sim, row: Record<string, unknown>) {
  sim.clock.advance(60_000);
  const p = await process_(sim, 0);
  const { strategy: _s, epoch: _e, ...record } = row;
  const images = [encodeSlotImage(record as unknown as SlotRecord), new Uint8Array(448)];
  const deps = { kernel: p.kernel, executor: p.executor, venue: p.adapter, nowMs: () => sim.clock.nowMs() };
  const report = await recover({ ...deps, log: () => {} }, { source: "hazelcast", images }, true);
  expect(report.orphans).toEqual([]);
  // The venue's size is taken; the leg is the row's: lower than the leg the first process sent.
  expect(p.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, leg: 0 });
  return p;
}

const rejected = (diags: DiagnosticRecord[]) => diags.filter((d) => d.code === "VENUE_REJECTED");

describe("an exit refused for a client id the venue remembers (a belief one leg behind)", () => {
  test("the refused exit is a REJECT naming the id, the leg is spent, and the strategy's next exit gets a new id the venue takes", async () => {
    const sim = await simOnClock(67);
    stops.push(() => sim.sim.stop());
    const p = await secondStart(sim, await firstProcessDiesAfterExit(sim));

    const again = p.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" });
    expect(again.accepted).toBe(true);
    expect(p.kernel.slot(0).exit_order?.client_order_id).toBe("H1-X1"); // the lagging leg reuses the id
    await p.settle();
    expect(p.kernel.slot(0)).toMatchObject({
      stage: "POSITION_OPEN",
      size: 0.01,
      leg: 1,
      exit_order: { client_order_id: "H1-X1", status: "REJECTED" },
    });
    expect(rejected(p.diags).map((d) => d.message)).toEqual(["EXIT order H1-X1 rejected by the venue"]);

    const next = p.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" });
    expect(next.accepted).toBe(true);
    expect(p.kernel.slot(0).exit_order?.client_order_id).toBe("H1-X2");
    await p.settle();
    expect(p.kernel.slot(0)).toMatchObject({ stage: "CLOSED", size: 0, exit_order: { status: "FILLED" } });
    expect(await p.adapter.positions()).toEqual([]);
    expect(sim.sim.state().orders.map((o) => o.clientOrderId)).toEqual(["h1-e", "h1-x1", "h1-x2"]);
  }, 30_000);

  test("a flatten whose market exit is refused for the reused id takes the venue's truth and exits under a new id: complete", async () => {
    const sim = await simOnClock(68);
    stops.push(() => sim.sim.stop());
    const p = await secondStart(sim, await firstProcessDiesAfterExit(sim));
    const ops = {
      kernel: p.kernel,
      executor: p.executor,
      venue: p.adapter,
      clock: sim.clock,
      log: () => {},
      // Pauses pass on the sim's clock; the flatten's wait for a reconcile pass (up to its bound) ends with the pass.
      sleep: async (ms: number) => {
        if (ms >= 10_000) return new Promise<void>(() => {});
        sim.clock.advance(ms);
        await Bun.sleep(1);
      },
    };
    const reconciler = new LiveReconciler({ ...ops, report: () => {} });
    const flattener = new Flattener({ ...ops, halt: () => {}, reconcileNow: () => reconciler.pass() });
    const report = await flattener.run({ timeout_ms: 60_000 } as FlattenRequest);
    expect(report.complete).toBe(true);
    expect(report.attempts.after_refusal).toBe(1);
    expect(rejected(p.diags).map((d) => d.message)).toEqual(["EXIT order H1-X1 rejected by the venue"]);
    expect(p.kernel.slot(0)).toMatchObject({ stage: "CLOSED", leg: 2, exit_order: { client_order_id: "H1-X2" } });
    expect(sim.sim.state().orders.map((o) => o.clientOrderId)).toEqual(["h1-e", "h1-x1", "h1-x2"]);
  }, 30_000);
});
