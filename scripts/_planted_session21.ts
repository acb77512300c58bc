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
];
