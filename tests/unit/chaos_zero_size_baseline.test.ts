/**
 * The live-safe case `zero-size-and-negative-price` (src/chaos/cases_core.ts) proves that hostile
 * entries are refused before the venue: nothing new reaches it. A live account may already hold a
 * position before the run (the run's `baseline`); the case used to read the raw venue truth, so a
 * pre-existing position failed it. It must compare with the baseline, as the auditor does
 * (`relativeTo`), and still catch anything the run itself left at the venue.
 */

import { afterEach, describe, expect, it } from "bun:test";
import {
  CaseContext,
  type Harness,
  MATRIX_PRICES,
  matrixCase,
  relativeTo,
  startHarness,
  type VenueTruth,
} from "../../src/chaos/index.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { marketBuy } from "../_support/venue_data.ts";

const CASE = "zero-size-and-negative-price";
let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

/** A long BTC position opened at the mock venue outside the kernel (another client on the account). */
async function holdPosition(harness: Harness, cid: string): Promise<void> {
  const placed = await harness.adapter.submit(marketBuy(cid, 0.001));
  expect(placed.status).toBe("ACCEPTED");
  await harness.settle();
  expect((await harness.truth()).positions.map((p) => [p.side, p.size])).toEqual([["LONG", 0.001]]);
}

async function runZeroSize(baselineFirst: boolean): Promise<string[]> {
  const clock = new SystemClock();
  h = await startHarness({ seed: 57, clock, venue: "mock", prices: { ...MATRIX_PRICES } });
  const c = new CaseContext(h, CASE, { venue: "mock", seed: 57, clock });
  // baselineFirst: the account held nothing before the run, the position appears during it.
  if (baselineFirst) c.baseline = await h.truth();
  await holdPosition(h, "HELD57-E");
  if (!baselineFirst) c.baseline = await h.truth();
  await matrixCase(CASE)!.run(c);
  return c.findings.filter((f) => f.invariant === "CASE").map((f) => f.message);
}

describe(`${CASE} compares the venue with the run's baseline`, () => {
  it("passes on an account that held a position (and its order) before the run", async () => {
    expect(await runZeroSize(false)).toEqual([]);
  }, 20_000);

  it("still fails when a position appeared at the venue during the run", async () => {
    const found = await runZeroSize(true);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("a refused entry reached the venue");
  }, 20_000);
});

describe("relativeTo drops the orders the account held before the run", () => {
  const order = (cid: string) => ({ client_order_id: cid, asset: "BTC-USDT", size: 1, filled: 1 });
  const truth = (orders: string[]): VenueTruth => ({
    positions: [],
    open_orders: [],
    orders: orders.map(order),
    wallet: null,
    placements_max: null,
  });

  it("keeps only the orders the baseline did not hold", () => {
    expect(relativeTo(truth(["held-1", "new-1"]), truth(["held-1"])).orders?.map((o) => o.client_order_id)).toEqual([
      "new-1",
    ]);
  });
});
