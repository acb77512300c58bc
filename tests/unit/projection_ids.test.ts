/**
 * Row identity and the start image, against CallbackSink (no server): each transition and diagnostic
 * id names its run, the journal seq of its own input (also inside a ring batch) and its ordinal in
 * that input; launcher diagnostics count on their own; the projected mark says how far the spools
 * reach; the start image writes every non-idle slot and deletes idle ones.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import {
  CallbackSink,
  createProjection,
  markPath,
  type OutcomeInput,
  type Projection,
  readProjectedMark,
} from "../../src/projection/index.ts";
import { readLocalSpool } from "../../src/projection/local_read.ts";
import { control, idleSlot, TradeScript, wholeTrade } from "../integration/projection_fixtures.ts";

const dirs: string[] = [];
const open: Projection[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function make(sinks: CallbackSink[], opts: { run?: string; markProgress?: boolean } = {}) {
  const d = mkdtempSync(join(tmpdir(), "proj-ids-"));
  dirs.push(d);
  const p = await createProjection({
    strategy: "pink",
    run: opts.run ?? "r7",
    stateDir: d,
    clock: new ManualClock(),
    required: false,
    onDiagnostic: () => {},
    sinks,
    markProgress: opts.markProgress,
    tuning: { delayMs: 1 },
  });
  open.push(p);
  return { p, d };
}

const diag = (input_index: number, message: string): DiagnosticRecord => ({
  code: "HUNG_ORDER",
  severity: "WARNING",
  slot_id: 0,
  message,
  details: {},
  input_index,
  now_ms: 1,
});
const ids = (sink: CallbackSink, kind: string) =>
  sink.records.filter((r) => r.kind === kind).map((r) => `${r.row.row_id} seq=${r.row.seq} k=${r.row.input_index}`);

describe("row ids", () => {
  test("a ring batch's transitions and diagnostics take the journal seq of their own record and their ordinal in it", async () => {
    const sink = new CallbackSink();
    const { p } = await make([sink]);
    const k = new TradeScript();
    k.ctl = control({ mode: "DEBUG", debug_clickhouse_enabled: true });
    const a = k.enter(0, "B1", 1);
    const b = k.enter(1, "B2", 1);
    const batch: OutcomeInput = {
      ...b,
      transitions: [
        { ...a.transitions[0]!, input_index: 0 },
        { ...b.transitions[0]!, input_index: 1 },
        { ...b.transitions[0]!, input_index: 1 },
      ],
      diagnostics: [diag(0, "first"), diag(1, "second"), diag(1, "third")],
      slots: (id) => k.slot(id),
      journalSeq: 10,
      inputOffsets: Int32Array.of(0, 3), // the batch's 2nd applied record was journaled 3 after the 1st
    };
    p.onOutcome(batch);
    p.onOutcome({
      ...b,
      transitions: [],
      diagnostics: [diag(0, "edge"), diag(0, "orphan")],
      journalSeq: 13,
      launcher: true,
    });
    await p.flush(1000);
    expect(ids(sink, "transition")).toEqual([
      "pink:r7:10:T0 seq=10 k=0",
      "pink:r7:13:T0 seq=13 k=0",
      "pink:r7:13:T1 seq=13 k=1",
    ]);
    expect(ids(sink, "diagnostic")).toEqual([
      "pink:r7:10:D0 seq=10 k=0",
      "pink:r7:13:D0 seq=13 k=0",
      "pink:r7:13:D1 seq=13 k=1",
      "pink:r7:L0 seq=13 k=0",
      "pink:r7:L1 seq=13 k=0",
    ]);
  });

  test("a run id outside [0-9a-z]{1,32} is refused with one line", async () => {
    await expect(make([new CallbackSink()], { run: "Bad Run" })).rejects.toThrow(
      'Condition failed: projection run must match ^[0-9a-z]{1,32}$, got "Bad Run"',
    );
  });
});

/** Outcome `o` as input `journalSeq`, carrying a control change (a projection drains what came before it, in the call). */
const withControlChange = (o: OutcomeInput, journalSeq: number): OutcomeInput => ({
  ...o,
  journalSeq,
  control: { ...o.control, version: o.control.version + 1 },
});

