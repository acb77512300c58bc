/**
 * Stable event ids and canonical decimal text shared by every adapter.
 *
 * An event id names one venue fact: `${venue_order_id}:${status}:${cumulative}` where status is
 * the venue's order status spelled as BingX spells it (CANCELLED folded into CANCELED) and
 * cumulative is the canonical decimal text of the cumulative filled quantity. A frame delivered
 * twice, or the same fact seen once on the stream and once by a REST query, yields the same id,
 * so the kernel's dedupe by `event_id` converges.
 *
 * Entry points: `eventId`, `canonDecimal`, `roundQty`.
 */

/** Canonical decimal text: `0.0010` and `0.001` and `1e-3` all become `0.001`. */
export function canonDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Invariant: canonDecimal needs a finite number, got ${value}`);
  const rounded = roundQty(value);
  if (rounded === 0) return "0";
  const text = String(rounded);
  if (!/e/i.test(text)) return text;
  return rounded.toFixed(12).replace(/\.?0+$/, "");
}

/** Rounds to 12 decimals, which removes binary floating-point residue from sums of steps. */
export function roundQty(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

export function eventId(venueOrderId: string, status: string, cumulative: number): string {
  const s = status === "CANCELLED" ? "CANCELED" : status;
  return `${venueOrderId}:${s}:${canonDecimal(cumulative)}`;
}
