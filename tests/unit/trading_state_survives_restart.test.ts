/**
 * A halt survives a restart (src/launcher/_control_sync.ts `startUp`): a trading state the journal's
 * last run ended in that restricts more than DITA_V2_TRADING_STATE (HALTED by the operator or a
 * flatten, REDUCING) is kept by the next start, with one log line saying so, until the operator
 * sets ACTIVE; a crash loop after an emergency flatten must not let the strategy trade again.
 * A start variable that restricts more still wins, and a run that ended ACTIVE starts as configured.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { btcEntry } from "../_support/runtime.ts";

const dirs: string[] = [];
const open: Runtime[] = [];
afterEach(async () => {
  for (const rt of open.splice(0)) await rt.shutdown(500);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dir: string, env: Record<string, string> = {}) {
  const config = loadConfig({
    DITA_V2_STATE_DIR: dir,
    DITA_V2_RECONCILE_INTERVAL_MS: "0",
    DITA_V2_RECONCILE_ON_RESTART: "0",
    ...env,
  });
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  const rt = new Runtime(await buildBundle(config, new SystemClock(), {}, { journal: true, log }), log);
  open.push(rt);
  await rt.start();
  return { rt, lines };
}

async function stop(rt: Runtime) {
  open.splice(open.indexOf(rt), 1);
  await rt.shutdown(500);
}

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), "dita-halt-restart-"));
  dirs.push(d);
  return d;
}

const tradingState = (rt: Runtime) => ({
  control: rt.b.control.snapshot().trading_state,
  kernel: rt.b.kernel.config().trading_state,
});

describe("the trading state across a restart", () => {
  test("HALTED at the stop stays HALTED at the next start, logged, and an ENTER is refused", async () => {
    const dir = stateDir();
    const first = await start(dir);
    first.rt.applyControl({ trading_state: "HALTED" });
    await stop(first.rt);
    const next = await start(dir);
    expect(tradingState(next.rt)).toEqual({ control: "HALTED", kernel: "HALTED" });
    expect(next.lines.some((l) => l.includes("trading HALTED carried over from the last run"))).toBe(true);
    const outcome = next.rt.submitStrategy(btcEntry("AfterHalt1"));
    expect(outcome.accepted).toBe(false);
    expect(outcome.diagnostics.map((d) => d.code)).toContain("TRADING_HALTED");
  });

  test("REDUCING at the stop stays REDUCING; the operator's ACTIVE then holds across the next restart", async () => {
    const dir = stateDir();
    const first = await start(dir);
    first.rt.applyControl({ trading_state: "REDUCING" });
    await stop(first.rt);
    const second = await start(dir);
    expect(tradingState(second.rt)).toEqual({ control: "REDUCING", kernel: "REDUCING" });
    second.rt.applyControl({ trading_state: "ACTIVE" });
    await stop(second.rt);
    const third = await start(dir);
    expect(tradingState(third.rt)).toEqual({ control: "ACTIVE", kernel: "ACTIVE" });
    expect(third.lines.some((l) => l.includes("carried over"))).toBe(false);
  });

  test("a start variable stricter than the last run's state wins", async () => {
    const dir = stateDir();
    await stop((await start(dir)).rt);
    const next = await start(dir, { DITA_V2_TRADING_STATE: "HALTED" });
    expect(tradingState(next.rt)).toEqual({ control: "HALTED", kernel: "HALTED" });
  });
});
