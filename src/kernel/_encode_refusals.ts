/**
 * The encoder's refusals: what the fixed-layout record cannot carry, each with the field it names
 * and one clear message. Built out of line so the encoder's hot path stays small.
 */

import { KERNEL_LIMITS } from "../contracts/abi.ts";
import { show } from "../contracts/intent_parse.ts";
import type { StringField } from "./_record_layout.ts";
import type { StringFailure } from "./_string_fields.ts";

const SLOT_COUNT_MAX = Number(KERNEL_LIMITS.SLOT_COUNT_MAX);

export interface EncodeRefusal {
  code: "INVALID_INTENT" | "INVALID_SLOT_ID";
  field: string;
  message: string;
  value?: number;
}

export function invalid(field: string, message: string): EncodeRefusal {
  return { code: "INVALID_INTENT", field, message };
}

export function notAnObject(): EncodeRefusal {
  return invalid("KIND", "input must be a JSON object with a 'type'");
}

export function badNow(now: unknown): EncodeRefusal {
  return invalid("NOW_MS", `now_ms must be a non-negative integer, got ${show(now)}`);
}

/**
 * A slot id the record cannot carry. A non-negative integer is out of range (it is beyond every
 * kernel's slots; the kernel itself answers for one below SLOT_ANY); anything else is not a slot id.
 */
export function badSlotId(id: unknown): EncodeRefusal {
  const message =
    typeof id === "number" && Number.isInteger(id) && id >= 0
      ? `slot_id ${show(id)} is out of range: a kernel has at most ${SLOT_COUNT_MAX} slots (0..=${SLOT_COUNT_MAX - 1})`
      : `slot_id must be a non-negative integer, got ${show(id)}`;
  return { code: "INVALID_SLOT_ID", field: "SLOT_ID", message, value: typeof id === "number" ? id : undefined };
}

/** A string its fixed-width, NUL-padded UTF-8 field cannot carry, and why. */
export function badString(f: StringField, why: StringFailure): EncodeRefusal {
  const name = f[3].toLowerCase();
  if (why === "NUL") return invalid(f[3], `${name} must not contain a NUL character (its field is NUL-padded)`);
  if (why === "LONE_SURROGATE")
    return invalid(f[3], `${name} must be valid Unicode: it has a lone surrogate, which UTF-8 cannot carry`);
  return invalid(f[3], `${name} does not fit its ${f[2]}-byte field`);
}
