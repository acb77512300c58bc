/**
 * Position allocation at restart: one pure function that hands the venue's positions to the
 * slots whose last belief holds them, and names what no slot owns.
 *
 * The venue aggregates: every slot trading one asset on one side shares a single venue position
 * (hedge mode: one per asset and side). After a restart the kernel's belief says what each slot
 * held; the venue says what the account holds. `allocatePositions` splits the second across the
 * first.
 *
 * Invariants (numbered so tests can cite them):
 *  1. Exact arithmetic: sizes are compared as integers of 1e-8 (the kernel's quantity scale), so
 *     no float residue ever appears as an assignment or an orphan.
 *  2. A slot receives at most its claim (`claim_size`) and never more than the venue holds.
 *  3. Slots sharing an asset and side are served in slot order (lowest id first); a later slot
 *     gets only what earlier slots left.
 *  4. Conservation: per asset and side, the assigned sizes plus the orphan equal the venue's
 *     position. Nothing the venue holds is dropped.
 *  5. Every remainder is an orphan (asset, side, size), reported, never silently ignored.
 *  6. A claim with no venue position is assigned 0 (the slot reconciles to flat).
 *  7. Pure: no I/O and no clock; the same inputs always give the same output, in slot order, and
 *     orphans in the venue's order.
 *
 * Entry points: `allocatePositions(claims, positions)`, `slotClaim(slot)`.
 */

import type { SlotRecord } from "../contracts/records.ts";
import type { PositionSide, VenuePosition } from "../contracts/venue.ts";

export interface PositionClaim {
  slot_id: number;
  asset: string;
  side: PositionSide;
  /** The most this slot may hold: its position, or its entry order's size while the entry works. */
  claim_size: number;
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
}

export interface Allocation {
  assignments: Assignment[];
  orphans: Orphan[];
}

const E8 = 100_000_000;
const toE8 = (x: number) => Math.max(0, Math.round(x * E8));
const key = (asset: string, side: PositionSide) => `${asset}\u0000${side}`;

/** What a slot may hold: its position, or its entry's size while the entry works (fills in flight). */
export function slotClaim(s: SlotRecord): PositionClaim {
  const entrySize = s.stage === "ENTRY_WORKING" ? (s.entry_order?.intended_size ?? 0) : 0;
  return { slot_id: s.slot_id, asset: s.asset, side: s.side ?? "LONG", claim_size: Math.max(s.size, entrySize) };
}

export function allocatePositions(claims: readonly PositionClaim[], positions: readonly VenuePosition[]): Allocation {
  const left = new Map<string, { e8: number; avg: number; p: VenuePosition }>();
  for (const p of positions) {
    const k = key(p.asset, p.side);
    const prev = left.get(k);
    // One position per asset and side; a venue listing it twice adds up (still conserved).
    left.set(k, { e8: (prev?.e8 ?? 0) + toE8(p.size), avg: prev?.avg ?? p.avg_price, p });
  }
  const assignments = [...claims]
    .sort((a, b) => a.slot_id - b.slot_id)
    .map((c): Assignment => {
      const pool = left.get(key(c.asset, c.side));
      const take = Math.min(toE8(c.claim_size), pool?.e8 ?? 0);
      if (pool) pool.e8 -= take;
      return { slot_id: c.slot_id, asset: c.asset, side: c.side, size: take / E8, avg_price: take > 0 ? pool!.avg : 0 };
    });
  const orphans: Orphan[] = [];
  for (const { e8, avg, p } of left.values()) {
    if (e8 > 0) orphans.push({ asset: p.asset, side: p.side, size: e8 / E8, avg_price: avg });
  }
  return { assignments, orphans };
}
