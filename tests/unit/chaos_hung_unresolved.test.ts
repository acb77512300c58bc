/**
 * Hung resolution in the chaos harness (src/chaos/harness.ts `resolveHung`) answers which flagged
 * orders the venue's query could not settle (UNKNOWN: the query failed, the venue never said what
 * happened). A run that ignores them passes although an order's fate was never confirmed: a
 * resting order the kernel flagged hung still matches an open order at the venue, so the auditor
 * finds nothing. Every caller must turn an unresolved hung order into a HUNG finding: the per-step
 * checkpoint, the matrix's flatten and the VOPR run's flatten.
 */

import { afterEach, describe, expect, it } from "bun:test";
import {
  checkpoint,
  Harness,
  type MatrixCase,
  runCase,
  runChaos,
  startHarness,
  type VenueKind,
} from "../../src/chaos/index.ts";
import type { KernelOutcome } from "../../src/contracts/records.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

/** A mock-venue harness with one limit entry resting 3% below the market (no venue update after its ack). */
async function restingEntry(): Promise<{ h: Harness; cid: string }> {
  const harness = await startHarness({ seed: 57, clock: new SystemClock(), venue: "mock", hungOrderMs: 40 });
  h = harness;
  const rules = harness.adapter.knownRules("BTC-USDT")!;
  const entered = harness.submit({
    type: "ENTER",
    slot_id: 0,
    trade_id: "HUNG57",
    asset: "BTC-USDT",
    side: "LONG",
    size: rules.min_quantity,
    price: 63_000,
    leverage: 3,
  });
  expect(entered.accepted).toBe(true);
  expect(await harness.settle()).toBe(true);
  expect(harness.kernel.slot(0).stage).toBe("ENTRY_WORKING");
  return { h: harness, cid: harness.kernel.slot(0).entry_order!.client_order_id };
}

describe("checkpoint: a hung order whose query never answered is a HUNG finding", () => {
  it("flags the resting order when every query of it fails (the auditor alone sees nothing wrong)", async () => {
    const { h, cid } = await restingEntry();
    // The venue double: the order rests at the venue, but every query of it fails (a 5xx).
    h.adapter.queryOrder = async () => {
      throw new Error("HTTP 503: service unavailable");
    };
    const found = await checkpoint(h);
    expect(found).toEqual([
      { invariant: "HUNG", message: `hung order ${cid}: the venue's query never said what happened to it` },
    ]);
  }, 15_000);

  it("has no finding when the query of the same hung order answers", async () => {
    const { h } = await restingEntry();
    expect(await checkpoint(h)).toEqual([]);
    expect(h.kernel.slot(0).stage).toBe("ENTRY_WORKING");
  }, 15_000);
});

/** resolveHung stubbed to report one unresolved order at every call (a flatten included). */
async function withUnresolved<T>(run: () => Promise<T>): Promise<T> {
  const original = Harness.prototype.resolveHung;
  Harness.prototype.resolveHung = async () => ({ flagged: 1, unresolved: ["ghost-57"] });
  try {
    return await run();
  } finally {
    Harness.prototype.resolveHung = original;
  }
}

const FROM_CHECKPOINT = "hung order ghost-57: the venue's query never said what happened to it";
const FROM_FLATTEN = `during the flatten, ${FROM_CHECKPOINT}`;

describe("the flattens report an unresolved hung order too", () => {
  it("matrix: the flatten's own hung resolution is a HUNG finding at the flatten step", async () => {
    const mc: MatrixCase = {
      name: "hung-probe",
      title: "one market entry, left for the flatten",
      liveSafe: false,
      async run(c) {
        await c.step("enter", () => {
          const o = c.submit({
            type: "ENTER",
            slot_id: 0,
            trade_id: c.trade(),
            asset: "BTC-USDT",
            side: "LONG",
            size: c.rules("BTC-USDT").min_quantity,
            price: null,
            leverage: 3,
          });
          c.expect(o.accepted, "the entry was accepted");
        });
      },
    };
    const v = await withUnresolved(() =>
      runCase(mc, { venue: "mock" as VenueKind, seed: 57, clock: new SystemClock() }),
    );
    expect(v.findings.map((f) => [f.step, f.invariant, f.message])).toEqual([
      ["enter", "HUNG", FROM_CHECKPOINT],
      ["flatten", "HUNG", FROM_FLATTEN],
      ["flatten", "HUNG", FROM_CHECKPOINT],
    ]);
    expect(v.clean).toBe(false);
  }, 30_000);

  it("VOPR: the flatten's own hung resolution is a HUNG violation at the flatten step", async () => {
    // One market entry (as in chaos_vopr_flat_end), every later intent lost: the flatten has one exit to do.
    const submit = Harness.prototype.submit;
    let calls = 0;
    Harness.prototype.submit = function (this: Harness, intent: Record<string, unknown>): KernelOutcome {
      calls++;
      if (calls === 1) {
        const enter = { type: "ENTER", slot_id: 0, trade_id: "HUNGV57", asset: "BTC-USDT", side: "LONG" };
        return submit.call(this, { ...enter, size: 0.0002, price: null, leverage: 2 });
      }
      if (intent.type === "EXIT") return submit.call(this, intent);
      return { accepted: false, diagnostics: [], transitions: [] } as unknown as KernelOutcome;
    };
    try {
      const v = await withUnresolved(() => runChaos({ seed: 15, steps: 1, clock: new SystemClock(), venue: "mock" }));
      expect(v.violations.map((x) => [x.step, x.invariant, x.message])).toEqual([
        [1, "HUNG", FROM_CHECKPOINT],
        [2, "HUNG", FROM_FLATTEN],
        [2, "HUNG", FROM_CHECKPOINT],
      ]);
      expect(v.clean).toBe(false);
    } finally {
      Harness.prototype.submit = submit;
    }
  }, 30_000);
});
