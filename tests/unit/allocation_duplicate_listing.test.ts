/**
 * Position allocation when the venue lists one asset and side more than once: the parts add up
 * (conservation), and the price a slot adopts is the size-weighted average of the parts, never
 * just the first part's (an entry price off by the difference would misstate every PnL after).
 */

import { expect, test } from "bun:test";
import type { VenuePosition } from "../../src/contracts/venue.ts";
import { allocatePositions } from "../../src/launcher/position_allocation.ts";

const part = (size: number, avg_price: number): VenuePosition => ({
  asset: "BTC-USDT",
  side: "LONG",
  size,
  avg_price,
  unrealized_pnl: 0,
  leverage: 3,
});

test("a position listed in two parts is adopted at the parts' size-weighted average price", () => {
  const claim = { slot_id: 0, asset: "BTC-USDT", side: "LONG" as const, claim_size: 0.04 };
  const { assignments, orphans } = allocatePositions([claim], [part(0.01, 60_000), part(0.03, 64_000)]);
  expect(orphans).toEqual([]);
  expect(assignments[0]?.size).toBeCloseTo(0.04, 8);
  expect(assignments[0]?.avg_price).toBeCloseTo(63_000, 6);
});

test("an empty part listed first does not set the price of the position", () => {
  const claim = { slot_id: 0, asset: "BTC-USDT", side: "LONG" as const, claim_size: 0.01 };
  const { assignments } = allocatePositions([claim], [part(0, 0), part(0.01, 64_000)]);
  expect(assignments[0]).toMatchObject({ size: 0.01, avg_price: 64_000 });
});