describe("projected mark", () => {
  test("after each drain the mark names the run and the highest journal seq whose rows are in the spools", async () => {
    const { p, d } = await make([new CallbackSink()], { markProgress: true });
    const k = new TradeScript();
    const outs = wholeTrade(k, 0, "M1");
    outs.forEach((o, i) => {
      p.onOutcome({ ...o, journalSeq: i + 1 });
    });
    p.onOutcome({ ...outs[0]!, transitions: [], diagnostics: [], journalSeq: 40 }); // a TICK: no row, still marked
    await p.flush(1000);
    expect(readProjectedMark(d)).toEqual({ run: "r7", seq: 40 });
  });

  test("a drain forced while an outcome is captured (a control change) never marks that outcome's input", async () => {
    const { p, d } = await make([new CallbackSink()], { markProgress: true });
    const k = new TradeScript();
    const outs = wholeTrade(k, 0, "M2");
    p.onOutcome({ ...outs[0]!, journalSeq: 1 });
    const changed = withControlChange(outs[1]!, 2);
    p.onOutcome(changed); // its control change drains what came before, inside this call
    expect(readProjectedMark(d)).toEqual({ run: "r7", seq: 1 }); // not 2: input 2's rows are not spooled yet
    await p.flush(1000);
    expect(readProjectedMark(d)).toEqual({ run: "r7", seq: 2 });
  });

  test("a refused record in a ring batch (offset -1, never journaled) gets a launcher-numbered diagnostic id", async () => {
    const sink = new CallbackSink();
    const { p } = await make([sink]);
    const k = new TradeScript();
    const b = k.enter(1, "B3", 1);
    p.onOutcome({
      ...b,
      transitions: [],
      diagnostics: [diag(0, "accepted, noted"), diag(1, "refused")],
      journalSeq: 20,
      inputOffsets: Int32Array.of(0, -1),
    });
    await p.flush(1000);
    expect(ids(sink, "diagnostic")).toEqual(["pink:r7:20:D0 seq=20 k=0", "pink:r7:L0 seq=20 k=0"]);
  });

  test("a ring batch whose records were all refused (none journaled) marks nothing past the last journaled input", async () => {
    const { p, d } = await make([new CallbackSink()], { markProgress: true });
    const k = new TradeScript();
    const outs = wholeTrade(k, 0, "M3");
    p.onOutcome({ ...outs[0]!, journalSeq: 19 });
    p.onOutcome({
      ...outs[0]!,
      transitions: [],
      diagnostics: [diag(0, "refused")],
      journalSeq: 20,
      inputOffsets: [-1],
    });
    await p.flush(1000);
    expect(readProjectedMark(d)).toEqual({ run: "r7", seq: 19 }); // seq 20 is the next input's, not yet made
  });

  test("without markProgress no mark is kept", async () => {
    const { d } = await make([new CallbackSink()]);
    expect(existsSync(markPath(d))).toBe(false);
  });

  test("the local default sink is its own spool: when the mark names an input, that input's rows are in its file", async () => {
    // Found by an audit: the local sink had no spool, so no mark was kept and a SIGKILL lost the rows of its
    // last drain interval for good (a trade's CLOSE row with its PnL), where the journal could rebuild them.
    const { p, d } = await make([], { markProgress: true });
    const k = new TradeScript();
    const outs = wholeTrade(k, 0, "L1");
    for (const [i, o] of outs.entries()) p.onOutcome({ ...o, journalSeq: i + 1 });
    for (let i = 0; i < 400 && readProjectedMark(d)?.seq !== outs.length; i++) await Bun.sleep(5);
    expect(readProjectedMark(d)).toEqual({ run: "r7", seq: outs.length }); // no flush, no close: as a SIGKILL finds it
    const events = readLocalSpool(join(d, "spool")).values.filter(
      (v) => (v as { kind: string }).kind === "trade_event",
    );
    expect(events.map((v) => (v as { row: { event_type: string } }).row.event_type)).toContain("CLOSE");
  });

  test("the local file holds an input's rows the moment the mark names it, not a loop turn later", async () => {
    const { p, d } = await make([], { markProgress: true });
    const k = new TradeScript();
    const outs = wholeTrade(k, 0, "L2");
    p.onOutcome({ ...outs[0]!, journalSeq: 1 });
    const changed = withControlChange(outs[1]!, 2);
    p.onOutcome(changed); // its control change drains input 1 inside this call: no loop turn has run since
    expect(readProjectedMark(d)).toEqual({ run: "r7", seq: 1 });
    const records = readLocalSpool(join(d, "spool")).values.filter((v) => (v as { kind: string }).kind !== "map");
    expect(records.length).toBeGreaterThan(0); // input 1's rows, in the file before the mark moved past them
  });
});

describe("start image", () => {
  test("every non-idle slot is written with its registry entry; idle slots' rows are deleted; the account row", async () => {
    const sink = new CallbackSink();
    const { p } = await make([sink]);
    const old = new TradeScript();
    for (const o of wholeTrade(old, 3, "OLD")) p.onOutcome(o); // a row a previous run left for slot 3
    await p.flush(1000);
    const k = new TradeScript();
    for (const o of wholeTrade(k, 1, "C1")) void o; // slot 1 CLOSED
    for (const o of [k.enter(2, "O2", 1), k.ack(2, "V"), k.fill(2, 1, 100, 0, true)]) void o; // slot 2 open
    const slots = [0, 1, 2, 3].map((id) => (id === 3 ? { ...idleSlot(3), version: 99 } : k.slot(id)));
    p.onImage({ slots, account: { ...k.account, version: 50 } });
    await p.flush(1000);
    const state = sink.image.get("DOLPHIN_STATE_PINK")!;
    expect([...state.keys()].sort()).toEqual(["1", "2"]);
    expect(state.get("1")).toMatchObject({ stage: "CLOSED", trade_id: "C1" });
    expect(state.get("2")).toMatchObject({ stage: "POSITION_OPEN", trade_id: "O2", size: 1 });
    expect([...sink.image.get("DITA_V2_ACTIVE_SLOTS_PINK")!.keys()]).toEqual(["2"]);
    expect(sink.image.get("DOLPHIN_PNL_PINK")!.get("account")).toMatchObject({ version: 50 });
  });
});
