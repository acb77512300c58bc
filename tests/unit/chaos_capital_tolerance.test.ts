/**
 * The auditor's CAPITAL invariant (src/chaos/auditor.ts): capital = seed + Σ settlements. Both
 * sides are the kernel's own f64 sums of the same numbers, so they agree to float rounding; a
 * tolerance relative to the capital (1e-6 × 10,000 = 0.01) let a kernel that never booked a
 * trade's fees into capital pass whenever the wallet could not be compared (a live run, or two
 * trades sharing a venue position).
 */

import { describe, expect, it } from "bun:test";
import { audit } from "../../src/chaos/index.ts";
import type { AccountRecord } from "../../src/contracts/records.ts";

const account = (capital: number, trade_seq: number) => ({ capital, equity: capital, trade_seq }) as AccountRecord;

function capitalFindings(seed: number, capital: number, settled: number[]) {
  return audit({
    slots: [],
    account: account(capital, settled.length),
    seededCapital: seed,
    settlements: settled.map((amount, i) => ({ slot_id: 0, trade_id: `T${i}`, amount, incarnation: 0 })),
    diagnostics: [],
    // A live run's truth (relativeTo drops the wallet): only CAPITAL guards the kernel's books.
    truth: { positions: [], open_orders: [], wallet: null, placements_max: null },
  }).filter((v) => v.invariant === "CAPITAL");
}

describe("CAPITAL is compared to the cent and below, not relative to the account's size", () => {
  it("flags a capital that missed one min-lot trade's fees (0.0065) on a 10,000 account", () => {
    expect(capitalFindings(10_000, 10_000, [-0.0065]).map((v) => v.message)).toEqual([
      "capital 10000 but seed + settlements = 9999.9935",
    ]);
  });

  it("flags a 0.05 drift on a 100,000 demo account", () => {
    expect(capitalFindings(100_000, 100_000.05, [0.01, -0.02]).length).toBe(1);
  });

  it("passes a capital that is seed + settlements summed in the kernel's order", () => {
    const settled = [0.1, -0.0065, 12.345678, -3.3e-7, 0.2];
    const capital = settled.reduce((s, x) => s + x, 10_000);
    expect(capitalFindings(10_000, capital, settled)).toEqual([]);
  });
});
