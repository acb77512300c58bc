/**
 * Position allocation: one pure function that hands the venue's positions to the slots whose
 * belief holds them, and names what no slot owns. Used at restart (`recovery.ts`) and by every
 * live reconciliation pass (`live_reconcile.ts`).
 *
 * The venue aggregates: every slot trading one asset on one side shares a single venue position
 * (hedge mode: one per asset and side). The kernel's belief says what each slot holds; the venue
 * says what the account holds. `allocatePositions` splits the second across the first.
 *
 * A claim has two parts. `claim_size` is the slot's confirmed size (the fills the kernel applied).
 * `entry_fill`, for a slot whose entry order still works, is what the venue says that order has
 * filled (cumulative; fills may be in flight to the kernel): the slot may hold up to that much. An
 * unfilled resting entry claims nothing beyond its confirmed size, so it can never take a position
 * another slot holds. For a slot whose exit order still works, `exit_open` is what that exit has
 * not filled in the kernel: it may have filled at the venue already, so that part of the slot's
 * confirmed size is served only after every other slot's (a working exit never closes another
 * slot's share).
 *
 * Invariants (numbered so tests can cite them):
 *  1. Exact arithmetic: sizes are compared as integers of 1e-8 (the kernel's quantity scale), so
 *     no float residue ever appears as an assignment or an orphan.
 *  2. A slot receives at most its claim (`max(claim_size, entry_fill)`) and never more than the
 *     venue holds.
 *  3. Two passes per asset and side. First every slot's confirmed `claim_size` (less what its
 *     working exit may have filled, `exit_open`), in slot order (lowest id first; a later slot gets
 *     only what earlier slots left). Then what is left goes to the slots with an `entry_fill` or an
 *     `exit_open`, in slot order, each up to that fill (or its confirmed size). A working entry's
 *     claim therefore never reduces another slot's confirmed share, and a working exit's fill at
 *     the venue (not yet in the kernel) reduces only its own slot's.
 *  4. Conservation: per asset and side, the assigned sizes plus the orphan equal the venue's
 *     position. Nothing the venue holds is dropped.
 *  5. Every remainder is an orphan (asset, side, size), reported, never silently ignored.
 *  6. A claim with no venue position is assigned 0 (the slot reconciles to flat).
 *  7. A position the venue lists in parts (one asset and side twice) is their sum, at the parts'
 *     size-weighted average price.
 *  8. Pure: no I/O and no clock; the same inputs always give the same output, in slot order, and
 *     orphans in the venue's order.
 *
 * Claimants (`isClaimant`): slots in a trading stage and slots in STALE_STATE_RECONCILING (a stale
 * slot still owns what it held; it waits for the venue's truth, it has not given its position up).
 *
 * A stale slot whose entry the kernel ended short (rejected, cancelled) claims, beyond its
 * confirmed size, what that order filled late at the venue when the caller looked it up
 * (`lateEntry`); its side is its entry order's when the slot has none any more. So does a stale
 * slot for an earlier entry of its own that was taken as ended and filled late after the slot moved
 * on to another trade (`withLateFill`, the fill the caller found: `_late_fills.ts`).
 *
 * Entry points: `allocatePositions(claims, positions)`, `slotClaim(slot, entryFilled?)`,
 * `withLateFill(claim, lateFill)`, `isClaimant(slot)`, `workingEntry(slot)`, `lateEntry(slot)`.
 */

import { isTradingStage, isWorkingOrder } from "../contracts/order_status.ts";
import { nearestE8 } from "../contracts/qty_e8.ts";
import type { OrderRecord, SlotRecord } from "../contracts/records.ts";
import type { PositionSide, VenuePosition } from "../contracts/venue.ts";

export interface PositionClaim {
  slot_id: number;
  asset: string;
  side: PositionSide;
  /** The slot's confirmed size (fills the kernel applied), served in the first pass. */
  claim_size: number;
  /** While its entry works: the entry order's cumulative fill at the venue, served in the second pass. */
  entry_fill?: number;
  /** While its exit works: what that exit may still fill (part of `claim_size`), served in the second pass. */
  exit_open?: number;
}

export interface Assignment {
  slot_id: number;
  asset: string;
  side: PositionSide;
  size: number;
  /** The venue's average entry price of the shared position (0 when nothing is assigned). */
  avg_price: number;
}

export interface Orphan {
  asset: string;
  side: PositionSide;
  size: number;
  avg_price: number;
  /** This process's order that made (some of) it: one taken as ended that filled late, no slot able to take it. */
  made_by?: { slot_id: number; client_order_id: string; filled_late: number };
}

export interface Allocation {
  assignments: Assignment[];
  orphans: Orphan[];
}

const E8 = 100_000_000;
/** A size in whole 1e-8 units, as the decimal it names (`x * 1e8` is a unit high from 2^25 base units up). */
const toE8 = (x: number) => Math.max(0, nearestE8(x));
const key = (asset: string, side: PositionSide) => `${asset}\u0000${side}`;

/** True for a slot that owns a share of the venue's position: a trading stage, or stale. */
export function isClaimant(s: SlotRecord): boolean {
  return isTradingStage(s.stage) || s.stage === "STALE_STATE_RECONCILING";
}

/** The slot's entry order while it still works (ENTRY_WORKING, or a stale slot marked during its entry). */
export function workingEntry(s: SlotRecord): OrderRecord | null {
  const o = s.entry_order;
  const entryStage = s.stage === "ENTRY_WORKING" || s.stage === "STALE_STATE_RECONCILING";
  return entryStage && o && isWorkingOrder(o.status) ? o : null;
}

