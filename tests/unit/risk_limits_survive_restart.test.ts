/**
 * A restart never loosens a risk limit by itself, with the real kernel and journal: a limit the
 * operator tightened at runtime (`dita-v2 control …`) is restored with the kernel from the journal
 * and kept over the looser start variable (src/launcher/_control_sync.ts `startUp`), logged; a
 * start variable that restricts more still wins.
 */

import { describe, expect, test } from "bun:test";
import { restartableRuntimes } from "../_support/runtime.ts";

const { stateDir, start, stop } = restartableRuntimes("dita-limits-restart-");

const LOOSE_ENV = {
  DITA_V2_SLOTS: "4",
  DITA_V2_ACTIVE_SLOT_LIMIT: "4",
  DITA_V2_MAX_LEVERAGE: "10",
  DITA_V2_MAX_DRAWDOWN_RATIO: "0.1",
};

const limits = (o: { active_slot_limit: number; max_leverage: number; max_drawdown_ratio: number }) => ({
  active_slot_limit: o.active_slot_limit,
  max_leverage: o.max_leverage,
  max_drawdown_ratio: o.max_drawdown_ratio,
});

describe("risk limits across a restart (real kernel, journal)", () => {
  test("limits tightened at runtime stay tight after a restart with looser start variables, logged", async () => {
    const dir = stateDir();
    const first = await start(dir, LOOSE_ENV);
    first.rt.applyControl({ active_slot_limit: 1, max_leverage: 3, max_drawdown_ratio: 0.02 });
    await stop(first.rt);
    const next = await start(dir, LOOSE_ENV);
    const tight = { active_slot_limit: 1, max_leverage: 3, max_drawdown_ratio: 0.02 };
    expect(limits(next.rt.b.kernel.config())).toEqual(tight);
    expect(limits(next.rt.b.control.snapshot())).toEqual(tight);
    const line = next.lines.find((l) => l.startsWith("max_drawdown_ratio 0.02 carried over from the last run"));
    expect(line).toContain("dita-v2 control max_drawdown_ratio=0.1");
  });

  test("a start variable stricter than the last run's limit wins", async () => {
    const dir = stateDir();
    await stop((await start(dir, LOOSE_ENV)).rt);
    const strict = { ...LOOSE_ENV, DITA_V2_ACTIVE_SLOT_LIMIT: "2", DITA_V2_MAX_LEVERAGE: "2" };
    const next = await start(dir, strict);
    const want = { active_slot_limit: 2, max_leverage: 2, max_drawdown_ratio: 0.1 };
    expect(limits(next.rt.b.kernel.config())).toEqual(want);
    expect(limits(next.rt.b.control.snapshot())).toEqual(want);
    expect(next.lines.some((l) => l.includes("carried over"))).toBe(false);
  });
});
