/** Planted bugs fixed in the twenty-first session (2026-12-07): lookups of remembered orders, exact quantities. */

import { p } from "./_planted_plant.ts";
import type { Plant } from "./_planted_sample.ts";

export const SESSION21_PLANTS: readonly Plant[] = [
  p(
    "late-lookup-forgets-another-order",
    "reconcile",
    "src/launcher/_late_fills.ts",
    "const state = await this.d.executor.absent.lookUp(o, ask, this.d.log);",
    "this.d.executor.absent.lookedUp(cid);\n    const state = await ask().then((s) => (s?.client_order_id === cid ? s : null), () => undefined);",
    "an entry's late-fill lookups that answered about an operator's order under its id are not remembered: that order is cancelled by the id",
  ),
  p(
    "qty-large-size-scaled-by-product",
    "encoder",
    "src/contracts/qty_e8.ts",
    "  if (a < FAST_BELOW) {",
    "  if (a < QTY_MAX) {",
    "a size from 2^25 base units with a fractional step is counted as size * 1e8 (one unit high) and refused at every edge",
  ),
  p(
    "formatstep-large-size-float-text",
    "venue",
    "src/venue/bingx/contract_rules.ts",
    "  if (fromE8(u) !== value) return null;",
    "  if (u > 0n) return null;",
    "a large size's quantity text is built from a float quotient: the venue is sent another size than the kernel holds",
  ),
  p(
    "ring-size-rounded-twice",
    "encoder",
    "src/launcher/_size_rules.ts",
    "const size = fromE8(qty);",
    "const size = Number(qty) / 1e8;",
    "a ring record's size above 2^53 units is turned back into a double with two roundings and judged as another size",
  ),
  p(
    "stream-average-venue-rounded",
    "venue",
    "src/venue/bingx/_order_tracker.ts",
    "(venue <= 0 || agreesWithin(venue, exact, tolerance))) return { price: exact, quote };",
    "(venue <= 0 || agreesWithin(venue, exact, tolerance))) return { price: venue > 0 ? venue : exact, quote };",
    "an order's average reaches the kernel as the venue's rounded ap: capital departs from the wallet by size x rounding per trade",
  ),
  p(
    "stream-average-missed-fill-unseen",
    "venue",
    "src/venue/bingx/_order_tracker.ts",
    "decimalUnits(f.filled_size_cumulative, 8) === cum + decimalUnits(f.last_fill_size, 8);",
    "decimalUnits(f.filled_size_cumulative, 8) >= cum + decimalUnits(f.last_fill_size, 8);",
    "a stream frame after a missed fill is taken as in sequence: the order's average leaves out the missed fill's price",
  ),
  p(
    "rest-average-ignores-cumquote",
    "venue",
    "src/venue/bingx/_parse.ts",
    "return exact > 0 && agreesWithin(avg, exact, avgUnit + quoteUnit) ? exact : avg;",
    "return exact > 0 && agreesWithin(avg, exact, 0) ? exact : avg;",
    "a REST answer's rounded avgPrice is used although its cumQuote gives the exact average",
  ),
  p(
    "sizes-compared-as-doubles",
    "reconcile",
    "src/contracts/qty_e8.ts",
    'return typeof x === "number" && typeof y === "number" ? x - y : Number(BigInt(x) - BigInt(y));',
    "return Number(x) - Number(y);",
    "two sizes one unit apart above 2^53 units are the same size, and a 1-unit late fill is not seen",
  ),
  p(
    "rest-coarse-cumquote-overrides",
    "venue",
    "src/venue/bingx/_parse.ts",
    "  if (!(quoteUnit < avgUnit)) return avg;\n",
    "",
    "a REST cumQuote rounded to cents overrides the exact avgPrice: the order's average is off by a tick",
  ),
  p(
    "stream-ap-off-tick-overridden",
    "venue",
    "src/venue/bingx/_order_tracker.ts",
    "return Math.abs(steps - Math.round(steps)) <= 1e-6 ? step : undefined;",
    "return step;",
    "a venue ap off the tick (the true average of a frame that swept two prices) loses to the last fill price",
  ),
];
