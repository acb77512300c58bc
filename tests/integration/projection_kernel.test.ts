/**
 * A whole trade through the REAL kernel (ExecutionKernel + MockVenueAdapter + Executor), every
 * outcome fed to createProjection with a real Hazelcast 5.5 member and ClickHouse 18.16 (started
 * for this file by _services.ts): map entries, topic messages and table rows are compared field by
 * field with the kernel's own records captured after each input — no hand-built fixture.
 *
 * Trade on slot 0: ENTER 0.02 (entry fills in 2 legs) → mark → EXIT 0.01 (one fill) → EXIT 0.01
 * (2 legs) → CLOSED; DEBUG mode with debug_clickhouse_enabled, so every transition is journaled.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { ControlSnapshot } from "../../src/contracts/control.ts";
import { RISK_LIMITS_OFF } from "../../src/contracts/control.ts";
import type { KernelInput, StrategyIntent } from "../../src/contracts/index.ts";
import type { AccountRecord, KernelOutcome, SlotRecord, TransitionRecord } from "../../src/contracts/records.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { readTopic } from "../../src/projection/_iso_hz.ts";
import { type HzClient, newHzClient } from "../../src/projection/hz_client.ts";
import { CallbackSink, createProjection, type Projection } from "../../src/projection/index.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { type ClickHouseService, type HazelcastService, startClickHouse, startHazelcast } from "./_services.ts";

let hz: HazelcastService;
let ch: ClickHouseService;
let reader: HzClient;
let q: ClickHouseClient;
beforeAll(async () => {
  [hz, ch] = await Promise.all([startHazelcast("dita-pk"), startClickHouse()]);
  reader = await newHzClient({ addr: hz.addr, cluster: hz.cluster }, false);
  q = createClient({ url: ch.url, request_timeout: 10_000, log: { level: ClickHouseLogLevel.OFF } });
}, 180_000);
afterAll(async () => {
  await reader?.shutdown().catch(() => {});
  await q?.close();
  await Promise.all([hz?.destroy(), ch?.destroy()]);
}, 60_000);

/** The projection's start time: every map row it writes carries it as `epoch`. */
const EPOCH = 1_700_000_500_000;
const CONTROL: ControlSnapshot = {
  version: 3,
  mode: "DEBUG",
  verbosity: "QUIET",
  backend: "MOCK",
  debug_clickhouse_enabled: true,
  trace_transitions: false,
  mirror_to_hazelcast: true,
  reconcile_on_restart: true,
  active_slot_limit: 4,
  trading_state: "ACTIVE",
  ...RISK_LIMITS_OFF,
  updated_at_ms: 1_700_000_000_000,
};

/** What the kernel said after one input: the outcome and a snapshot of every slot and the account. */
interface Rec {
  seq: number;
  outcome: KernelOutcome;
  slots: SlotRecord[];
  account: AccountRecord;
}

class KernelTrade {
  readonly clock = new ManualClock();
  readonly kernel = ExecutionKernel.open({ slotCount: 4, hungOrderMs: 30_000 });
  readonly venue = new MockVenueAdapter({
    seed: 42,
    clock: this.clock,
    prices: { "BTC-USDT": 65_000 },
    balance: 10_000,
  });
  readonly executor: Executor;
  readonly recs: Rec[] = [];

  constructor(private readonly projection: Projection) {
    this.executor = new Executor(this.kernel, this.venue, this.clock, { afterApply: (_i, o) => this.afterApply(o) });
  }

  /** As Runtime.afterApply, but every outcome is projected (marks included). */
  private afterApply(outcome: KernelOutcome): void {
    const slots = this.kernel.slots();
    const account = this.kernel.account();
    const seq = this.recs.length + 1;
    this.recs.push({ seq, outcome, slots, account });
    this.projection.onOutcome({
      transitions: outcome.transitions,
      diagnostics: outcome.diagnostics,
      slots: (id) => slots[id]!,
      account,
      control: CONTROL,
      journalSeq: seq,
    });
  }

