/**
 * The operator CLI against a running serve, through the built executable: healthcheck and status,
 * intent enter/exit/mark/cancel with the operator token found in the state dir, control changes,
 * and each refusal as one line with its exit code (2 bad arguments or unreachable, 3 refused).
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { run, spoolRows } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";

let s: Served;
let env: Record<string, string>;
beforeAll(async () => {
  s = await startServe({ DITA_V2_SLOTS: "4", DITA_V2_MOCK_PRICES: "BTC-USDT=65000" });
  env = { DITA_V2_STATE_DIR: s.stateDir };
});
afterAll(async () => {
  if (s.proc.exitCode === null) await s.stop();
});

const cli = (...args: string[]) => run([...args, "--url", s.url], env);

describe("operator CLI against serve", () => {
  test("healthcheck exits 0 and prints healthy; status prints the status document", () => {
    const h = cli("healthcheck");
    expect([h.code, h.stdout.trim()]).toEqual([0, "healthy"]);
    const st = cli("status");
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout).slots).toHaveLength(4);
  });

  test("intent enter, mark and exit trade a slot to CLOSED, each exiting 0 with the kernel outcome", async () => {
    const enter = cli(
      "intent",
      "enter",
      "--slot",
      "0",
      "--trade",
      "C1",
      "--asset",
      "BTC-USDT",
      "--side",
      "LONG",
      "--size",
      "0.01",
      "--leverage",
      "3",
    );
    expect(enter.code).toBe(0);
    expect(JSON.parse(enter.stdout).transitions[0]).toMatchObject({ from: "IDLE", to: "ENTRY_WORKING" });
    await eventually("filled", async () => (await s.call("/slots/0")).body.stage === "POSITION_OPEN");
    expect(cli("intent", "mark", "--asset", "BTC-USDT", "--price", "65100").code).toBe(0);
    expect((await s.call("/slots/0")).body.unrealized_pnl).toBeCloseTo(1, 9);
    expect(cli("intent", "exit", "--slot", "0", "--size", "0.01", "--reason", "TP").code).toBe(0);
    await eventually("closed", async () => (await s.call("/slots/0")).body.stage === "CLOSED");
  });

  test("spool reads the trade's rows from the local sink while serve runs (no server configured)", async () => {
    const rows = () => {
      const r = spoolRows(s.stateDir, "trade_event");
      expect([r.code, r.stderr]).toEqual([0, ""]);
      return r.rows;
    };
    await eventually("the close row spooled", async () => rows().some((r) => r.row_id === "pink:C1:CLOSE"));
    expect(rows().map((r) => [r.event_type, r.trade_id, r.leverage])).toEqual([
      ["OPEN", "C1", 3],
      ["CLOSE", "C1", 3],
    ]);
    const summary = run(["spool", s.stateDir, "--json"], env);
    expect(JSON.parse(summary.stdout).records.trade_event).toBe(2);
  });

  test("a refused intent exits 3 and prints the kernel's diagnostic", () => {
    const r = cli("intent", "exit", "--slot", "3", "--size", "0.01");
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).diagnostics[0].code).toBe("INVALID_TRANSITION");
  });

  test("a bad number is one line and exit 2, nothing sent", () => {
    const before = JSON.parse(cli("status").stdout).state_hash;
    const r = cli(
      "intent",
      "enter",
      "--slot",
      "1",
      "--trade",
      "C2",
      "--asset",
      "BTC-USDT",
      "--side",
      "LONG",
      "--size",
      "abc",
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("--size must be a decimal number");
    expect(JSON.parse(cli("status").stdout).state_hash).toBe(before);
  });

  test("control shows the snapshot, applies key=value changes, and refuses a bad value with exit 3", () => {
    expect(JSON.parse(cli("control").stdout).version).toBe(1);
    const ok = cli("control", "mode=DEBUG", "active_slot_limit=2");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ mode: "DEBUG", active_slot_limit: 2, version: 2 });
    const bad = cli("control", "verbosity=LOUD");
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("verbosity must be one of QUIET|VERBOSE|TRACE");
  });

  test("without the operator token a mutating command fails with one line", () => {
    const r = run(["intent", "cancel", "--slot", "0", "--url", s.url], { DITA_V2_STATE_DIR: "/nonexistent-state-dir" });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("no operator token");
  });

  test("healthcheck against nothing listening exits 2 with one line", () => {
    const r = run(["healthcheck", "--url", "http://127.0.0.1:9"], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
