/**
 * Test support for driving the kernel through the binding: a fresh kernel with seeded capital,
 * intent builders, and venue events with cumulative quantities. Used by unit, property and
 * chaos tests so each reads as the behaviour it proves.
 */

import { afterEach, expect } from "bun:test";
import { OFF } from "../../src/contracts/abi.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { KernelOutcome } from "../../src/contracts/records.ts";
import type { VenueEvent, VenueEventKind } from "../../src/contracts/venue.ts";
import { ExecutionKernel, encodeInput, INPUT_SIZE, type InputJournal } from "../../src/kernel/index.ts";

export const T0 = 1_700_000_000_000;

export function freshKernel(
  opts: { slots?: number; limit?: number; hungMs?: number; capital?: number; journal?: InputJournal } = {},
): ExecutionKernel {
  const k = ExecutionKernel.open({
    slotCount: opts.slots ?? 4,
    activeSlotLimit: opts.limit,
    hungOrderMs: opts.hungMs ?? 5_000,
    journal: opts.journal ?? null,
  });
  if (opts.capital !== 0) {
    const seeded = k.apply({ type: "SEED_CAPITAL", capital: opts.capital ?? 10_000, now_ms: T0 });
    if (!seeded.accepted) throw new Error(`test setup: seeding capital failed: ${JSON.stringify(seeded.diagnostics)}`);
  }
  return k;
}

/**
 * A maker of `freshKernel(opts)` kernels for one test file: every kernel it made is destroyed
 * after each test. Call it at the top level of the test file.
 */
export function kernelsPerTest(
  opts: Parameters<typeof freshKernel>[0],
): (extra?: Parameters<typeof freshKernel>[0]) => ExecutionKernel {
  const live: ExecutionKernel[] = [];
  afterEach(() => {
    for (const k of live.splice(0)) k.destroy();
  });
  return (extra = {}) => {
    const k = freshKernel({ ...opts, ...extra });
    live.push(k);
    return k;
  };
}

export function enter(
  k: ExecutionKernel,
  slot = 0,
  o: { trade?: string; side?: "LONG" | "SHORT"; size?: number; asset?: string; now?: number } = {},
): KernelOutcome {
  return k.apply({
    type: "ENTER",
    slot_id: slot,
    trade_id: o.trade ?? `T${slot}`,
    asset: o.asset ?? "BTC-USDT",
    side: o.side ?? "LONG",
    size: o.size ?? 1,
    price: null,
    leverage: 5,
    now_ms: o.now ?? T0 + 1,
  });
}

export function exit(
  k: ExecutionKernel,
  slot = 0,
  size = 1,
  reason: "SIGNAL" | "TP" | "SL" | "MANUAL" = "SIGNAL",
  now = T0 + 100,
): KernelOutcome {
  return k.apply({ type: "EXIT", slot_id: slot, size, price: null, reason, now_ms: now });
}

/** Exits `size` of slot 0 at market at `now` (the EXIT must be accepted); the exit order's client id. */
export function exitLeg(k: ExecutionKernel, size: number, now: number): string {
  const o = exit(k, 0, size, "SIGNAL", now);
  expect(o.accepted).toBe(true);
  return k.slot(0).exit_order!.client_order_id;
}

/**
 * The ring record of `intent` as a client writes it (now_ms T0), carrying exactly `units` of 1e-8
 * as its size when given (as the clients encode a `sizeE8`).
 */
export function ringRecord(intent: StrategyIntent, units?: bigint): Uint8Array {
  const bytes = new Uint8Array(INPUT_SIZE);
  encodeInput({ ...intent, now_ms: T0 } as never, bytes, 0);
  if (units !== undefined) new DataView(bytes.buffer).setBigInt64(OFF.InputRecord.qty_e8, units, true);
  return bytes;
}

/** The exact counts of 1e-8 units slot `slot` holds (its raw image): its size and its entry order's intended size. */
export function slotUnits(k: ExecutionKernel, slot: number): { size: bigint; entryIntended: bigint } {
  const image = k.slotImage(slot);
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const entryIntended = OFF.SlotImage.entry_order + OFF.OrderImage.intended_e8;
  return { size: dv.getBigInt64(OFF.SlotImage.size_e8, true), entryIntended: dv.getBigInt64(entryIntended, true) };
}

let eventSeq = 0;

export function event(
  kind: VenueEventKind,
  clientOrderId: string,
  cum: number,
  avg: number,
  o: Partial<VenueEvent> = {},
): VenueEvent {
  eventSeq++;
  return {
    kind,
    event_id: o.event_id ?? `${clientOrderId}:${kind}:${cum}:${eventSeq}`,
    venue_order_id: o.venue_order_id ?? `9${clientOrderId.length}1234567890123456`,
    client_order_id: clientOrderId,
    asset: "BTC-USDT",
    filled_size_cumulative: cum,
    avg_price: avg,
    last_fill_size: 0,
    last_fill_price: 0,
    fee_cumulative: o.fee_cumulative ?? 0,
    venue_time_ms: T0,
    ...o,
  };
}

export function feed(k: ExecutionKernel, e: VenueEvent, now = T0 + 10, slot: number | null = null): KernelOutcome {
  return k.apply({ type: "VENUE_EVENT", slot_id: slot, event: e, now_ms: now });
}

/** Entry filled fully at `price`: slot in POSITION_OPEN. */
export function openPosition(
  k: ExecutionKernel,
  slot = 0,
  size = 1,
  price = 100,
  side: "LONG" | "SHORT" = "LONG",
): void {
  const r = enter(k, slot, { size, side });
  if (!r.accepted) throw new Error(`test setup: enter refused: ${JSON.stringify(r.diagnostics)}`);
  const coid = k.slot(slot).entry_order!.client_order_id;
  feed(k, event("ACK", coid, 0, 0));
  const f = feed(k, event("FULL_FILL", coid, size, price));
  if (k.slot(slot).stage !== "POSITION_OPEN") throw new Error(`test setup: not open: ${JSON.stringify(f.diagnostics)}`);
}

export function codes(o: KernelOutcome): string[] {
  return o.diagnostics.map((d) => d.code);
}
