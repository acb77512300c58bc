/**
 * serve's eager JIT tiers through the built executable (src/launcher/jit_tiers.ts): serve replaces
 * its own process image once, before it opens anything, with JavaScriptCore's tier thresholds
 * lowered: the same pid then runs with them, trades and stops with exit 0; DITA_V2_JIT=DEFAULT
 * keeps the engine's own; an unknown value is one line and exit 1 (as every setting), nothing started.
 */

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { EAGER_JIT_ENV } from "../../src/launcher/jit_tiers.ts";
import { run, scratch } from "./_exe.ts";
import { eventually, startServe } from "./_serve.ts";

const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");

describe("serve's JIT tiers", () => {
  test("by default the same process re-executes with the eager thresholds, trades, and stops cleanly", async () => {
    const s = await startServe({ DITA_V2_MOCK_PRICES: "BTC-USDT=65000" });
    try {
      expect(s.stderr()).toContain("jit eager)");
      const env = environOf(s.proc.pid);
      for (const [k, v] of Object.entries(EAGER_JIT_ENV)) expect(env).toContain(`${k}=${v}`);
      const enter = await s.call("/intents", {
        body: {
          type: "ENTER",
          slot_id: 0,
          trade_id: "J1",
          asset: "BTC-USDT",
          side: "LONG",
          size: 0.01,
          price: null,
          leverage: 2,
        },
      });
      expect(enter.body.accepted).toBe(true);
      await eventually("the position open", async () => (await s.call("/slots/0")).body.stage === "POSITION_OPEN");
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(s.stderr()).not.toContain("execve");
  });

  test("DITA_V2_JIT=DEFAULT runs with the engine's own thresholds, not re-executed", async () => {
    const s = await startServe({ DITA_V2_JIT: "DEFAULT" });
    try {
      expect(s.stderr()).toContain("jit default)");
      expect(environOf(s.proc.pid).some((e) => e.startsWith("BUN_JSC_"))).toBe(false);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  test("an unknown DITA_V2_JIT is one line naming it and exit 2 (a configuration it cannot read), before anything starts", () => {
    const dir = scratch("dita-jit-");
    const r = run(["serve"], { DITA_V2_JIT: "TURBO", DITA_V2_STATE_DIR: dir, DITA_V2_HTTP_PORT: "0" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("DITA_V2_JIT");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
