/**
 * A refusal storm must not fill the projection's spools. A strategy stuck re-sending a refused intent
 * (an EXIT on an idle slot, refused by the kernel; a ring record refused at the edge RATE_LIMITED while
 * the venue bans the IP) made one diagnostics row per refusal: without servers the local spool grew by
 * ~355 bytes a refusal up to its 512 MiB cap, then refused every record (SPOOL_FULL), trade rows too.
 * Now the projection's capture coalesces them (`src/projection/_refusals.ts`): per (code, slot, input
 * kind, field) and 1 s of the injected clock the first refusal is its row, the later ones are counted
 * and written as ONE summary row when the window ends (or at flush and close). Metrics and each
 * producer's outcome still see every refusal. CRITICAL ones, applied inputs' diagnostics and the
 * launcher's own reports are never coalesced.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { InputRefusal } from "../../src/contracts/intent_parse.ts";
import type { DiagnosticRecord, Severity } from "../../src/contracts/records.ts";
import { encodeInput, INPUT_SIZE } from "../../src/kernel/index.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import {
  CallbackSink,
  createProjection,
  type OutcomeInput,
  type OutRecord,
  type Projection,
  readSpoolFile,
} from "../../src/projection/index.ts";
import { until } from "../_support/runtime.ts";
import { control, idleSlot, TradeScript } from "../integration/projection_fixtures.ts";

const dirs: string[] = [];
const runtimes: Runtime[] = [];
const projections: Projection[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(500);
  for (const p of projections.splice(0)) await p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "dita-refusal-storm-"));
  dirs.push(d);
  return d;
}

type Row = Record<string, unknown>;
const detailsOf = (r: Row) => JSON.parse(String(r.details)) as Record<string, unknown>;

describe("a refusal storm through the runtime (mock venue, local spool)", () => {
  test("20 000 identical refusals from each source write one row and one summary each; /metrics counts every one", async () => {
    const dir = tempDir();
    const env = { DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0", DITA_V2_WARM_PATH_MS: "0" };
    const bundle = await buildBundle(loadConfig(env), new ManualClock(), {}, { journal: true, log: () => {} });
    const rt = new Runtime(bundle, () => {});
    runtimes.push(rt);
    await rt.start();
    const N = 20_000;
    // HTTP/CLI: an EXIT on idle slot 2, refused by the kernel; every caller still gets its outcome.
    for (let i = 0; i < N; i++) {
      const o = rt.submitStrategy({ type: "EXIT", slot_id: 2, size: 0.01, reason: "SL" });
      expect(o.accepted).toBe(false);
      expect(o.diagnostics[0]!.code).toBe("INVALID_TRANSITION");
    }
    // The ring edge: a stop-loss on slot 3 refused RATE_LIMITED before the kernel (the venue bans the IP).
    const limited: InputRefusal = {
      code: "RATE_LIMITED",
      field: "KIND",
      message: "venue rate limit: IP banned",
      input_kind: "EXIT",
      slot_id: 3,
      retry_after_ms: 60_000,
    };
    for (let i = 0; i < N; i++) expect(rt.refuseAtEdge("ring", limited).accepted).toBe(false);
    // The ring into the kernel: EXIT records on idle slot 4, refused inside ring batches (never journaled).
    const exit = new Uint8Array(INPUT_SIZE);
    expect(encodeInput({ type: "EXIT", slot_id: 4, size: 0.01, reason: "SL", now_ms: 0 }, exit, 0)).toBeNull();
    for (let pushed = 0; pushed < N; ) {
      while (pushed < N && rt.b.zinc.pushIntent(exit) === "OK") pushed++;
      rt.drainRing();
    }
    while (rt.drainRing() > 0);
    const metrics = rt.metrics.render([]).split("\n");
    expect(metrics).toContain(`dita_v2_diagnostics_total{code="INVALID_TRANSITION"} ${2 * N}`);
    expect(metrics).toContain(`dita_v2_diagnostics_total{code="RATE_LIMITED"} ${N}`);
    expect(metrics).toContain(`dita_v2_input_refused_at_edge_total{edge="ring",code="RATE_LIMITED",kind="EXIT"} ${N}`);
    runtimes.length = 0;
    await rt.shutdown(500); // flush + close: the summaries of the windows still open are written

    const spool = join(dir, "spool", "local.spool");
    const rows = (readSpoolFile(spool).values as OutRecord[]).filter((r) => r.kind === "diagnostic").map((r) => r.row);
    const refusals = rows.filter((r) => r.code === "INVALID_TRANSITION" || r.code === "RATE_LIMITED");
    const bySlot = (slot: number) =>
      refusals.filter((r) => r.slot_id === slot).map((r) => [r.code, detailsOf(r).repeated ?? null]);
    expect(bySlot(2)).toEqual([
      ["INVALID_TRANSITION", null],
      ["INVALID_TRANSITION", N - 1],
    ]);
    expect(bySlot(3)).toEqual([
      ["RATE_LIMITED", null],
      ["RATE_LIMITED", N - 1],
    ]);
    expect(bySlot(4)).toEqual([
      ["INVALID_TRANSITION", null],
      ["INVALID_TRANSITION", N - 1],
    ]);
    expect(refusals).toHaveLength(6);
    expect(new Set(rows.map((r) => r.row_id)).size).toBe(rows.length);
    // Before: 60 000 rows of ~355 bytes (~21 MB). Now the whole file is a few KiB.
    expect(statSync(spool).size).toBeLessThan(64 * 1024);
  });
});

/** A projection into a CallbackSink on a manual clock. */
async function projection() {
  const clock = new ManualClock();
  const sink = new CallbackSink();
  const stateDir = tempDir();
  const p = await createProjection({
    strategy: "pink",
    run: "r7",
    stateDir,
    clock,
    required: false,
    onDiagnostic: () => {},
    sinks: [sink],
    tuning: { delayMs: 1 },
  });
  projections.push(p);
  const k = new TradeScript();
  let seq = 0;
  /** An outcome whose only facts are diagnostics; `refused` (default) marks a refused input. */
  const send = (diagnostics: DiagnosticRecord[], over: Partial<OutcomeInput> = { refused: true }) =>
    p.onOutcome({
      transitions: [],
      diagnostics,
      slots: idleSlot,
      account: k.account,
      control: control(),
      journalSeq: over.refused === true || over.launcher === true ? seq : ++seq,
      ...over,
    });
  const rows = () => sink.records.filter((r) => r.kind === "diagnostic").map((r) => r.row as Row);
  /** The diagnostics rows in the sink's spool file (what close left for the next process to send). */
  const spooled = () =>
    (readSpoolFile(join(stateDir, "spool", "callback.spool")).values as OutRecord[])
      .filter((r) => r.kind === "diagnostic")
      .map((r) => r.row as Row);
  return { p, clock, send, rows, spooled };
}

