/**
 * `dita-v2 status --report` through the built executable against a serve trading on bingx-sim:
 * the markdown document is generated from the running system, not kept by hand. With a position
 * opened behind the kernel's back before the start (an orphan), one trade open, an intent refused
 * at the edge, the trading state and a limit changed, and a flatten that cannot be complete (the
 * orphan is nobody's to close), the report shows each of them: version, uptime and the stall watch, trading state
 * and limits, slots by stage, account, venue, projection sinks and backlog, journal, recovery,
 * live reconciliation, the last flatten, and the recent CRITICAL and ERROR diagnostics.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { run } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { type SimProc, startSim } from "./_sim.ts";

let sim: SimProc;
let s: Served;

beforeAll(async () => {
  sim = await startSim(61);
  await sim.outOfBand({ action: "open_position", symbol: "DOGE-USDT", positionSide: "LONG", qty: 100 });
  s = await startServe({ ...sim.env, DITA_V2_SLOTS: "3", DITA_V2_RECONCILE_INTERVAL_MS: "0" });
}, 30_000);

afterAll(async () => {
  expect(await s.stop()).toBe(0);
  await sim.stop();
});

const report = () => run(["status", "--report", "--url", s.url], { DITA_V2_OPERATOR_TOKEN: s.token });

describe("dita-v2 status --report", () => {
  test("a fresh serve: every section present, the orphan found at start listed as a recent CRITICAL", () => {
    const r = report();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const md = r.stdout;
    expect(md).toStartWith("# DITAv2 operational status: pink\n");
    for (const section of [
      "## Trading state and limits",
      "## Slots",
      "## Account",
      "## Venue",
      "## Projection",
      "## Journal, Zinc and recovery",
      "## Live reconciliation",
      "## Last flatten",
      "## Diagnostics",
    ])
      expect(md).toContain(`\n${section}\n`);
    expect(md).toMatch(/\| uptime \| 0 h 0 min \d+ s \|/);
    expect(md).toContain("| version | 0.1.0 |");
    expect(md).toContain("| stall watch | 10 s |");
    expect(md).toContain("Trading state: **ACTIVE**");
    expect(md).toContain("| IDLE | 3 |");
    expect(md).toContain("BINGX: connected");
    expect(md).toContain("1 orphan positions (LONG 100 DOGE-USDT)");
    expect(md).toContain("Off (DITA_V2_RECONCILE_INTERVAL_MS=0).");
    expect(md).toContain("None since serve started.");
    expect(md).toMatch(/\| CRITICAL \| ORPHAN_POSITION \| launcher \| — \| the venue holds 100 DOGE-USDT LONG/);
  });

  test("after a trade, a refusal, control changes and an incomplete flatten, the report says each", async () => {
    const enter = { type: "ENTER", slot_id: 0, trade_id: "R1", asset: "BTC-USDT", side: "LONG", size: 0.01 };
    expect((await s.call("/intents", { body: { ...enter, price: null, leverage: 3 } })).status).toBe(200);
    await eventually("slot 0 open", async () => (await s.call("/slots/0")).body.stage === "POSITION_OPEN", 10_000);
    expect((await s.call("/intents", { body: { type: "TICK", now_ms: 1 } })).status).toBe(422);
    expect((await s.call("/control", { body: { max_leverage: 7 } })).status).toBe(200);
    const open = run(["status", "--report", "--url", s.url], { DITA_V2_OPERATOR_TOKEN: s.token }).stdout;
    expect(open).toMatch(/\| 0 \| POSITION_OPEN \| R1 \| BTC-USDT \| LONG \| 0\.01 \|/);
    expect(open).toContain("| max_leverage | 7 |");
    expect(open).toContain("| max_notional_per_trade | off |");
    expect(open).toMatch(/\| ERROR \| INPUT_SOURCE_REFUSED \| launcher \| — \| TICK is a SYSTEM input/);
    const flat = await s.call("/flatten", { body: { timeout_ms: 5000 } });
    expect(flat.body.complete).toBe(false); // the orphan DOGE position is still at the venue
    const md = report().stdout;
    expect(md).toContain("Trading state: **HALTED**");
    expect(md).toMatch(/: \*\*INCOMPLETE\*\*; 1 closed, 0 still open; venue: 1 positions, 0 open orders, balance \d/);
    expect(md).toMatch(/\| CLOSED \| 1 \|/);
    expect(md).toMatch(/\| local \| .*spool.* \| up \| 0 \| \d+ \| \d+ \| 0 \(0\) \|/); // no sealed file yet
    const sinks = (await s.call("/status")).body.projection.sinks;
    expect(sinks.map((k: { sink: string; sealed: unknown }) => [k.sink, k.sealed])).toEqual([
      ["local", { files: 0, bytes: 0 }],
    ]);
    expect(md).toMatch(/Journal: \d+ entries in \S+\/journal\/segment-\d{12}\.bin \(segment \d+, 0 rotations;/);
    expect(md).toMatch(/Since start: .*ORPHAN_POSITION 1/);
  }, 30_000);

  test("an unreachable serve is a one-line error and exit 2", () => {
    const r = run(["status", "--report", "--url", "http://127.0.0.1:9"], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dita-v2: cannot reach http:\/\/127\.0\.0\.1:9\/status/);
    expect(r.stdout).toBe("");
  });
});
