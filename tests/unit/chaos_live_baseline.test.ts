/**
 * A live chaos run's truth is the account minus what it held before the run (`relativeTo`,
 * src/chaos/checkpoint.ts). When the run eats into a position the account already held — an
 * exit the kernel sent for more than its trade, or for a position it does not hold — the venue's
 * position falls below the baseline: the run's part is negative, or the position is gone. The
 * auditor must see that as POSITION; it used to drop negative parts and vanished positions.
 */

import { describe, expect, it } from "bun:test";
import { audit, relativeTo, type VenueTruth } from "../../src/chaos/index.ts";
import type { AccountRecord } from "../../src/contracts/records.ts";

const baseline: VenueTruth = {
  positions: [{ asset: "BTC-USDT", side: "LONG", size: 0.01, avg_price: 60_000 }],
  open_orders: [],
  wallet: 100_000,
  placements_max: null,
};

function positionFindings(now: VenueTruth) {
  return audit({
    slots: [], // the kernel holds nothing: every trade of the run is closed
    account: { capital: 100_000, equity: 100_000, trade_seq: 0 } as AccountRecord,
    seededCapital: 100_000,
    settlements: [],
    diagnostics: [],
    truth: relativeTo(now, baseline),
  })
    .filter((v) => v.invariant === "POSITION")
    .map((v) => v.message);
}

const truth = (positions: VenueTruth["positions"]): VenueTruth => ({
  positions,
  open_orders: [],
  wallet: 100_000,
  placements_max: null,
});

describe("a live run that sold part of what the account held before is POSITION", () => {
  it("passes when the account holds exactly its baseline", () => {
    expect(positionFindings(truth([{ asset: "BTC-USDT", side: "LONG", size: 0.01, avg_price: 60_000 }]))).toEqual([]);
  });

  it("flags a baseline position the run shrank (0.01 → 0.009)", () => {
    expect(positionFindings(truth([{ asset: "BTC-USDT", side: "LONG", size: 0.009, avg_price: 60_000 }]))).toEqual([
      expect.stringContaining("BTC-USDT|LONG: kernel holds 0, venue holds -0.001"),
    ]);
  });

  it("flags a baseline position the run closed entirely", () => {
    expect(positionFindings(truth([]))).toEqual(["BTC-USDT|LONG: kernel holds 0, venue holds -0.01"]);
  });
});
