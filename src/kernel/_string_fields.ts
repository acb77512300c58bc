/**
 * The string fields of a RecordEncoder's buffer: writes a string into one record's fixed-width
 * field with its NUL padding. Per record and field it knows how many 32-bit words may hold
 * non-zero bytes (the rest are zero), so a short id clears only what a longer one left there
 * instead of the whole field. (A last-string cache per field was measured slower than
 * re-encoding: the equality check costs what it saves.)
 *
 * Invariant: after `put` returns true the field holds exactly the string's UTF-8 bytes followed
 * by NULs; after false (does not fit) its content is unspecified and marked all-dirty.
 */

import { putString } from "./_encode_fields.ts";
import { ASSET, CLIENT_ORDER_ID, EVENT_ID, STRING_FIELDS, TRADE_ID, VENUE_ORDER_ID, type StringField } from "./_record_layout.ts";

export class StringFields {
  /** The record being encoded (set by the encoder before writing its fields). */
  record = 0;
  /** Per record and field: words that may be non-zero. */
  private readonly dirty: Uint8Array;

  constructor(private readonly bytes: Uint8Array, private readonly u32: Uint32Array, capacity: number) {
    this.dirty = new Uint8Array(capacity * STRING_FIELDS);
    for (const f of [ASSET, TRADE_ID, VENUE_ORDER_ID, CLIENT_ORDER_ID, EVENT_ID]) {
      for (let r = 0; r < capacity; r++) this.dirty[r * STRING_FIELDS + f[4]] = f[1]; // unknown bytes: all dirty
    }
  }

  /** Writes `s` into field `f` of record `record` (`b` = its first word). False: does not fit. */
  put(b: number, f: StringField, s: unknown): boolean {
    const d = this.record * STRING_FIELDS + f[4];
    const n = putString(this.bytes, this.u32, b + f[0], f[1], s, this.dirty[d]!);
    this.dirty[d] = n < 0 ? f[1] : (n + 3) >> 2;
    return n >= 0;
  }
}
