/**
 * bingx-sim holds a placement PENDING under its `pending_ms` fault: the order exists and is open
 * (the sim's own `isOpen` counts it), it just has not reached the book yet. The exchange truth the
 * auditor reads (`simTruth`, src/chaos/truth.ts) must count it among the open orders: otherwise a
 * PENDING order no slot works is no ORPHAN_ORDER, and a slot working one looks STUCK_WORKING.
 */

import { afterEach, describe, expect, it } from "bun:test";
import { audit, type Harness, simTruth, startHarness } from "../../src/chaos/index.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

describe("a PENDING order at bingx-sim is open in the auditor's truth", () => {
  it("a PENDING order that no slot works is ORPHAN_ORDER", async () => {
    h = await startHarness({ seed: 11, clock: new SystemClock(), venue: "sim" });
    const sim = h.sim!;
    sim.faults.pending_ms = 60_000;
    const placed = await h.adapter.submit({
      client_order_id: "STRAY1-E",
      asset: "BTC-USDT",
      side: "BUY",
      position_side: "LONG",
      type: "MARKET",
      size: 0.0001,
      reduce_only: false,
    });
    expect(placed.status).toBe("ACCEPTED");
    expect(sim.state().orders.map((o) => o.status)).toEqual(["PENDING"]);
    const truth = simTruth(sim);
    expect(truth.open_orders.map((o) => o.client_order_id)).toEqual(["stray1-e"]);
    const found = audit({
      slots: h.kernel.slots(),
      account: h.kernel.account(),
      truth,
      seededCapital: h.seededCapital,
      settlements: [],
      diagnostics: [],
    });
    expect(found.map((v) => [v.invariant, v.message])).toEqual([
      ["ORPHAN_ORDER", "venue order stray1-e (BTC-USDT) is open but no slot works it"],
    ]);
  }, 15_000);
});