/**
 * What a slot may hold: its confirmed size, and while its entry works, up to that entry's fill at
 * the venue (`entryFilled`). Without a venue figure the entry may have filled at most its size.
 * For a stale slot's `lateEntry`, `entryFilled` is that order's fill at the venue.
 */
export function slotClaim(s: SlotRecord, entryFilled?: number): PositionClaim {
  const claim: PositionClaim = { slot_id: s.slot_id, asset: s.asset, side: claimSide(s), claim_size: s.size };
  const entry = workingEntry(s);
  if (entry) claim.entry_fill = entryFilled ?? entry.intended_size;
  const exit = workingExit(s);
  if (exit) claim.exit_open = Math.min(toE8(exit.intended_size) - toE8(exit.filled_size), toE8(s.size)) / E8;
  const late = lateEntry(s);
  // Only the venue's own figure, and only what it filled beyond what the kernel booked of it.
  if (late && entryFilled !== undefined)
    claim.entry_fill = s.size + Math.max(0, toE8(entryFilled) - toE8(late.filled_size)) / E8;
  return claim;
}

/**
 * `claim` grown by `lateFill`: what earlier entries of the slot's own, taken as ended, filled late at
 * the venue beyond what the kernel booked of them. Served in the second pass like a working entry's
 * fill (after every slot's confirmed size), on top of what the slot may hold already.
 */
export function withLateFill(claim: PositionClaim, lateFill: number): PositionClaim {
  if (!(toE8(lateFill) > 0)) return claim;
  const base = Math.max(toE8(claim.entry_fill ?? 0), toE8(claim.claim_size));
  return { ...claim, entry_fill: (base + toE8(lateFill)) / E8 };
}

/**
 * The slot's exit order while it still works: it may have filled at the venue before its fill
 * reached the kernel, so the unfilled part of it is the slot's only after every confirmed share.
 */
function workingExit(s: SlotRecord): OrderRecord | null {
  const o = s.exit_order;
  const exitStage = s.stage === "EXIT_WORKING" || s.stage === "STALE_STATE_RECONCILING";
  return exitStage && o && isWorkingOrder(o.status) ? o : null;
}

/**
 * A stale slot's entry that the kernel ended short of its size (rejected as absent, cancelled,
 * or ended by a flat RECONCILE) and that may have filled late at the venue: the OVERFILL that made
 * the slot stale. What it filled beyond the kernel's figure is the slot's (live reconciliation
 * looks the order up; without the venue's figure the slot claims nothing more).
 */
export function lateEntry(s: SlotRecord): OrderRecord | null {
  const o = s.entry_order;
  const ended = o !== null && (o.status === "CANCELLED" || o.status === "REJECTED");
  return s.stage === "STALE_STATE_RECONCILING" && ended ? o : null;
}

/**
 * The side the slot's claim is on: its own, else its entry order's. An entry that ended with
 * nothing filled clears the slot's side, yet that order may still fill late (OVERFILL, the slot
 * stale): its position is on the order's side, and claiming the other would orphan it.
 */
function claimSide(s: SlotRecord): PositionSide {
  if (s.side !== null) return s.side;
  return s.entry_order?.side === "SELL" ? "SHORT" : "LONG";
}

export function allocatePositions(claims: readonly PositionClaim[], positions: readonly VenuePosition[]): Allocation {
  const left = new Map<string, { e8: number; avg: number; p: VenuePosition }>();
  for (const p of positions) {
    const k = key(p.asset, p.side);
    const prev = left.get(k);
    // One position per asset and side; a venue listing it twice adds up (still conserved), at the
    // parts' size-weighted average price (an empty part sets no price).
    const [was, add] = [prev?.e8 ?? 0, toE8(p.size)];
    const avg = was + add > 0 ? ((prev?.avg ?? 0) * was + p.avg_price * add) / (was + add) : p.avg_price;
    left.set(k, { e8: was + add, avg, p });
  }
  const ordered = [...claims].sort((a, b) => a.slot_id - b.slot_id);
  const taken = new Map<number, number>();
  const serve = (c: PositionClaim, wantE8: number) => {
    const pool = left.get(key(c.asset, c.side));
    const take = Math.min(Math.max(0, wantE8), pool?.e8 ?? 0);
    if (pool) pool.e8 -= take;
    taken.set(c.slot_id, (taken.get(c.slot_id) ?? 0) + take);
  };
  for (const c of ordered) serve(c, toE8(c.claim_size) - toE8(c.exit_open ?? 0)); // pass 1: confirmed sizes
  // pass 2: entry fills, and what a working exit has not filled
  for (const c of ordered) serve(c, Math.max(toE8(c.entry_fill ?? 0), toE8(c.claim_size)) - taken.get(c.slot_id)!);
  const assignments = ordered.map((c): Assignment => {
    const e8 = taken.get(c.slot_id)!;
    const avg = e8 > 0 ? left.get(key(c.asset, c.side))!.avg : 0;
    return { slot_id: c.slot_id, asset: c.asset, side: c.side, size: e8 / E8, avg_price: avg };
  });
  const orphans: Orphan[] = [];
  for (const { e8, avg, p } of left.values()) {
    if (e8 > 0) orphans.push({ asset: p.asset, side: p.side, size: e8 / E8, avg_price: avg });
  }
  return { assignments, orphans };
}
