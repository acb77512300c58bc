/**
 * The venue's size rules at the strategy edges: an ENTER or EXIT whose size is not a whole
 * number of the contract's quantity steps, or is below its minimum quantity, is refused before
 * the kernel (INVALID_INTENT, field SIZE, one line naming the contract, the step and the size).
 * The quantity a strategy asked for is never rounded. The step is judged exactly, in the kernel's
 * 1e-8 units (a ring record's own units, an intent's size as the kernel's encoder counts it, `qtyE8`
 * in src/contracts/qty_e8.ts: the decimal it names, at any size up to the kernel's 1e9): a float
 * check's residue grows with the size (half a step off at 100000.00005 with step 0.0001) and a
 * record above 2^53 units has no exact double, so an off-step size would pass here and the adapter
 * put it on the step, leaving the kernel's order and the venue's apart. The rules are the ones the venue adapter
 * loaded at connect (`knownRules`, no venue call); an asset it holds no rules for (not one it
 * knows is unlisted: below) is left to the kernel and the adapter (which refuses off-step sizes too).
 *
 * An EXIT of the slot's whole position (its size is the kernel's size of the slot) is held to no
 * minimum and no step: a position that fell below the venue's minimums must still close (the
 * adapter floors it to the step); only less than one step is refused (contract_rules.ts).
 *
 * An asset the venue does not list (`knownListed` false: the adapter holds the venue's whole contract
 * list and it is not on it, e.g. XYZ-USDT at bingx-sim, or an asset the mock has no price for) is
 * refused first (INVALID_INTENT, field ASSET, naming it): an order for it could never be placed. An
 * adapter holding no list yet (not connected, its connect failed) refuses nothing here; a later read
 * of the list adds assets; an asset of a shape the kernel refuses is left to the kernel's diagnostic.
 * Then a contract the venue holds as not trading (`not_trading` on the rules: its status is not 1, or
 * it left the list) is refused (INVALID_INTENT, field ASSET, naming the symbol and its status). Both
 * with the adapter's one exception: an EXIT of the slot's whole position passes (the venue judges it).
 *
 * A partial EXIT whose notional (size × its limit on the tick, or × the mark the adapter holds for a
 * MARKET one) is below the contract's minimum notional is refused too (INVALID_INTENT, field SIZE):
 * the adapter would refuse it locally every time, and a strategy re-sending a small scale-out or
 * partial stop-loss spent the trade's exit legs in a moment (then it could neither exit nor be
 * flattened). An ENTER below it is left to the adapter (a refused entry spends no leg).
 *
 * A limit price below one price tick on the side it is rounded to (a BUY's is rounded down: an ENTER
 * LONG, an EXIT of a SHORT) is refused too (INVALID_INTENT, field PRICE, naming the tick): the adapter
 * would refuse it after the kernel had taken it, so the slot went ENTRY_WORKING and back, the trade id
 * was spent and the strategy heard "accepted".
 *
 * A ring record's exact units that no double names (a client's `sizeE8` or Python Decimal of
 * 67108864.00000002: from 2^26 base units up two 8-decimal sizes share one double) are refused first
 * (INVALID_INTENT, field SIZE, naming the size it would be sent as): the order path carries a size as
 * a double, so the venue would be sent another size than the kernel holds.
 *
 * Entry points: `intentSizeRefusal(venue, intent, slotOf)`, `recordSizeRefusal(...)`, `SlotOf`.
 */

import { KERNEL_LIMITS, OFF } from "../contracts/abi.ts";
import type { InputRefusal } from "../contracts/intent_parse.ts";
import type { StrategyIntent } from "../contracts/intents.ts";
import { fromE8, qtyE8, textE8 } from "../contracts/qty_e8.ts";
import { SIDES } from "../contracts/records.ts";
import type { ContractRules, VenueAdapter } from "../contracts/venue.ts";
import { applyContractRules, sizeRuleBreach } from "../venue/index.ts";
import { sameSize } from "./_reconcile_truth.ts";

/** The kernel's asset, position size and side of a slot; null for no such slot or none yet. */
export type SlotOf = (slotId: number) => { asset: string; size: number; side: "LONG" | "SHORT" | null } | null;

/** Null when `units` (> 0) is a whole number of the step, counted exactly in 1e-8 units; else the breach. */
function offStep(rules: ContractRules, units: bigint): string | null {
  const stepE8 = qtyE8(rules.quantity_step);
  if (typeof stepE8 !== "number" || !Number.isSafeInteger(stepE8) || stepE8 < 1) return null; // no whole step in units: the adapter judges it
  const step = BigInt(stepE8);
  const down = units - (units % step);
  if (down === units) return null;
  return `size ${textE8(units)} is not a multiple of ${rules.asset}'s quantity step ${rules.quantity_step} (${textE8(down)} or ${textE8(down + step)} would be); refused, never rounded`;
}