function refusal(over: Partial<DiagnosticRecord> = {}, details: DiagnosticRecord["details"] = {}): DiagnosticRecord {
  return {
    code: "INVALID_TRANSITION",
    severity: "WARNING",
    slot_id: 2,
    message: "EXIT refused: no transition from IDLE on EXIT (slot 2)",
    details: { input_kind: "EXIT", field: "NONE", ...details },
    input_index: 0,
    now_ms: 1,
    ...over,
  };
}

/** [code, slot, kind, field, repeated] of each row, in row order. */
const shape = (rows: Row[]) =>
  rows.map((r) => {
    const d = detailsOf(r);
    return [r.code, r.slot_id, d.input_kind ?? null, d.field ?? null, d.repeated ?? null];
  });

describe("coalescing refusal diagnostics", () => {
  test("a different code, slot, input kind or field is never merged with another key", async () => {
    const { p, send, rows } = await projection();
    const keys = [
      refusal(),
      refusal({ code: "NO_ACTIVE_EXIT_ORDER" }),
      refusal({ slot_id: 5 }),
      refusal({}, { input_kind: "CANCEL" }),
      refusal({}, { field: "SIZE" }),
    ];
    for (let i = 0; i < 3; i++) for (const d of keys) send([d]);
    await p.flush(1000);
    expect(shape(rows())).toEqual([
      ["INVALID_TRANSITION", 2, "EXIT", "NONE", null],
      ["NO_ACTIVE_EXIT_ORDER", 2, "EXIT", "NONE", null],
      ["INVALID_TRANSITION", 5, "EXIT", "NONE", null],
      ["INVALID_TRANSITION", 2, "CANCEL", "NONE", null],
      ["INVALID_TRANSITION", 2, "EXIT", "SIZE", null],
      ["INVALID_TRANSITION", 2, "EXIT", "NONE", 2],
      ["NO_ACTIVE_EXIT_ORDER", 2, "EXIT", "NONE", 2],
      ["INVALID_TRANSITION", 5, "EXIT", "NONE", 2],
      ["INVALID_TRANSITION", 2, "CANCEL", "NONE", 2],
      ["INVALID_TRANSITION", 2, "EXIT", "SIZE", 2],
    ]);
  });

  test("CRITICAL and INFO refusals, applied inputs' diagnostics and the launcher's own reports are never merged", async () => {
    const { p, send, rows } = await projection();
    const sev = (severity: Severity) => refusal({ severity, message: severity });
    for (let i = 0; i < 3; i++) {
      send([sev("CRITICAL")]);
      send([sev("INFO")]);
      send([sev("WARNING")], {}); // a journaled (applied) input's diagnostic
      send([sev("ERROR")], { launcher: true }); // the launcher's own report()
      // A ring batch: record 0 refused (-1, coalesced), record 1 journaled (never coalesced).
      send([refusal({ slot_id: 9, message: "refused record" }), refusal({ slot_id: 9, input_index: 1 })], {
        inputOffsets: Int32Array.of(-1, 0),
      });
    }
    await p.flush(1000);
    const all = rows();
    expect(all.filter((r) => r.message === "CRITICAL")).toHaveLength(3);
    expect(all.filter((r) => r.message === "INFO")).toHaveLength(3);
    expect(all.filter((r) => r.message === "WARNING")).toHaveLength(3);
    expect(all.filter((r) => r.message === "ERROR")).toHaveLength(3);
    expect(all.filter((r) => String(r.message).startsWith("EXIT refused"))).toHaveLength(3); // journaled: :D ids
    expect(all.filter((r) => r.message === "refused record")).toHaveLength(1);
    const summaries = all.filter((r) => detailsOf(r).repeated !== undefined);
    expect(summaries.map((r) => [r.slot_id, detailsOf(r).repeated, r.message])).toEqual([
      [9, 2, "2 more refusals like this in the last 0 ms (last: refused record)"],
    ]);
    expect(new Set(all.map((r) => r.row_id)).size).toBe(all.length);
  });

  test("when a window ends the summary row comes at the next capture, before that outcome's rows; the next refusal opens a new window", async () => {
    const { p, clock, send, rows } = await projection();
    send([refusal({ message: "a" })]);
    clock.advance(400);
    send([refusal({ message: "b" })]);
    clock.advance(599);
    send([refusal({ message: "c" })]); // 999 ms: still the first window
    clock.advance(1);
    send([refusal({ code: "HUNG_ORDER", message: "applied" })], {}); // 1000 ms: the window is over
    send([refusal({ message: "d" })]); // a new window: its own row
    await p.flush(1000);
    expect(rows().map((r) => [r.message, detailsOf(r).repeated ?? null, detailsOf(r).window_ms ?? null])).toEqual([
      ["a", null, null],
      ["2 more refusals like this in the last 1000 ms (last: c)", 2, 1000],
      ["applied", null, null],
      ["d", null, null],
    ]);
  });

  test("a drain notices an ended window too (no new capture needed)", async () => {
    const { p, clock, send, rows } = await projection();
    for (let i = 0; i < 5; i++) send([refusal()]);
    clock.advance(1000);
    p.stats(); // drains
    await until(() => rows().length === 2);
    expect(shape(rows())[1]).toEqual(["INVALID_TRANSITION", 2, "EXIT", "NONE", 4]);
  });

  test("at flush and at close the summary of a window still open is written with the count so far", async () => {
    const { p, clock, send, rows, spooled } = await projection();
    for (let i = 0; i < 5; i++) send([refusal()]);
    clock.advance(300);
    await p.flush(1000);
    expect(rows().map((r) => r.message)).toEqual([
      "EXIT refused: no transition from IDLE on EXIT (slot 2)",
      "4 more refusals like this in the last 300 ms (last: EXIT refused: no transition from IDLE on EXIT (slot 2))",
    ]);
    for (let i = 0; i < 3; i++) send([refusal({ message: "again" })]); // after a flush: a new window
    await p.close();
    projections.length = 0;
    const atClose = spooled().slice(-2);
    expect(atClose.map((r) => [r.row_id, r.message])).toEqual([
      ["pink:r7:L2", "again"],
      ["pink:r7:L3", "2 more refusals like this in the last 0 ms (last: again)"],
    ]);
    expect(rows().map((r) => r.row_id)).toEqual(["pink:r7:L0", "pink:r7:L1"]);
  });

  test("past 1024 keys held, a new key ends the oldest window early with its summary", async () => {
    const { p, send, rows } = await projection();
    for (let f = 0; f < 1024; f++) for (let i = 0; i < 2; i++) send([refusal({}, { field: `F${f}` })]);
    send([refusal({}, { field: "F1024" })]);
    await p.flush(1000);
    const order = shape(rows()).map((s) => `${s[3]}${s[4] === null ? "" : `+${s[4]}`}`);
    expect(order.slice(1023, 1026)).toEqual(["F1023", "F0+1", "F1024"]);
    expect(order).toHaveLength(1024 + 1 + 1024);
  });
});
