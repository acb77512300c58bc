/**
 * Operator safety in the fast tier (one process, mock venue, no service): flatten closes every
 * position and working entry and answers per slot, is a no-op the second time, waits out venue
 * rate limits; the control mailbox's flatten is answered STARTED then APPLIED under its request
 * id; the kernel's configuration follows the control snapshot key by key; verbosity and
 * trace_transitions change what is logged; start-up variables are checked.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RISK_LIMITS_OFF } from "../../src/contracts/control.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { InMemoryControlPlane } from "../../src/control/index.ts";
import { type LoggedVenue, masked } from "../../src/launcher/_venue_log.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import type { MockVenueAdapter } from "../../src/venue/index.ts";

const dirs: string[] = [];
const runtimes: Runtime[] = [];

afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(1000);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function runtime(env: Record<string, string> = {}): Promise<{ rt: Runtime; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "dita-ops-"));
  dirs.push(dir);
  const config = loadConfig({ DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0", ...env });
  const lines: string[] = [];
  const bundle = await buildBundle(config, new SystemClock(), {}, { journal: false });
  const rt = new Runtime(bundle, (l) => lines.push(l));
  runtimes.push(rt);
  await rt.start();
  return { rt, lines };
}

let trades = 0;
const enter = (slot_id: number, asset: string, side: "LONG" | "SHORT", size: number, price: number | null) =>
  ({ type: "ENTER", slot_id, trade_id: `OS${++trades}`, asset, side, size, price, leverage: 3 }) as StrategyIntent;

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 10) {
    if (check()) return;
    await Bun.sleep(10);
  }
  throw new Error(`timed out: ${what}`);
}

/** Three positions (slots 0..2) and one entry resting far below the market (slot 3). */
async function openBook(rt: Runtime): Promise<void> {
  for (const [i, [asset, side, size]] of (
    [
      ["BTC-USDT", "LONG", 0.01],
      ["ETH-USDT", "SHORT", 0.5],
      ["BTC-USDT", "LONG", 0.02],
    ] as const
  ).entries()) {
    expect(rt.submitStrategy(enter(i, asset, side, size, null)).accepted).toBe(true);
  }
  expect(rt.submitStrategy(enter(3, "BTC-USDT", "LONG", 0.01, 30000)).accepted).toBe(true);
  const k = rt.b.kernel;
  await until(
    "book open",
    () => [0, 1, 2].every((i) => k.slot(i).stage === "POSITION_OPEN") && k.slot(3).entry_order?.status === "ACKED",
  );
}

describe("flatten", () => {
  test("closes every position and cancels the resting entry; venue flat; capital equals the venue balance", async () => {
    const { rt } = await runtime();
    await openBook(rt);
    const report = await rt.flattener.run({ timeout_ms: 5000 });
    expect(report.complete).toBe(true);
    expect(report.slots.map((s) => [s.slot_id, s.before, s.result] as unknown[])).toEqual([
      [0, "POSITION_OPEN", "CLOSED"],
      [1, "POSITION_OPEN", "CLOSED"],
      [2, "POSITION_OPEN", "CLOSED"],
      [3, "ENTRY_WORKING", "CLOSED"],
      ...[4, 5, 6, 7].map((i) => [i, "IDLE", "ALREADY_FLAT"]),
    ]);
    expect(await rt.b.venue.positions()).toEqual([]);
    expect(await rt.b.venue.openOrders()).toEqual([]);
    expect(rt.b.kernel.account().capital).toBeCloseTo((await rt.b.venue.balance()).balance, 9);
    expect(rt.b.control.snapshot().trading_state).toBe("HALTED");
    expect(rt.b.kernel.config().trading_state).toBe("HALTED");
    expect(rt.flattener.last).toEqual(report);
  });

  test("a second flatten sends no FLATTEN input and no order", async () => {
    const { rt } = await runtime();
    await openBook(rt);
    await rt.flattener.run({ timeout_ms: 5000 });
    const again = await rt.flattener.run({ timeout_ms: 5000 });
    expect(again.complete).toBe(true);
    expect(again.attempts).toEqual({ flatten_inputs: 0, after_refusal: 0 });
    expect(again.slots.every((s) => s.result === "ALREADY_FLAT")).toBe(true);
  });

  test("two flattens at once are one: the second joins the first", async () => {
    const { rt } = await runtime();
    await openBook(rt);
    const [a, b] = await Promise.all([rt.flattener.run({ timeout_ms: 5000 }), rt.flattener.run({ timeout_ms: 5000 })]);
    expect(a).toBe(b);
    expect(a.attempts.flatten_inputs).toBe(4);
  });

  test("venue rate limits on the exits are waited out: the flatten still completes", async () => {
    const { rt } = await runtime();
    await openBook(rt);
    ((rt.b.venue as LoggedVenue).inner as MockVenueAdapter).setKnobs({
      rate_limit: { retry_after_ms: 50, count: 3 },
    });
    const report = await rt.flattener.run({ timeout_ms: 10_000 });
    expect(report.complete).toBe(true);
    expect(report.attempts.after_refusal).toBeGreaterThanOrEqual(1);
  });

  test("a bound too short to finish answers STILL_OPEN with why, never silently", async () => {
    const { rt } = await runtime();
    await openBook(rt);
    ((rt.b.venue as LoggedVenue).inner as MockVenueAdapter).setKnobs({ hung: true, cancel_reject: true });
    rt.submitStrategy(enter(4, "BTC-USDT", "LONG", 0.01, null)); // never filled, cancels refused
    const report = await rt.flattener.run({ timeout_ms: 1000 });
    expect(report.complete).toBe(false);
    const four = report.slots.find((s) => s.slot_id === 4)!;
    expect(four.result).toBe("STILL_OPEN");
    expect(four.detail).toContain("ENTRY");
  });
});