/**
 * An intent's size in the kernel's units, as its encoder counts it (`qtyE8`: the decimal it names,
 * not `size * 1e8`, which is a unit high for 33567350.7); null when it carries none the kernel takes.
 */
function unitsOf(size: number): bigint | null {
  const units = qtyE8(size);
  if (typeof units === "bigint") return units;
  return Number.isSafeInteger(units) ? BigInt(units) : null;
}

/** The kernel's shape of an asset: another is left to the kernel's own diagnostic (field ASSET). */
const ASSET_SHAPE = /^[A-Z0-9-]{1,24}$/;

/** An ENTER, or a partial EXIT, for an asset the venue does not list (as the adapter holds its list): refused. */
function unlistedRefusal(
  venue: VenueAdapter,
  kind: "ENTER" | "EXIT",
  slotId: number,
  asset: string,
  closesPosition: boolean,
): InputRefusal | null {
  if (closesPosition || venue.knownListed(asset) !== false || !ASSET_SHAPE.test(asset)) return null; // a lookup first
  const message = `${kind}: ${asset} is not listed at the venue (absent from the contract list the adapter holds); refused before the kernel`;
  return { code: "INVALID_INTENT", field: "ASSET", message, input_kind: kind, slot_id: slotId };
}

function refusal(
  venue: VenueAdapter,
  kind: "ENTER" | "EXIT",
  slotId: number,
  asset: string | null,
  size: number,
  closesPosition = false,
  units = unitsOf(size),
): InputRefusal | null {
  const unlisted = asset === null ? null : unlistedRefusal(venue, kind, slotId, asset, closesPosition);
  if (unlisted !== null) return unlisted;
  const rules = asset === null ? null : venue.knownRules(asset); // the adapter's, `not_trading` included

  if (rules === null) return null; // the kernel and the adapter judge the rest
  if (rules.not_trading !== undefined && !closesPosition) {
    const message = `${kind}: ${rules.asset} is not trading at the venue (${rules.not_trading}); refused before the kernel`;
    return { code: "INVALID_INTENT", field: "ASSET", message, input_kind: kind, slot_id: slotId };
  }
  if (!Number.isFinite(size) || size <= 0) return null; // the kernel judges the rest
  // Beyond the kernel's 1e9 base units its own refusal names the range, not a step "Infinity would be".
  if (qtyE8(size) === Number.POSITIVE_INFINITY) return null;
  const breach = sizeRuleBreach(rules, size, closesPosition)?.message ?? null;
  const off = breach === null && !closesPosition && units !== null && units > 0n ? offStep(rules, units) : null;
  if (breach === null && off === null) return null;
  return {
    code: "INVALID_INTENT",
    field: "SIZE",
    message: `${kind}: ${breach ?? off}`,
    input_kind: kind,
    slot_id: slotId,
  };
}

/**
 * A partial EXIT whose notional is below the contract's minimum, judged as the adapter will judge it
 * (`applyContractRules`, on the exit's side: at the limit on the tick it rounds to, a MARKET exit at
 * the mark the adapter holds; no fresh mark, not judged here): the adapter would refuse it locally
 * every time (MIN_NOTIONAL), and each refusal spends one of the trade's exit legs.
 */
function notionalRefusal(
  venue: VenueAdapter,
  slotId: number,
  slot: { asset: string; side: "LONG" | "SHORT" | null },
  size: number,
  limit: number | null,
): InputRefusal | null {
  const rules = venue.knownRules(slot.asset);
  if (rules === null || slot.side === null) return null;
  const reference = limit ?? venue.knownMark(slot.asset) ?? undefined;
  const check = applyContractRules(rules, size, limit ?? undefined, reference, slot.side === "LONG" ? "SELL" : "BUY");
  if (check.ok || check.rule !== "MIN_NOTIONAL") return null;
  const message = `EXIT: ${check.message}; exit more, or the whole position`;
  return { code: "INVALID_INTENT", field: "SIZE", message, input_kind: "EXIT", slot_id: slotId };
}

/** A limit price the adapter would refuse on the tick (INVALID_PRICE: below one tick where it rounds down), as it judges it. */
function priceRefusal(
  venue: VenueAdapter,
  kind: "ENTER" | "EXIT",
  slotId: number,
  asset: string | null,
  side: "LONG" | "SHORT" | null,
  size: number,
  limit: number | null,
): InputRefusal | null {
  if (limit === null || asset === null || side === null) return null;
  const rules = venue.knownRules(asset);
  if (rules === null || !Number.isFinite(size) || size <= 0) return null;
  const buys = (kind === "ENTER") === (side === "LONG");
  const check = applyContractRules(rules, size, limit, limit, buys ? "BUY" : "SELL", kind === "EXIT");
  if (check.ok || check.rule !== "INVALID_PRICE") return null;
  return {
    code: "INVALID_INTENT",
    field: "PRICE",
    message: `${kind}: ${check.message}`,
    input_kind: kind,
    slot_id: slotId,
  };
}

