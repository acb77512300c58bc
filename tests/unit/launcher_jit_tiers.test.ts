/**
 * serve's eager JIT tiers (src/launcher/jit_tiers.ts): which environment serve re-executes itself
 * with, and when it must not (tiers DEFAULT, a development run under bun, thresholds already set
 * by the re-exec or by the operator); DITA_V2_JIT is parsed like every other setting.
 */

import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";
import { EAGER_JIT_ENV, eagerJitEnv, jitInUse } from "../../src/launcher/jit_tiers.ts";

describe("eager JIT tiers", () => {
  test("the compiled serve re-executes with every threshold added and the rest of its environment kept", () => {
    const next = eagerJitEnv({ DITA_V2_VENUE: "BINGX", HOME: "/root", UNSET: undefined }, "EAGER", true);
    expect(next).toEqual({ DITA_V2_VENUE: "BINGX", HOME: "/root", ...EAGER_JIT_ENV });
    expect(jitInUse(next!)).toBe("eager");
  });

  test("no re-exec once the thresholds are there, so serve re-executes at most once", () => {
    expect(eagerJitEnv({ ...EAGER_JIT_ENV }, "EAGER", true)).toBeNull();
  });

  test("an operator's own threshold wins: nothing re-executed, and the start line names it", () => {
    const own = { BUN_JSC_thresholdForOptimizeAfterWarmUp: "300" };
    expect(eagerJitEnv(own, "EAGER", true)).toBeNull();
    expect(jitInUse(own)).toBe("operator's BUN_JSC_thresholdForOptimizeAfterWarmUp");
  });

  test("DITA_V2_JIT=DEFAULT and a run under bun (not the executable) keep the engine's tiers", () => {
    expect(eagerJitEnv({}, "DEFAULT", true)).toBeNull();
    expect(eagerJitEnv({}, "EAGER", false)).toBeNull();
    expect(jitInUse({})).toBe("default");
  });

  test("DITA_V2_JIT defaults to EAGER, folds case, and refuses anything else by name", () => {
    expect(loadConfig({}).jit).toBe("EAGER");
    expect(loadConfig({ DITA_V2_JIT: "default" }).jit).toBe("DEFAULT");
    expect(() => loadConfig({ DITA_V2_JIT: "fast" })).toThrow(ConfigError);
    expect(() => loadConfig({ DITA_V2_JIT: "fast" })).toThrow(/DITA_V2_JIT/);
  });
});
