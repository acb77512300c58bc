/**
 * Exit legs across RECONCILE. BingX remembers the client ids of ended orders, so after any
 * reconciliation the slot's next exit must be named after a leg it has not sent yet: RECONCILE
 * keeps `leg` (a kept or re-opened exit order keeps its own leg; an adopted unknown one takes a new
 * leg), never lowers it, also when it starts fresh trade figures for a slot without an open trade.
 * Kernel through the binding; the last case runs live reconciliation over the mock venue, which
 * refuses a client id another order holds (80014), as BingX does.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { ReconcileTruth } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { executorOver, mockVenue } from "../_support/executor.ts";
import { codes, event, exitLeg, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernel = kernelsPerTest({ slots: 2 });

/** Position 3 at 100: X1 fills 1, X2 refused. Returns the ids sent (slot POSITION_OPEN, size 2, leg 2). */
function twoLegs(k: ExecutionKernel): string[] {
  openPosition(k, 0, 3, 100);
  const x1 = exitLeg(k, 1, T0 + 100);
  feed(k, event("FULL_FILL", x1, 1, 110), T0 + 101);
  const x2 = exitLeg(k, 1, T0 + 200);
  feed(k, event("REJECT", x2, 0, 0, { reject_reason: "VENUE" }), T0 + 201);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 2, leg: 2 });
  return [x1, x2];
}

function reconcile(k: ExecutionKernel, truth: ReconcileTruth, now: number) {
  if (k.slot(0).stage !== "STALE_STATE_RECONCILING")
    expect(k.apply({ type: "MARK_STALE", slot_id: 0, reason: "DIVERGENCE", now_ms: now }).accepted).toBe(true);
  const o = k.apply({ type: "RECONCILE", slot_id: 0, truth, now_ms: now + 1 });
  expect(o.accepted).toBe(true);
}

const position = (size: number, open_order: ReconcileTruth["open_order"] = null): ReconcileTruth => ({
  side: "LONG",
  size,
  avg_price: 100,
  open_order,
});