/** An EXIT of `size` (at `limit`, or MARKET) from the slot: held to the minimums unless it is the whole position. */
function exitRefusal(
  venue: VenueAdapter,
  slotId: number,
  size: number,
  limit: number | null,
  slotOf: SlotOf,
  units = unitsOf(size),
): InputRefusal | null {
  const slot = slotOf(slotId);
  const whole = slot !== null && sameSize(size, slot.size);
  const off = refusal(venue, "EXIT", slotId, slot?.asset ?? null, size, whole, units);
  if (off !== null || slot === null) return off;
  return (
    priceRefusal(venue, "EXIT", slotId, slot.asset, slot.side, size, limit) ??
    (whole ? null : notionalRefusal(venue, slotId, slot, size, limit))
  );
}

export function intentSizeRefusal(venue: VenueAdapter, intent: StrategyIntent, slotOf: SlotOf): InputRefusal | null {
  if (intent.type === "ENTER")
    return (
      refusal(venue, "ENTER", intent.slot_id, intent.asset, intent.size) ??
      priceRefusal(venue, "ENTER", intent.slot_id, intent.asset, intent.side, intent.size, intent.price || null)
    );
  if (intent.type === "EXIT") return exitRefusal(venue, intent.slot_id, intent.size, intent.price || null, slotOf);
  return null;
}

const ENTER = 1;
const EXIT = 2;
const LIMIT = 2; // InputRecord.order_type
const SENTINELS_FROM = KERNEL_LIMITS.QTY_TOO_PRECISE; // the ABI's out-of-band quantities sit at the bottom of i64
/** Decodes an ENTER record's asset field (one decoder for all: this runs on the order path). */
const ASSET_TEXT = new TextDecoder();

/**
 * A record's exact units (a client's `sizeE8`, a Python Decimal) that no double names: from 2^26 base units
 * up two 8-decimal sizes can share one double, and the order path (the kernel's slot, the adapter's quantity
 * text) carries the size as a double, so 67108864.00000002 would be sent as 67108864.00000001. Refused, nothing
 * sent; out-of-range units are left to the kernel.
 */
function unsendableRefusal(kind: "ENTER" | "EXIT", slotId: number, qty: bigint, size: number): InputRefusal | null {
  const units = unitsOf(size);
  if (units === null || units === qty || qty > KERNEL_LIMITS.QTY_MAX_E8) return null;
  const message = `${kind}: size ${textE8(qty)} has more significant digits than the order path carries (it would be sent as ${textE8(units)}); refused before the kernel`;
  return { code: "INVALID_INTENT", field: "SIZE", message, input_kind: kind, slot_id: slotId };
}

/** The same check on a raw ring record (ENTER: its asset field; EXIT: the slot's asset). */
export function recordSizeRefusal(venue: VenueAdapter, rec: Uint8Array, slotOf: SlotOf): InputRefusal | null {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const kind = dv.getUint16(OFF.InputRecord.kind, true);
  if (kind !== ENTER && kind !== EXIT) return null;
  const qty = dv.getBigInt64(OFF.InputRecord.qty_e8, true);
  if (qty <= SENTINELS_FROM) return null;
  const slotId = dv.getUint32(OFF.InputRecord.slot_id, true);
  const size = fromE8(qty); // the double nearest the record's units (Number(qty) / 1e8 rounds twice above 2^53)
  const unsendable = unsendableRefusal(kind === ENTER ? "ENTER" : "EXIT", slotId, qty, size);
  if (unsendable !== null) return unsendable;
  if (kind === EXIT) {
    const limit = rec[OFF.InputRecord.order_type] === LIMIT ? dv.getFloat64(OFF.InputRecord.price, true) : null;
    return exitRefusal(venue, slotId, size, limit, slotOf, qty);
  }
  const at = OFF.InputRecord.asset;
  const raw = rec.subarray(at, at + 24);
  const end = raw.indexOf(0);
  const asset = ASSET_TEXT.decode(end < 0 ? raw : raw.subarray(0, end));
  const side = SIDES[rec[OFF.InputRecord.side]! - 1] ?? null;
  const limit = rec[OFF.InputRecord.order_type] === LIMIT ? dv.getFloat64(OFF.InputRecord.price, true) : null;
  return (
    refusal(venue, "ENTER", slotId, asset, size, false, qty) ??
    priceRefusal(venue, "ENTER", slotId, asset, side, size, limit)
  );
}
