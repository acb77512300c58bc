/**
 * A halt survives a restart (src/launcher/_control_sync.ts `startUp`): a trading state the journal's
 * last run ended in that restricts more than DITA_V2_TRADING_STATE (HALTED by the operator or a
 * flatten, REDUCING) is kept by the next start, with one log line saying so, until the operator
 * sets ACTIVE; a crash loop after an emergency flatten must not let the strategy trade again.
 * A start variable that restricts more still wins, and a run that ended ACTIVE starts as configured.
 * A journal the start cannot recover from (moved aside) took the last run's state with it: unknown,
 * so the start is HALTED, logged, whatever the env says (found by an audit: it came up ACTIVE).
 */

import { describe, expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "../../src/launcher/runtime.ts";
import { btcEntry, restartableRuntimes } from "../_support/runtime.ts";

const { stateDir, start, stop } = restartableRuntimes("dita-halt-restart-");

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

  test("a journal the start cannot recover from (moved aside) starts HALTED, logged, whatever the env says", async () => {
    const dir = stateDir();
    const first = await start(dir);
    first.rt.applyControl({ trading_state: "HALTED" }); // the halt the lost journal held
    await stop(first.rt);
    const journal = join(dir, "journal");
    for (const f of readdirSync(journal)) if (f.startsWith("snapshot-")) rmSync(join(journal, f)); // segments, no snapshot
    const next = await start(dir, { DITA_V2_TRADING_STATE: "ACTIVE" });
    expect(next.lines.some((l) => l.includes("moved aside whole"))).toBe(true);
    expect(tradingState(next.rt)).toEqual({ control: "HALTED", kernel: "HALTED" });
    expect(next.lines.some((l) => /trading HALTED: the journal was not recovered \(moved aside to /.test(l))).toBe(
      true,
    );
    expect(next.rt.submitStrategy(btcEntry("AfterLoss1")).diagnostics.map((d) => d.code)).toContain("TRADING_HALTED");
  });

  test("a first start (no journal yet) is not a lost journal: it starts as configured", async () => {
    const next = await start(stateDir());
    expect(tradingState(next.rt)).toEqual({ control: "ACTIVE", kernel: "ACTIVE" });
  });
});