  async step(intent: StrategyIntent, until: (s: SlotRecord) => boolean): Promise<void> {
    this.clock.advance(1_000);
    const o = this.executor.submitStrategy(intent);
    expect(o.accepted).toBe(true);
    for (let i = 0; i < 400 && !until(this.kernel.slot(0)); i++) await Bun.sleep(5);
    expect(until(this.kernel.slot(0))).toBe(true);
    await Bun.sleep(20); // late duplicates, if any, land before the next step
  }

  /** The record whose outcome holds the transition matching `pick`. */
  find(pick: (t: TransitionRecord) => boolean): { rec: Rec; t: TransitionRecord } {
    for (const rec of this.recs) for (const t of rec.outcome.transitions) if (pick(t)) return { rec, t };
    throw new Error("no such transition");
  }
}

/** The trade_events row the spec (DESIGN §6, projection README) asks for, from the kernel's records. */
function lifecycleRow(type: string, rowId: string, rec: Rec, t: TransitionRecord, fill: number) {
  const s = rec.slots[t.slot_id]!;
  const a = rec.account;
  return {
    row_id: rowId,
    strategy: "pink",
    run: "t1",
    seq: rec.seq,
    event_type: type,
    trade_id: s.trade_id,
    slot_id: s.slot_id,
    asset: s.asset,
    side: s.side,
    leverage: s.leverage,
    leg: s.leg,
    entry_price: s.entry_price,
    exit_price: type === "OPEN" ? 0 : s.exit_order!.avg_fill_price,
    fill_size: fill,
    position_size: s.size,
    realized_pnl: s.realized_pnl,
    unrealized_pnl: s.unrealized_pnl,
    fees: s.fees,
    capital: a.capital,
    equity: a.equity,
    trade_seq: a.trade_seq,
    exit_reason: s.exit_reason ?? "",
    version: s.version,
    now_ms: t.now_ms,
  };
}
/** ClickHouse answers UInt64 columns as strings. */
const asCh = (r: Record<string, unknown>, u64: string[]) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, u64.includes(k) ? String(v) : v]));
const entries = async (map: string) =>
  new Map(
    (await (await reader.getMap<string, Record<string, unknown>>(map)).entrySet()) as [
      string,
      Record<string, unknown>,
    ][],
  );
const rows = async (query: string) => (await q.query({ query, format: "JSONEachRow" })).json<Record<string, unknown>>();

