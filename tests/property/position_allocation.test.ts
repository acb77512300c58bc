/**
 * `allocatePositions` against its numbered invariants (src/launcher/position_allocation.ts), over
 * random claims and venue positions: no slot gets more than it claims, slots on one asset and side
 * are served in slot order, and per asset and side the assignments plus the orphan equal exactly
 * what the venue holds (nothing dropped, nothing invented). A canary proves the harness can fail.
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { PositionSide, VenuePosition } from "../../src/contracts/index.ts";
import { allocatePositions, type PositionClaim } from "../../src/launcher/position_allocation.ts";

const ASSETS = ["BTC-USDT", "ETH-USDT", "TRX-USDT"] as const;
const SIDES: PositionSide[] = ["LONG", "SHORT"];
const E8 = 100_000_000;
/** Sizes on the kernel's 1e-8 grid, as venues report them. */
const size = fc.integer({ min: 0, max: 5_000_000_000 }).map((n) => n / E8);

const claims = fc.uniqueArray(fc.integer({ min: 0, max: 31 }), { maxLength: 12 }).chain((ids) =>
  fc.tuple(
    ...ids.map((slot_id) =>
      fc.record({
        slot_id: fc.constant(slot_id),
        asset: fc.constantFrom(...ASSETS),
        side: fc.constantFrom(...SIDES),
        claim_size: size,
      }),
    ),
  ),
);
const positions = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...ASSETS), fc.constantFrom(...SIDES)), {
    maxLength: 6,
    selector: ([a, s]) => `${a}/${s}`,
  })
  .chain((keys) =>
    fc.tuple(
      ...keys.map(([asset, side]) =>
        fc.record({
          asset: fc.constant(asset),
          side: fc.constant(side),
          size,
          avg_price: fc.integer({ min: 1, max: 100_000 }),
          unrealized_pnl: fc.constant(0),
          leverage: fc.constant(5),
        }),
      ),
    ),
  );

const e8 = (x: number) => Math.round(x * E8);
const key = (asset: string, side: string) => `${asset}/${side}`;

function check(prop: fc.IProperty<[PositionClaim[], VenuePosition[]]>): void {
  const r = fc.check(prop, { numRuns: 500 });
  if (r.failed) throw new Error(`property failed: seed=${r.seed}\n${fc.defaultReportMessage(r)}`);
}

describe("allocatePositions", () => {
  test("2, 6: no slot receives more than it claims or than the venue holds", () => {
    check(
      fc.property(claims, positions, (cs, ps) => {
        const { assignments } = allocatePositions(cs, ps);
        return assignments.every((a) => {
          const claim = cs.find((c) => c.slot_id === a.slot_id)!;
          const held = ps.find((p) => p.asset === a.asset && p.side === a.side)?.size ?? 0;
          return e8(a.size) <= e8(claim.claim_size) && e8(a.size) <= e8(held);
        });
      }),
    );
  });

  test("3: slots sharing an asset and side are served in slot order", () => {
    check(
      fc.property(claims, positions, (cs, ps) => {
        const { assignments } = allocatePositions(cs, ps);
        expect(assignments.map((a) => a.slot_id)).toEqual(cs.map((c) => c.slot_id).sort((x, y) => x - y));
        // A slot short of its claim leaves nothing for any later slot on the same asset and side.
        return assignments.every((a, i) => {
          const short = e8(a.size) < e8(cs.find((c) => c.slot_id === a.slot_id)!.claim_size);
          const later = assignments.slice(i + 1).filter((b) => b.asset === a.asset && b.side === a.side);
          return !short || later.every((b) => b.size === 0);
        });
      }),
    );
  });

  test("1, 4, 5: per asset and side, assignments plus the orphan equal the venue position exactly", () => {
    check(
      fc.property(claims, positions, (cs, ps) => {
        const { assignments, orphans } = allocatePositions(cs, ps);
        for (const p of ps) {
          const assigned = assignments
            .filter((a) => a.asset === p.asset && a.side === p.side)
            .reduce((t, a) => t + e8(a.size), 0);
          const orphan = orphans.find((o) => o.asset === p.asset && o.side === p.side);
          if (assigned + e8(orphan?.size ?? 0) !== e8(p.size)) return false;
        }
        const held = new Set(ps.map((p) => key(p.asset, p.side)));
        return orphans.every((o) => o.size > 0 && held.has(key(o.asset, o.side)));
      }),
    );
  });

  test("7: the same inputs give the same allocation, whatever order the claims come in", () => {
    check(
      fc.property(claims, positions, (cs, ps) => {
        expect(allocatePositions([...cs].reverse(), ps)).toEqual(allocatePositions(cs, ps));
        return true;
      }),
    );
  });

  test("a position the slots do not claim is one orphan with the venue's price; a flat venue gives nothing", () => {
    const ps: VenuePosition[] = [
      { asset: "BTC-USDT", side: "LONG", size: 0.5, avg_price: 65_000, unrealized_pnl: 0, leverage: 5 },
    ];
    const cs: PositionClaim[] = [{ slot_id: 1, asset: "BTC-USDT", side: "LONG", claim_size: 0.2 }];
    expect(allocatePositions(cs, ps)).toEqual({
      assignments: [{ slot_id: 1, asset: "BTC-USDT", side: "LONG", size: 0.2, avg_price: 65_000 }],
      orphans: [{ asset: "BTC-USDT", side: "LONG", size: 0.3, avg_price: 65_000 }],
    });
    expect(allocatePositions(cs, [])).toEqual({
      assignments: [{ slot_id: 1, asset: "BTC-USDT", side: "LONG", size: 0, avg_price: 0 }],
      orphans: [],
    });
  });

  test("canary: a false invariant (the orphan is always empty) is found", () => {
    const r = fc.check(
      fc.property(claims, positions, (cs, ps) => allocatePositions(cs, ps).orphans.length === 0),
      { numRuns: 500 },
    );
    expect(r.failed).toBe(true);
  });
});
