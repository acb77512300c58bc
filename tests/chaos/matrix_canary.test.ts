/**
 * Canaries for the chaos matrix: proof that it can fail. A deliberately broken auditor invariant
 * (it claims the venue never holds a position after a step) must fail the matrix in every case
 * that holds one; a venue that reports fills at prices it did not book (`fill_price_skew`) or moves
 * positions by more than it reports (`fill_qty_skew`) must be caught by the real auditor.
 */

import { expect, test } from "bun:test";
import {
  type AuditInput,
  audit,
  type CaseContext,
  MATRIX,
  type MatrixCase,
  runCase,
  type Violation,
} from "../../src/chaos/index.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

/** The real auditor plus an invariant that is false whenever the venue holds a position; `held` records whether one was seen. */
function brokenAuditor(): { auditor: (a: AuditInput) => Violation[]; held: () => boolean } {
  let held = false;
  const auditor = (a: AuditInput): Violation[] => {
    const open = a.truth.positions.filter((p) => p.size > 0);
    if (open.length > 0) held = true;
    const broken: Violation[] = open.map((p) => ({
      invariant: "POSITION",
      message: `canary: the venue holds ${p.size} ${p.asset} ${p.side}`,
    }));
    return [...audit(a), ...broken];
  };
  return { auditor, held: () => held };
}

test("canary: with an invariant broken on purpose the matrix fails — exactly the cases that ever hold a position fail", async () => {
  console.log("SEED=2000 (canary, mock venue, whole matrix)");
  const failing: string[] = [];
  for (const mc of MATRIX) {
    const canary = brokenAuditor();
    const v = await runCase(mc, { venue: "mock", seed: 2_000, clock: new SystemClock(), auditor: canary.auditor });
    expect([mc.name, v.clean]).toEqual([mc.name, !canary.held()]);
    for (const f of v.findings) expect(f.message).toStartWith("canary:");
    if (!v.clean) failing.push(mc.name);
  }
  expect(failing.length).toBeGreaterThanOrEqual(20);
}, 120_000);

function skewCase(knob: { fill_price_skew?: number; fill_qty_skew?: number }): MatrixCase {
  return {
    name: "skew-canary",
    title: "one entry under a lying venue",
    liveSafe: false,
    async run(c: CaseContext) {
      await c.step("enter while the venue lies", () => {
        c.faults(knob);
        c.submit({
          type: "ENTER",
          slot_id: 0,
          trade_id: c.trade(),
          asset: "BTC-USDT",
          side: "LONG",
          size: 0.0004,
          price: null,
          leverage: 2,
        });
      });
    },
  };
}

test("canary: fills reported 0.001% above the price the venue booked (fill_price_skew) are caught as FILL_PRICE", async () => {
  console.log("SEED=2001 (fill_price_skew canary, bingx-sim)");
  const v = await runCase(skewCase({ fill_price_skew: 0.00001 }), {
    venue: "sim",
    seed: 2_001,
    clock: new SystemClock(),
  });
  expect(v.clean).toBe(false);
  const price = v.findings.filter((f) => f.invariant === "FILL_PRICE");
  expect(price.map((f) => f.step)).toContain("enter while the venue lies");
  expect(price[0]!.message).toContain("the venue booked the position at");
});

test("canary: a position moved by 1.5× the reported fill (fill_qty_skew) is caught as POSITION and QUANTITY", async () => {
  console.log("SEED=2002 (fill_qty_skew canary, bingx-sim)");
  const v = await runCase(skewCase({ fill_qty_skew: 0.5 }), { venue: "sim", seed: 2_002, clock: new SystemClock() });
  const atEntry = v.findings.filter((f) => f.step === "enter while the venue lies").map((f) => f.invariant);
  expect(atEntry.sort()).toEqual(["POSITION", "QUANTITY"]);
  expect(v.findings.find((f) => f.invariant === "QUANTITY")!.message).toContain("the venue holds 0.0006");
});

test("the mock venue refuses the canary skews with one line (they exist on bingx-sim only)", async () => {
  const v = await runCase(skewCase({ fill_price_skew: 0.01 }), {
    venue: "mock",
    seed: 2_003,
    clock: new SystemClock(),
  });
  const thrown = v.findings.find((f) => f.invariant === "CASE");
  expect(thrown?.message).toBe(
    "the case threw: Condition failed: fill_price_skew and fill_qty_skew exist on bingx-sim only",
  );
});