test("a whole trade through the real kernel projects maps, topic messages and table rows equal to the kernel's own records", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "proj-kernel-"));
  const clock = new ManualClock(EPOCH);
  const p = await createProjection({
    run: "t1",
    strategy: "pink",
    stateDir,
    clock,
    hazelcast: { addr: hz.addr, cluster: hz.cluster },
    clickhouse: { url: ch.url, database: "it_kernel" },
    required: true,
    onDiagnostic: () => {},
    tuning: {
      delayMs: 2,
      retryMinMs: 50,
      retryMaxMs: 300,
      connectTimeoutMs: 5_000,
      invocationTimeoutMs: 5_000,
      requestTimeoutMs: 5_000,
    },
  });
  const k = new KernelTrade(p);
  try {
    await k.venue.connect();
    k.executor.applySystem({ type: "SEED_CAPITAL", capital: 10_000, now_ms: k.clock.nowMs() });
    k.venue.setKnobs({ partial_fill_legs: 2 });
    await k.step(
      {
        type: "ENTER",
        slot_id: 0,
        trade_id: "K1",
        asset: "BTC-USDT",
        side: "LONG",
        size: 0.02,
        price: null,
        leverage: 5,
      },
      (s) => s.stage === "POSITION_OPEN",
    );
    await k.step({ type: "MARK_PRICE", asset: "BTC-USDT", price: 65_500 }, (s) => s.mark_price === 65_500);
    expect(await p.flush(10_000)).toBe(true);
    const active = await entries("DITA_V2_ACTIVE_SLOTS_PINK");
    const open = k.kernel.slot(0);
    expect(active.get("0")).toEqual({
      strategy: "pink",
      slot_id: 0,
      stage: "POSITION_OPEN",
      trade_id: "K1",
      asset: "BTC-USDT",
      side: "LONG",
      version: open.version - 1,
      updated_at_ms: k.find((t) => t.trigger === "FULL_FILL").t.now_ms,
      epoch: EPOCH,
    });
    expect((await entries("DOLPHIN_STATE_PINK")).get("0")).toMatchObject({
      stage: "POSITION_OPEN",
      mark_price: 65_500,
      unrealized_pnl: open.unrealized_pnl,
      version: open.version,
    });
    k.venue.setPrice("BTC-USDT", 66_000);
    k.venue.setKnobs({ partial_fill_legs: 1 });
    await k.step(
      { type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "TP" },
      (s) => s.stage === "POSITION_OPEN" && s.leg === 1,
    );
    k.venue.setKnobs({ partial_fill_legs: 2 });
    await k.step({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" }, (s) => s.stage === "CLOSED");
    expect(await p.flush(15_000)).toBe(true);
    await expectProjected(k);
  } finally {
    await p.close();
    k.kernel.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
}, 60_000);

async function expectProjected(k: KernelTrade): Promise<void> {
  const final = k.kernel.slot(0);
  const account = k.kernel.account();
  expect(final).toMatchObject({ stage: "CLOSED", size: 0, leg: 2, trade_id: "K1" });
  expect(account.capital).toBeCloseTo(10_000 + final.realized_pnl - final.fees, 9);
  expect(final.realized_pnl).toBeCloseTo(0.02 * 1_000, 9);
  // Hazelcast maps: the final confirmed slot, no active slot, the account, the control mirror.
  expect((await entries("DOLPHIN_STATE_PINK")).get("0")).toEqual(
    JSON.parse(JSON.stringify({ strategy: "pink", ...final, epoch: EPOCH })),
  );
  expect((await entries("DITA_V2_ACTIVE_SLOTS_PINK")).size).toBe(0);
  expect((await entries("DOLPHIN_PNL_PINK")).get("account")).toEqual({
    strategy: "pink",
    ...account,
    updated_at_ms: EPOCH,
    epoch: EPOCH,
  });
  expect((await entries("DITA_V2_CONTROL_PINK")).get("control")).toEqual({
    strategy: "pink",
    ...CONTROL,
    epoch: EPOCH,
  });
  // Lifecycle rows, derived here from the kernel's records.
  const opened = k.find((t) => t.trigger === "FULL_FILL" && t.from === "ENTRY_WORKING");
  const leg1 = k.find((t) => t.trigger === "FULL_FILL" && t.from === "EXIT_WORKING" && t.to === "POSITION_OPEN");
  const leg2 = k.find((t) => t.trigger === "PARTIAL_FILL" && t.from === "EXIT_WORKING");
  const closed = k.find((t) => t.to === "CLOSED");
  const expected = [
    lifecycleRow("OPEN", "pink:K1:OPEN", opened.rec, opened.t, 0.02),
    lifecycleRow("PARTIAL_EXIT", "pink:K1:PX1:0.01", leg1.rec, leg1.t, 0.01),
    lifecycleRow("PARTIAL_EXIT", "pink:K1:PX2:0.005", leg2.rec, leg2.t, 0.005),
    lifecycleRow("CLOSE", "pink:K1:CLOSE", closed.rec, closed.t, 0.005),
  ];
  expect(closed.rec.account.capital).toBe(account.capital);
  const msgs = await readTopic(reader, "DITA_V2_TRADE_EVENTS_PINK");
  expect(msgs).toEqual(expected);
  const ev = await rows("SELECT * FROM it_kernel.trade_events FINAL ORDER BY seq");
  expect(ev).toEqual(expected.map((r) => asCh(r, ["seq", "trade_seq", "version", "now_ms"])));
  // DEBUG journal: one row per kernel transition, with the slot as it stood after the input.
  const want = k.recs.flatMap((rec) =>
    rec.outcome.transitions.map((t, i) => {
      const s = rec.slots[t.slot_id]!;
      return asCh(
        {
          row_id: `pink:t1:${rec.seq}:T${i}`,
          strategy: "pink",
          run: "t1",
          seq: rec.seq,
          input_index: i, // the transition's ordinal within its input
          slot_id: t.slot_id,
          trade_id: s.trade_id,
          from_stage: t.from,
          to_stage: t.to,
          trigger: t.trigger,
          fsm_row: t.row,
          version: t.version,
          now_ms: t.now_ms,
          side: s.side ?? "",
          size: s.size,
          entry_price: s.entry_price,
          leg: s.leg,
          realized_pnl: s.realized_pnl,
          unrealized_pnl: s.unrealized_pnl,
          mark_price: s.mark_price,
          fees: s.fees,
          entry_status: s.entry_order?.status ?? "",
          entry_filled: s.entry_order?.filled_size ?? 0,
          exit_status: s.exit_order?.status ?? "",
          exit_filled: s.exit_order?.filled_size ?? 0,
        },
        ["seq", "version", "now_ms"],
      );
    }),
  );
  expect(want.map((r) => r.trigger)).toEqual([
    "ENTER",
    "ACK",
    "PARTIAL_FILL",
    "FULL_FILL",
    "EXIT",
    "ACK",
    "FULL_FILL",
    "EXIT",
    "ACK",
    "PARTIAL_FILL",
    "FULL_FILL",
  ]);
  expect(await rows("SELECT * FROM it_kernel.dita_v2_transitions FINAL ORDER BY seq, input_index")).toEqual(want);
  const diags = await rows("SELECT code, seq FROM it_kernel.dita_v2_diagnostics FINAL ORDER BY seq");
  expect(diags).toEqual(
    k.recs.flatMap((r) => r.outcome.diagnostics.map((d) => ({ code: d.code, seq: String(r.seq) }))),
  );
}

/** A kernel + projection pair driven by direct kernel inputs (the events a venue would send). */
async function directPair(epochMs: number, sinks: { hz?: boolean; callback?: CallbackSink }) {
  const clock = new ManualClock(epochMs);
  const stateDir = mkdtempSync(join(tmpdir(), "proj-kernel-"));
  const p = await createProjection({
    run: "t1",
    strategy: "rst",
    stateDir,
    clock,
    hazelcast: sinks.hz ? { addr: hz.addr, cluster: hz.cluster } : null,
    sinks: sinks.callback ? [sinks.callback] : [],
    required: true,
    onDiagnostic: () => {},
    tuning: { delayMs: 2, connectTimeoutMs: 5_000, invocationTimeoutMs: 5_000 },
  });
  const kernel = ExecutionKernel.open({ slotCount: 2, hungOrderMs: 30_000 });
  let seq = 0;
  const apply = (input: Record<string, unknown>) => {
    clock.advance(1);
    const o = kernel.apply({ ...input, now_ms: clock.nowMs() } as KernelInput);
    p.onOutcome({
      transitions: o.transitions,
      diagnostics: o.diagnostics,
      slots: (id) => kernel.slot(id),
      account: kernel.account(),
      control: { ...CONTROL, mode: "NORMAL" },
      journalSeq: ++seq,
    });
    return o;
  };
  const ev = (kind: string, cid: string, cum: number, px: number, extra: Record<string, unknown> = {}) =>
    apply({
      type: "VENUE_EVENT",
      slot_id: null,
      event: {
        kind,
        event_id: `${cid}:${kind}:${cum}`,
        venue_order_id: `77${cid.length}000000000000000${cid.endsWith("E") ? 1 : 2}`,
        client_order_id: cid,
        asset: "BTC-USDT",
        filled_size_cumulative: cum,
        avg_price: px,
        last_fill_size: 0,
        last_fill_price: 0,
        fee_cumulative: 0,
        venue_time_ms: 1,
        ...extra,
      },
    });
  const stop = async () => {
    await p.close();
    kernel.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  };
  apply({ type: "SEED_CAPITAL", capital: 10_000 });
  return { p, kernel, apply, ev, stop };
}

test("an exit fill carried by a REJECT (larger cumulative) still yields a PARTIAL_EXIT row: lifecycle fills add up to the position", async () => {
  const sink = new CallbackSink({ takesMaps: false, kinds: ["trade_event"] });
  const k = await directPair(1_700_000_000_000, { callback: sink });
  try {
    k.apply({
      type: "ENTER",
      slot_id: 0,
      trade_id: "R1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.02,
      price: null,
      leverage: 5,
    });
    k.ev("FULL_FILL", "R1-E", 0.02, 100);
    k.apply({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "TP" });
    k.ev("PARTIAL_FILL", "R1-X1", 0.004, 110);
    const rejected = k.ev("REJECT", "R1-X1", 0.006, 110, { reject_reason: "VENUE" });
    expect(rejected.transitions.map((t) => `${t.from}>${t.to}:${t.trigger}`)).toEqual([
      "EXIT_WORKING>POSITION_OPEN:REJECT",
    ]);
    expect(k.kernel.slot(0).size).toBeCloseTo(0.014, 12);
    k.apply({ type: "EXIT", slot_id: 0, size: 0.014, price: null, reason: "SL" });
    k.ev("FULL_FILL", "R1-X2", 0.014, 105);
    expect(await k.p.flush(5_000)).toBe(true);
    const rows = sink.records.map((r) => r.row as Record<string, unknown>);
    expect(rows.map((r) => r.row_id)).toEqual(["rst:R1:OPEN", "rst:R1:PX1:0.016", "rst:R1:PX1:0.014", "rst:R1:CLOSE"]);
    const exited = rows.filter((r) => r.event_type !== "OPEN").reduce((n, r) => n + Number(r.fill_size), 0);
    expect(exited).toBeCloseTo(0.02, 12);
  } finally {
    await k.stop();
  }
}, 30_000);

test("a restarted process (new epoch, kernel versions from 0) replaces the old process's map rows; an older epoch never does", async () => {
  const first = await directPair(1_700_000_000_000, { hz: true });
  first.apply({
    type: "ENTER",
    slot_id: 0,
    trade_id: "E1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.02,
    price: null,
    leverage: 5,
  });
  first.ev("ACK", "E1-E", 0, 0);
  first.ev("FULL_FILL", "E1-E", 0.02, 100);
  for (let i = 0; i < 5; i++) first.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 101 + i });
  expect(await first.p.flush(10_000)).toBe(true);
  const oldVersion = first.kernel.slot(0).version;
  await first.stop();
  expect((await entries("DOLPHIN_STATE_RST")).get("0")).toMatchObject({
    trade_id: "E1",
    version: oldVersion,
    epoch: 1_700_000_000_000,
  });
  // The next process: a fresh kernel (slot versions from 0) whose projection started later.
  const second = await directPair(1_700_000_100_000, { hz: true });
  second.apply({
    type: "ENTER",
    slot_id: 0,
    trade_id: "E2",
    asset: "BTC-USDT",
    side: "SHORT",
    size: 0.01,
    price: null,
    leverage: 3,
  });
  second.ev("ACK", "E2-E", 0, 0);
  expect(second.kernel.slot(0).version).toBeLessThan(oldVersion);
  expect(await second.p.flush(10_000)).toBe(true);
  const state = (await entries("DOLPHIN_STATE_RST")).get("0")!;
  expect(state).toEqual(
    JSON.parse(JSON.stringify({ strategy: "rst", ...second.kernel.slot(0), epoch: 1_700_000_100_000 })),
  );
  expect((await entries("DITA_V2_ACTIVE_SLOTS_RST")).get("0")).toMatchObject({
    trade_id: "E2",
    stage: "ENTRY_WORKING",
    epoch: 1_700_000_100_000,
  });
  expect((await entries("DOLPHIN_PNL_RST")).get("account")).toMatchObject({
    version: second.kernel.account().version,
    epoch: 1_700_000_100_000,
  });
  await second.stop();
  // A zombie of an even older process (earlier epoch, higher versions) changes nothing.
  const zombie = await directPair(1_600_000_000_000, { hz: true });
  zombie.apply({
    type: "ENTER",
    slot_id: 0,
    trade_id: "Z1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.02,
    price: null,
    leverage: 5,
  });
  for (let i = 0; i < 3; i++) zombie.ev("ACK", "Z1-E", 0, 0, { event_id: `z${i}` });
  expect(await zombie.p.flush(10_000)).toBe(true);
  expect((await entries("DOLPHIN_STATE_RST")).get("0")).toEqual(state);
  await zombie.stop();
}, 60_000);