describe("RECONCILE keeps the exit leg: the next exit is named after a leg not sent yet", () => {
  test("a position-only truth (the venue closed part by hand): POSITION_OPEN at leg 2, the next exit is X3", () => {
    const k = kernel();
    const sent = twoLegs(k);
    reconcile(k, position(1.5), T0 + 300);
    expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1.5, leg: 2 });
    const next = exitLeg(k, 1.5, T0 + 400);
    expect(sent).not.toContain(next);
    expect(next).toBe("T0-X3");
  });

  test("a truth carrying the working exit X3 keeps it at leg 3; once it ends, the next exit is X4", () => {
    const k = kernel();
    const sent = [...twoLegs(k), exitLeg(k, 1, T0 + 300)];
    feed(k, event("ACK", "T0-X3", 0, 0), T0 + 301);
    const order = {
      role: "EXIT",
      venue_order_id: "",
      client_order_id: "T0-X3",
      size: 1,
      filled_size: 0.5,
      avg_price: 120,
    };
    reconcile(k, position(1.5, order as NonNullable<ReconcileTruth["open_order"]>), T0 + 310);
    expect(k.slot(0)).toMatchObject({
      stage: "EXIT_WORKING",
      leg: 3,
      exit_order: { client_order_id: "T0-X3", leg: 3 },
    });
    expect(k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 320 }).accepted).toBe(true);
    feed(k, event("CANCEL_ACK", "T0-X3", 0.5, 120), T0 + 321);
    expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1.5, leg: 3 });
    const next = exitLeg(k, 1.5, T0 + 400);
    expect(sent).not.toContain(next);
    expect(next).toBe("T0-X4");
  });

  test("a truth without the working exit X3 ends it CANCELLED at leg 3; the next exit is X4", () => {
    const k = kernel();
    const sent = [...twoLegs(k), exitLeg(k, 1, T0 + 300)];
    reconcile(k, position(2), T0 + 310);
    expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", leg: 3, exit_order: { status: "CANCELLED" } });
    const next = exitLeg(k, 2, T0 + 400);
    expect(sent).not.toContain(next);
    expect(next).toBe("T0-X4");
  });

  test("X2 ended by a lagging reconcile and re-opened by the next keeps leg 2; the exit after it is X3", () => {
    const k = kernel();
    openPosition(k, 0, 3, 100);
    const sent = [exitLeg(k, 1, T0 + 100)];
    feed(k, event("FULL_FILL", sent[0]!, 1, 110), T0 + 101);
    sent.push(exitLeg(k, 1, T0 + 200));
    feed(k, event("ACK", "T0-X2", 0, 0), T0 + 201);
    reconcile(k, position(2), T0 + 300); // the venue's open-order list lagged: X2 ended CANCELLED
    const order = { role: "EXIT", venue_order_id: "", client_order_id: "T0-X2", size: 1, filled_size: 0, avg_price: 0 };
    reconcile(k, position(2, order as NonNullable<ReconcileTruth["open_order"]>), T0 + 310);
    expect(k.slot(0)).toMatchObject({
      stage: "EXIT_WORKING",
      leg: 2,
      exit_order: { client_order_id: "T0-X2", leg: 2 },
    });
    feed(k, event("FULL_FILL", "T0-X2", 1, 110), T0 + 320);
    const next = exitLeg(k, 1, T0 + 400);
    expect(sent).not.toContain(next);
    expect(next).toBe("T0-X3");
  });

  test("a CLOSED trade sent stale by a foreign order and given a position starts fresh figures but keeps its leg: X4, not X1", () => {
    const k = kernel();
    const sent = twoLegs(k);
    sent.push(exitLeg(k, 2, T0 + 300));
    feed(k, event("FULL_FILL", "T0-X3", 2, 110), T0 + 301);
    expect(k.slot(0)).toMatchObject({ stage: "CLOSED", leg: 3, is_open: false });
    const foreign = feed(k, event("ACK", "HAND-1", 0, 0), T0 + 400, 0);
    expect(codes(foreign)).toContain("UNKNOWN_ORDER");
    reconcile(k, position(1), T0 + 410);
    expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", is_open: true, realized_pnl: 0, leg: 3 });
    const next = exitLeg(k, 1, T0 + 500);
    expect(sent).not.toContain(next);
    expect(next).toBe("T0-X4");
  });
});

describe("live reconciliation over the mock venue (which refuses a client id another order holds)", () => {
  const kernels: ExecutionKernel[] = [];
  afterEach(async () => {
    await Bun.sleep(20); // the mock's last deliveries land first
    for (const k of kernels.splice(0)) k.destroy();
  });

  test("after a partial close by hand is reconciled, the next exit has a new id and the venue fills it", async () => {
    const clock = new ManualClock(T0);
    const venue = await mockVenue(67, clock);
    const { kernel: k, executor, settle } = executorOver(venue, clock, kernels);
    executor.submitStrategy({ ...btcEntry("LR"), size: 0.03 });
    await settle();
    executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "TP" });
    await settle();
    expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.02, leg: 1 });
    venue.setKnobs({ stream_drop: { after: 0 } }); // a close by hand the kernel does not hear of
    const byHand = {
      asset: "BTC-USDT",
      side: "SELL",
      position_side: "LONG",
      type: "MARKET",
      reduce_only: true,
    } as const;
    await venue.submit({ ...byHand, client_order_id: "by-hand", size: 0.005 });
    await settle();
    venue.clearKnobs();
    const diags: DiagnosticRecord[] = [];
    expect(await testReconciler({ kernel: k, executor, venue, clock }, diags).pass()).toEqual([0]);
    expect(diags.map((d) => d.code)).toEqual(["VENUE_MISMATCH"]);
    expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.015, leg: 1 });
    executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.015, price: null, reason: "SL" });
    expect(k.slot(0).exit_order?.client_order_id).toBe("LR-X2");
    await settle();
    expect(k.slot(0)).toMatchObject({ stage: "CLOSED", exit_order: { client_order_id: "LR-X2", status: "FILLED" } });
    expect(await venue.positions()).toEqual([]);
  });
});
