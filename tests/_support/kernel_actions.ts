/**
 * Random kernel drivers for property and chaos tests. An `Action` is abstract (which slot, what
 * fraction, which earlier event to repeat); `materialize` turns it into a concrete wire input
 * against the kernel's current state. Because the kernel is deterministic, two kernels fed the
 * same actions materialize the same inputs.
 */

import fc from "fast-check";
import type { KernelInput } from "../../src/contracts/index.ts";
import type { VenueEvent, VenueEventKind } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { T0 } from "./kernel.ts";

export type Action =
  | { t: "enter"; slot: number; side: "LONG" | "SHORT"; lots: number }
  | { t: "exit"; slot: number; frac: number }
  | { t: "cancel"; slot: number }
  | { t: "mark"; price: number }
  | { t: "tick"; dt: number }
  | { t: "fill"; slot: number; kind: VenueEventKind; frac: number; price: number }
  | { t: "dup"; pick: number }
  | { t: "stale"; slot: number }
  | { t: "reconcile"; slot: number; lots: number }
  | { t: "hostile"; variant: number };

export function actionArb(slots: number): fc.Arbitrary<Action> {
  const slot = fc.integer({ min: 0, max: slots }); // includes one out-of-range slot id
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant("enter" as const),
        slot,
        side: fc.constantFrom("LONG" as const, "SHORT" as const),
        lots: fc.integer({ min: 1, max: 10 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant("exit" as const),
        slot,
        frac: fc.double({ min: 0.05, max: 1.2, noNaN: true }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("cancel" as const), slot }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("mark" as const), price: fc.integer({ min: 50, max: 150 }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("tick" as const), dt: fc.integer({ min: 0, max: 10_000 }) }) },
    {
      weight: 6,
      arbitrary: fc.record({
        t: fc.constant("fill" as const),
        slot,
        kind: fc.constantFrom<VenueEventKind>(
          "ACK",
          "PARTIAL_FILL",
          "PARTIAL_FILL",
          "FULL_FILL",
          "FULL_FILL",
          "CANCEL_ACK",
          "CANCEL_REJECT",
          "REJECT",
        ),
        frac: fc.double({ min: 0, max: 1.1, noNaN: true }),
        price: fc.integer({ min: 50, max: 150 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constant("dup" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("stale" as const), slot }) },
    {
      weight: 1,
      arbitrary: fc.record({ t: fc.constant("reconcile" as const), slot, lots: fc.integer({ min: 0, max: 10 }) }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("hostile" as const), variant: fc.nat({ max: 7 }) }) },
  );
}

export class Driver {
  private now = T0;
  private trades = 0;
  private events = 0;
  /** What was handed to the kernel; hostile variants are outside the typed contract on purpose. */
  readonly sent: KernelInput[] = [];
  private venueEvents: VenueEvent[] = [];

  constructor(private readonly k: ExecutionKernel) {}

  /**
   * Fills, exits and cancels aim at slots where they apply (the slot index picks among those),
   * so random runs reach every stage; the out-of-range index still produces a bad slot id.
   */
  private target(slot: number, stages: readonly string[]): number {
    if (slot >= this.k.slotCount) return slot;
    const fit = this.k
      .slots()
      .filter((s) => stages.includes(s.stage))
      .map((s) => s.slot_id);
    return fit.length === 0 ? slot : fit[slot % fit.length]!;
  }

  /** The concrete wire input for an action, or null when the action does not apply now. */
  materialize(a: Action): KernelInput | null {
    this.now += 1;
    if (a.t === "fill" || a.t === "cancel") a = { ...a, slot: this.target(a.slot, ["ENTRY_WORKING", "EXIT_WORKING"]) };
    if (a.t === "exit") a = { ...a, slot: this.target(a.slot, ["POSITION_OPEN"]) };
    if (a.t === "reconcile") a = { ...a, slot: this.target(a.slot, ["STALE_STATE_RECONCILING"]) };
    const s =
      a.t !== "mark" && a.t !== "tick" && a.t !== "dup" && a.t !== "hostile" && a.slot < this.k.slotCount
        ? this.k.slot(a.slot)
        : null;
    switch (a.t) {
      case "enter":
        return {
          type: "ENTER",
          slot_id: a.slot,
          trade_id: `P${++this.trades}`,
          asset: "BTC-USDT",
          side: a.side,
          size: a.lots / 100,
          price: null,
          leverage: 3,
          now_ms: this.now,
        };
      case "exit":
        return {
          type: "EXIT",
          slot_id: a.slot,
          size: s ? Math.max(0.01, Math.round(s.size * a.frac * 100) / 100) : 0.01,
          reason: "SIGNAL",
          now_ms: this.now,
        };
      case "cancel":
        return { type: "CANCEL", slot_id: a.slot, now_ms: this.now };
      case "mark":
        return { type: "MARK_PRICE", asset: "BTC-USDT", price: a.price, now_ms: this.now };
      case "tick":
        this.now += a.dt;
        return { type: "TICK", now_ms: this.now };
      case "fill": {
        const order = s && (s.stage === "EXIT_WORKING" ? s.exit_order : s.entry_order);
        if (!order) return null;
        const cum = Math.min(order.intended_size * 1.1, Math.round(order.intended_size * a.frac * 100) / 100);
        const e: VenueEvent = {
          kind: a.kind,
          event_id: `ev${++this.events}`,
          venue_order_id: `8${order.client_order_id.length}00000000000000001`,
          client_order_id: order.client_order_id,
          asset: "BTC-USDT",
          filled_size_cumulative: a.kind === "FULL_FILL" ? order.intended_size : cum,
          avg_price: a.price,
          last_fill_size: 0,
          last_fill_price: 0,
          fee_cumulative: cum * a.price * 0.0005,
          venue_time_ms: this.now,
          ...(a.kind === "REJECT"
            ? { reject_reason: a.price % 2 === 0 ? ("RATE_LIMITED" as const) : ("VENUE" as const) }
            : {}),
        };
        this.venueEvents.push(e);
        return { type: "VENUE_EVENT", slot_id: null, event: e, now_ms: this.now };
      }
      case "dup": {
        if (this.venueEvents.length === 0) return null;
        const e = this.venueEvents[a.pick % this.venueEvents.length]!;
        return { type: "VENUE_EVENT", slot_id: null, event: e, now_ms: this.now };
      }
      case "stale":
        return { type: "MARK_STALE", slot_id: a.slot, reason: "DIVERGENCE", now_ms: this.now };
      case "reconcile":
        return {
          type: "RECONCILE",
          slot_id: a.slot,
          truth: {
            side: a.lots === 0 ? null : (s?.side ?? "LONG"),
            size: a.lots / 100,
            avg_price: 100,
            open_order: null,
          },
          now_ms: this.now,
        };
      case "hostile":
        return HOSTILE[a.variant]!(this.now) as KernelInput; // outside the typed contract on purpose
    }
  }

  apply(a: Action) {
    const input = this.materialize(a);
    if (input === null) return null;
    this.sent.push(input);
    return this.k.apply(input);
  }
}

const HOSTILE: Array<(now: number) => unknown> = [
  (now) => ({
    type: "ENTER",
    slot_id: 0,
    trade_id: "H",
    asset: "BTC-USDT",
    side: "LONG",
    size: Number.NaN,
    leverage: 5,
    now_ms: now,
  }),
  (now) => ({
    type: "ENTER",
    slot_id: 0,
    trade_id: "H",
    asset: "BTC-USDT",
    side: "LONG",
    size: -1,
    leverage: 5,
    now_ms: now,
  }),
  (now) => ({ type: "EXIT", slot_id: 0, size: Number.POSITIVE_INFINITY, reason: "TP", now_ms: now }),
  (now) => ({ type: "MARK_PRICE", asset: "BTC-USDT", price: Number.NEGATIVE_INFINITY, now_ms: now }),
  (now) => ({
    type: "ENTER",
    slot_id: 9999,
    trade_id: "H",
    asset: "BTC-USDT",
    side: "LONG",
    size: 1,
    leverage: 5,
    now_ms: now,
  }),
  (now) => ({
    type: "ENTER",
    slot_id: 0,
    trade_id: "x".repeat(40),
    asset: "BTC-USDT",
    side: "LONG",
    size: 1,
    leverage: 5,
    now_ms: now,
  }),
  (now) => ({ type: "NOPE", now_ms: now }),
  (now) => ({
    type: "ENTER",
    slot_id: 0,
    trade_id: "H",
    asset: "BTC-USDT",
    side: "SIDEWAYS",
    size: 1e30,
    leverage: 5,
    now_ms: now,
  }),
];