describe("control mailbox flatten", () => {
  test("{flatten: true} is answered STARTED, then APPLIED under the same request id", async () => {
    const { rt } = await runtime();
    await openBook(rt);
    const client = (rt.b.control as InMemoryControlPlane).client();
    expect(client.post({ flatten: true }, 77)).toBe("OK");
    rt.drainRing(); // polls the mailbox
    expect(client.lastResult()).toMatchObject({ requestId: 77, status: "STARTED", key: "flatten" });
    await until("answered", () => client.lastResult()?.status === "APPLIED", 5000);
    expect(client.lastResult()!.message).toContain("flatten complete: 4 closed");
  });

  test("flatten with another key, or a bad timeout, is REJECTED naming flatten and starts nothing", async () => {
    const { rt } = await runtime();
    const client = (rt.b.control as InMemoryControlPlane).client();
    client.post({ flatten: true, mode: "DEBUG" }, 1);
    rt.drainRing();
    expect(client.lastResult()).toMatchObject({ requestId: 1, status: "REJECTED", key: "flatten" });
    client.post({ flatten: { timeout_ms: 10 } }, 2);
    rt.drainRing();
    expect(client.lastResult()).toMatchObject({ requestId: 2, status: "REJECTED", key: "flatten" });
    expect(rt.flattener.last).toBeNull();
    expect(rt.b.control.snapshot().trading_state).toBe("ACTIVE");
  });
});

describe("controls reach the kernel and the log", () => {
  test("every risk limit and the trading state in the snapshot are the kernel's, at start and after a change", async () => {
    const { rt } = await runtime({ DITA_V2_MAX_LEVERAGE: "7", DITA_V2_TRADING_STATE: "REDUCING" });
    expect(rt.b.kernel.config()).toMatchObject({ max_leverage: 7, trading_state: "REDUCING" });
    rt.applyControl({ max_notional_per_trade: 1234.5, max_drawdown_ratio: 0.25, trading_state: "HALTED" });
    expect(rt.b.kernel.config()).toMatchObject({
      ...RISK_LIMITS_OFF,
      max_leverage: 7,
      max_notional_per_trade: 1234.5,
      max_drawdown_ratio: 0.25,
      trading_state: "HALTED",
    });
  });

  test("backend and reconcile_on_restart are refused at runtime naming the variable that sets them", async () => {
    const { rt } = await runtime();
    expect(() => rt.applyControl({ backend: "BINGX" })).toThrow(/DITA_V2_VENUE/);
    expect(() => rt.applyControl({ reconcile_on_restart: false })).toThrow(/DITA_V2_RECONCILE_ON_RESTART/);
    expect(rt.b.control.snapshot().version).toBe(1);
  });

  test("QUIET logs no venue traffic; VERBOSE logs requests and answers; trace_transitions and TRACE log transitions", async () => {
    const { rt, lines } = await runtime();
    const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
    rt.submitStrategy(enter(0, "BTC-USDT", "LONG", 0.01, 30000));
    await until("acked", () => rt.b.kernel.slot(0).entry_order?.status === "ACKED");
    expect([count(/^venue [<>]/), count(/^transition /)]).toEqual([0, 0]);
    rt.applyControl({ verbosity: "VERBOSE" });
    rt.submitStrategy({ type: "CANCEL", slot_id: 0 });
    await until("cancelled", () => rt.b.kernel.slot(0).stage === "IDLE");
    expect(count(/^venue > cancel \["BTC-USDT","OS\d+-E"\]/)).toBe(1);
    expect(count(/^venue < cancel/)).toBe(1);
    expect(count(/^transition /)).toBe(0);
    rt.applyControl({ verbosity: "QUIET", trace_transitions: true });
    rt.submitStrategy(enter(1, "BTC-USDT", "LONG", 0.01, 30000));
    expect(lines).toContain(
      lines.find((l) =>
        /^transition slot 1 IDLE -> ENTRY_WORKING on ENTER \(row \d+, version \d+, now \d+\)$/.test(l),
      )!,
    );
  });

  test("venue log lines mask anything that looks like a credential", () => {
    const line = masked({ apiKey: "K-123", secret: "S", listenKey: "L", nested: { signature: "x", size: 1 } });
    expect(line).toBe('{"apiKey":"***","secret":"***","listenKey":"***","nested":{"signature":"***","size":1}}');
  });
});

describe("start-up variables", () => {
  test.each([
    ["DITA_V2_TRADING_STATE", "PAUSED"],
    ["DITA_V2_MAX_LEVERAGE", "126"],
    ["DITA_V2_MAX_LEVERAGE", "2.5"],
    ["DITA_V2_MAX_ORDERS_PER_MINUTE", "1201"],
    ["DITA_V2_MAX_DRAWDOWN_RATIO", "1.5"],
    ["DITA_V2_MAX_NOTIONAL_PER_TRADE", "-1"],
    ["DITA_V2_RECONCILE_INTERVAL_MS", "500"],
  ])("%s=%s is refused with one ConfigError naming it", (name, value) => {
    let error: unknown = null;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toContain(`'${value}'`);
  });

  test("defaults: ACTIVE, every limit off, live reconciliation every 30 s", () => {
    const c = loadConfig({});
    expect([c.trading_state, c.limits, c.reconcile_interval_ms]).toEqual(["ACTIVE", RISK_LIMITS_OFF, 30_000]);
  });
});
