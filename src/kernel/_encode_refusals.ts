/**
 * The encoder's refusals: what the fixed-layout record cannot carry, each with the field it names
 * and one clear message. Built out of line so the encoder's hot path stays small.
 */

import type { StringField } from "./_record_layout.ts";

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

export function badSlotId(id: unknown): EncodeRefusal {
  const message = `slot_id must be a non-negative integer, got ${show(id)}`;
  return { code: "INVALID_SLOT_ID", field: "SLOT_ID", message, value: typeof id === "number" ? id : undefined };
}

export function tooLong(f: StringField): EncodeRefusal {
  return invalid(f[3], `${f[3].toLowerCase()} does not fit its ${f[2]}-byte field`);
}

/** A value for a message: numbers as they are, anything else as (at most 40 characters of) JSON. */
export function show(x: unknown): string {
  if (typeof x === "number") return String(x);
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
