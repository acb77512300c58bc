/**
 * Stable event ids and canonical decimal text shared by every adapter.
 *
 * An event id names one venue fact: `${venue_order_id}:${status}:${cumulative}` where status is
 * the venue's order status spelled as BingX spells it (CANCELLED folded into CANCELED) and
 * cumulative is the canonical decimal text of the cumulative filled quantity. A frame delivered
 * twice, or the same fact seen once on the stream and once by a REST query, yields the same id,
 * so the kernel's dedupe by `event_id` converges.
 *
 * Quantities are decimals of at most 8 places, the kernel's resolution (QTY_SCALE): `roundQty`
 * gives the double nearest that decimal, the one its text parses to, so the binary residue of a sum
 * or difference of steps goes whatever its magnitude (9568.7 − 8626.3 is 942.400000000002).
 *
 * Entry points: `eventId`, `canonDecimal`, `roundQty`.
 */

import { QTY_SCALE } from "../contracts/abi.ts";
import { nearestE8 } from "../contracts/qty_e8.ts";

/** Canonical decimal text: `0.0010` and `0.001` and `1e-3` all become `0.001`. */
export function canonDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Invariant: canonDecimal needs a finite number, got ${value}`);
  const rounded = roundQty(value);
  if (rounded === 0) return "0";
  const text = String(rounded);
  if (!/e/i.test(text)) return text;
  return rounded.toFixed(8).replace(/\.?0+$/, "");
}

/**
 * Rounds to the kernel's 1e-8 units, which removes binary floating-point residue from sums and
 * differences of steps: a whole number of units divided by 1e8 is the double nearest that decimal.
 * (12 decimals kept the residue above 1000: a double holds about 16 digits.) A value of 2^53 units
 * or more has no such double and is returned as it is.
 */
export function roundQty(value: number): number {
  const units = nearestE8(value); // not Math.round(value * 1e8): a unit high for 33567350.7
  return Number.isSafeInteger(units) ? units / QTY_SCALE : value;
}

export function eventId(venueOrderId: string, status: string, cumulative: number): string {
  const s = status === "CANCELLED" ? "CANCELED" : status;
  return `${venueOrderId}:${s}:${canonDecimal(cumulative)}`;
}
