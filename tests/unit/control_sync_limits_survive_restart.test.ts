/**
 * A restart never loosens a risk limit by itself (src/launcher/_control_sync.ts `startUp`): per
 * limit the kernel restored from the journal (the last run's config) and the configured snapshot
 * (DITA_V2_ACTIVE_SLOT_LIMIT, DITA_V2_MAX_*) are compared and the stricter applies, to the kernel
 * and the snapshot, with one log line per limit carried over from the last run.
 * Stricter: a lower `active_slot_limit` (1..slots, no off); for the risk limits a lower value,
 * where 0 = off is the loosest of all. A fresh kernel (first start: limits off, the configured
 * slot limit) leaves the configured values.
 * The kernel here is a stand-in that keeps its config (the real one: trading_state_survives_restart).
 */
import { describe, expect, test } from "bun:test";
import { type ControlSnapshot, RISK_LIMITS_OFF } from "../../src/contracts/control.ts";
import type { SystemInput } from "../../src/contracts/intents.ts";
import { InMemoryControlPlane } from "../../src/control/index.ts";
import type { KernelConfig } from "../../src/kernel/index.ts";
import { ControlSync } from "../../src/launcher/_control_sync.ts";
import { applyConfigure, CONFIG_FIELD } from "../_support/control_sync.ts";
import { INITIAL } from "../integration/control_contract.ts";

type Limits = Pick<
  KernelConfig,
  | "active_slot_limit"
  | "max_notional_per_trade"
  | "max_gross_exposure"
  | "max_orders_per_minute"
  | "max_leverage"
  | "max_drawdown_ratio"
>;
const KEYS = Object.values(CONFIG_FIELD) as Array<keyof Limits>;

const TIGHT: Limits = {
  active_slot_limit: 1,
  max_notional_per_trade: 100,
  max_gross_exposure: 500,
  max_orders_per_minute: 10,
  max_leverage: 3,
  max_drawdown_ratio: 0.02,
};
const LOOSE: Limits = {
  active_slot_limit: 4,
  max_notional_per_trade: 1000,
  max_gross_exposure: 5000,
  max_orders_per_minute: 60,
  max_leverage: 10,
  max_drawdown_ratio: 0.1,
};
const OFF: Limits = { active_slot_limit: 4, ...RISK_LIMITS_OFF };

/** Starts a process whose env asks `configured` and whose restored kernel holds `restored`. */
function startWith(configured: Partial<ControlSnapshot>, restored: Partial<KernelConfig>) {
  const plane = new InMemoryControlPlane({ ...INITIAL, ...configured }, 4);
  const k = { ...INITIAL, slot_count: 4, hung_order_ms: 30_000, ...restored } as unknown as KernelConfig;
  const configures: string[] = [];
  const lines: string[] = [];
  const sync = new ControlSync({
    control: plane,
    kernel: { config: () => ({ ...k }) } as never,
    clock: { nowMs: () => INITIAL.updated_at_ms } as never,
    applySystem: (input: SystemInput) => {
      const key = applyConfigure(k, input);
      if (key !== null) configures.push(key);
    },
    publish: () => {},
    log: (l) => lines.push(l),
  });
  sync.startUp();
  const pick = (o: Limits) => Object.fromEntries(KEYS.map((key) => [key, o[key]]));
  return { kernel: pick(k), snapshot: pick(plane.snapshot()), lines, configures, plane };
}

describe("risk limits across a restart: the stricter of the last run's and the configured one", () => {
  test("every limit the last run tightened stays tight over a looser env, in the kernel and the snapshot", () => {
    const r = startWith(LOOSE, TIGHT);
    expect(r.kernel).toEqual(TIGHT);
    expect(r.snapshot).toEqual(TIGHT);
    expect(r.configures).toEqual([]); // the kernel already enforces them
  });

  test("each carried-over limit is one log line naming it, both values and how to loosen it", () => {
    const r = startWith(LOOSE, TIGHT);
    const carried = r.lines.filter((l) => l.includes("carried over from the last run"));
    expect(carried).toHaveLength(KEYS.length);
    const line = carried.find((l) => l.startsWith("max_drawdown_ratio "));
    expect(line).toContain("max_drawdown_ratio 0.02 carried over from the last run");
    expect(line).toContain("DITA_V2_MAX_DRAWDOWN_RATIO=0.1");
    expect(line).toContain("dita-v2 control max_drawdown_ratio=0.1");
    const slots = carried.find((l) => l.startsWith("active_slot_limit "));
    expect(slots).toContain("DITA_V2_ACTIVE_SLOT_LIMIT=4");
    expect(slots).toContain("dita-v2 control active_slot_limit=4");
  });

  test("a stricter env limit still wins over a looser last run, with nothing logged as carried over", () => {
    const r = startWith(TIGHT, LOOSE);
    expect(r.kernel).toEqual(TIGHT);
    expect(r.snapshot).toEqual(TIGHT);
    expect(r.lines.some((l) => l.includes("carried over"))).toBe(false);
  });

  test("0 = off is the loosest: a last run's limit stays over an env that has it off", () => {
    const r = startWith(OFF, TIGHT);
    expect(r.kernel).toEqual(TIGHT);
    expect(r.snapshot).toEqual(TIGHT);
    const line = r.lines.find((l) => l.startsWith("max_leverage "));
    expect(line).toContain("DITA_V2_MAX_LEVERAGE=0 (off)");
    expect(line).toContain("dita-v2 control max_leverage=0");
  });

  test("0 = off is the loosest: a last run with a limit off leaves the env's limit on", () => {
    const r = startWith(TIGHT, OFF);
    expect(r.kernel).toEqual(TIGHT);
    expect(r.snapshot).toEqual(TIGHT);
    expect(r.lines.some((l) => l.includes("carried over"))).toBe(false);
  });

  test("first start (a fresh kernel: limits off, the configured slot limit) takes the env's limits", () => {
    const r = startWith(TIGHT, { ...RISK_LIMITS_OFF, active_slot_limit: TIGHT.active_slot_limit });
    expect(r.kernel).toEqual(TIGHT);
    expect(r.snapshot).toEqual(TIGHT);
    expect(r.plane.snapshot().version).toBe(INITIAL.version);
    expect(r.lines).toEqual([]);
  });

  test("mixed: each limit on its own, and a carried-over halt too, in one control version", () => {
    const restored = { ...LOOSE, max_leverage: 2, max_drawdown_ratio: 0, trading_state: "HALTED" as const };
    const r = startWith({ ...TIGHT, max_leverage: 5, max_drawdown_ratio: 0.3 }, restored);
    expect(r.snapshot).toEqual({ ...TIGHT, max_leverage: 2, max_drawdown_ratio: 0.3 });
    expect(r.kernel).toEqual(r.snapshot);
    expect(r.plane.snapshot().trading_state).toBe("HALTED");
    expect(r.plane.snapshot().version).toBe(INITIAL.version + 1);
    expect(r.lines.filter((l) => l.includes("carried over")).map((l) => l.split(" ")[0])).toEqual([
      "trading",
      "max_leverage",
    ]);
  });
});
