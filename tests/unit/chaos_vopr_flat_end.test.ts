/**
 * A VOPR run (src/chaos/orchestrator.ts) ends by cancelling every working order and exiting every
 * position, and its contract is that the end state is flat. The end audit compares kernel and
 * venue, which agree just as well when both still hold the position: a flatten that left a trade
 * open must still fail the run. Here the process takes its first intent as one market entry and
 * loses every later one (the flatten's exits too), so the run deterministically ends holding it.
 * Seed 15 draws no fault knob for its one step and fires intents in it.
 */

import { describe, expect, it } from "bun:test";
import { Harness, runChaos } from "../../src/chaos/index.ts";
import type { KernelOutcome } from "../../src/contracts/records.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

describe("a VOPR run whose flatten leaves a trade open is not clean", () => {
  it("reports the slot still holding a trade after the flatten, at the flatten step", async () => {
    const original = Harness.prototype.submit;
    let calls = 0;
    Harness.prototype.submit = function (this: Harness): KernelOutcome {
      calls++;
      if (calls > 1) return { accepted: false, diagnostics: [], transitions: [] } as unknown as KernelOutcome;
      const enter = { type: "ENTER", slot_id: 0, trade_id: "FLAT1", asset: "BTC-USDT", side: "LONG" };
      return original.call(this, { ...enter, size: 0.0002, price: null, leverage: 2 });
    };
    try {
      const v = await runChaos({ seed: 15, steps: 1, clock: new SystemClock(), venue: "mock" });
      expect(v.knobs).toEqual([[]]);
      expect(calls).toBeGreaterThan(1);
      expect(v.violations.map((x) => [x.step, x.invariant, x.message])).toEqual([
        [2, "FLAT", "after the flatten slot 0 POSITION_OPEN still holds a trade"],
      ]);
      expect(v.clean).toBe(false);
    } finally {
      Harness.prototype.submit = original;
    }
  }, 30_000);
});
