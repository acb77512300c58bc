/**
 * The string fields of a RecordEncoder's buffer: writes a string into one record's fixed-width
 * field with its NUL padding. Per record and field it knows how many 32-bit words may hold
 * non-zero bytes (the rest are zero), so a short id clears only what a longer one left there
 * instead of the whole field. The asset, which nearly every mark repeats, is remembered per
 * record (`holdsAsset`: nothing to write) and kept encoded for any record (`putAsset`). With
 * `rememberIds` (the one-record buffer of the one-call-per-input path) it also remembers the
 * order ids each record holds, so the next input carrying the same venue or client order id (an
 * order's ACK and fills do) skips the write. A batch buffer does not: its records rarely meet the
 * same id again, and comparing two different strings costs JavaScriptCore more than writing one
 * (measured: +7 ns per input).
 *
 * Invariant: after `put` returns true the field holds exactly the string's UTF-8 bytes followed
 * by NULs; after false its content is unspecified and marked all-dirty, and `failure` says why:
 * the string does not fit, holds a NUL (the padding byte: `"T1\0"` would read back as `"T1"`), or
 * a lone surrogate (UTF-8 has no bytes for it: two different ids would both be U+FFFD). Only this
 * class writes string fields, except a caller that zeroes the buffer and then calls `zeroed()`.
 */

import { encodeUtf8, utf8Scratch } from "./_encode_fields.ts";
import {
  ASSET,
  CLIENT_ORDER_ID,
  EVENT_ID,
  STRING_FIELDS,
  type StringField,
  TRADE_ID,
  VENUE_ORDER_ID,
} from "./_record_layout.ts";

/** What `held` says of a field whose content is not known to be one string. */
const NOTHING = Symbol("nothing");

/** Why `put` returned false. */
export type StringFailure = "TOO_LONG" | "NUL" | "LONE_SURROGATE";

export class StringFields {
  /** The record being encoded (set by the encoder before writing its fields). */
  record = 0;
  /** Why the last `put` (or `putAsset`) that returned false refused its string. */
  failure: StringFailure = "TOO_LONG";
  /** Per record and field: words that may be non-zero. */
  private readonly dirty: Uint8Array;
  /** Per record and field: the ASCII order id it holds, or NOTHING; null without `rememberIds`. */
  private readonly held: unknown[] | null;
  /** Per record: the asset its field holds, or NOTHING. */
  private readonly assets: unknown[];
  /** `putAsset`'s last asset (at most 8 bytes) and its two words. */
  private repeated: unknown = null;
  private repeatedLo = 0;
  private repeatedHi = 0;

  /** `u32` views the same memory as `bytes`, from its first byte. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly u32: Uint32Array,
    capacity: number,
    rememberIds: boolean,
  ) {
    if (u32.buffer !== bytes.buffer || u32.byteOffset !== bytes.byteOffset)
      throw new Error("Invariant: StringFields views one buffer");
    this.dirty = new Uint8Array(capacity * STRING_FIELDS);
    this.held = rememberIds ? new Array<unknown>(capacity * STRING_FIELDS).fill(NOTHING) : null;
    this.assets = new Array<unknown>(capacity).fill(NOTHING);
    for (const f of [ASSET, TRADE_ID, VENUE_ORDER_ID, CLIENT_ORDER_ID, EVENT_ID]) {
      for (let r = 0; r < capacity; r++) this.dirty[r * STRING_FIELDS + f[4]] = f[1]; // unknown bytes: all dirty
    }
  }

  /** The caller zeroed the whole buffer: every field is empty. */
  zeroed(): void {
    this.dirty.fill(0);
    this.held?.fill(NOTHING);
    this.assets.fill(NOTHING);
  }

  /**
   * Writes `s` into field `f` of record `record` (`b` = its first word): four ASCII characters
   * per store, then zeros over the words a previous string left. False: the field cannot carry it
   * (`failure` says why). A non-string writes an empty field (the kernel then refuses it by name).
   * One call per string on purpose: this is the encoder's hottest code.
   */
  put(b: number, f: StringField, s: unknown): boolean {
    const d = this.record * STRING_FIELDS + f[4];
    const held = f[5] ? this.held : null;
    if (held !== null) {
      if (s === held[d]) return true; // already there (an equal string compares by content)
      held[d] = NOTHING;
    }
    const u = this.u32;
    const w = b + f[0];
    const dirty = w + this.dirty[d]!;
    if (typeof s !== "string") {
      for (let k = w; k < dirty; k++) u[k] = 0;
      this.dirty[d] = 0;
      return true;
    }
    const n = s.length;
    // UTF-8 never needs fewer bytes than UTF-16 code units, so a longer string cannot fit.
    if (n > f[2]) return this.unfit(d, f, "TOO_LONG");
    let k = w;
    let i = 0;
    let any = 0; // OR of every character: > 0x7f means not ASCII (checked once, at the end)
    let nul = 0; // OR of every character - 1: negative means a NUL (checked once, at the end)
    for (; i + 4 <= n; i += 4) {
      const c0 = s.charCodeAt(i),
        c1 = s.charCodeAt(i + 1),
        c2 = s.charCodeAt(i + 2),
        c3 = s.charCodeAt(i + 3);
      any |= c0 | c1 | c2 | c3;
      nul |= (c0 - 1) | (c1 - 1) | (c2 - 1) | (c3 - 1);
      u[k++] = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    }
    const rest = n - i;
    if (rest > 0) {
      const c0 = s.charCodeAt(i),
        c1 = rest > 1 ? s.charCodeAt(i + 1) : 0,
        c2 = rest > 2 ? s.charCodeAt(i + 2) : 0;
      any |= c0 | c1 | c2;
      nul |= (c0 - 1) | (rest > 1 ? c1 - 1 : 0) | (rest > 2 ? c2 - 1 : 0);
      u[k++] = c0 | (c1 << 8) | (c2 << 16);
    }
    if (nul < 0) return this.unfit(d, f, "NUL");
    // Non-ASCII: the words written above are overwritten by the UTF-8 path.
    if (any > 0x7f) return this.putUtf8(d, w, f, s);
    this.dirty[d] = k - w;
    for (; k < dirty; k++) u[k] = 0;
    if (held !== null) held[d] = s;
    return true;
  }

  /**
   * Whether the current record's asset field holds `s` already (then there is nothing to write).
   * Small on purpose: the encoder's mark path inlines it, and most marks stop here.
   */
  holdsAsset(s: unknown): boolean {
    return s === this.assets[this.record];
  }

  /**
   * `put` for the asset field: the last asset of at most 8 bytes is kept with its two words, so
   * the next input naming it in another record costs two stores instead of re-encoding.
   */
  putAsset(b: number, s: unknown): boolean {
    const d = this.record * STRING_FIELDS + ASSET[4];
    const w = b + ASSET[0];
    this.assets[this.record] = NOTHING;
    if (s === this.repeated) {
      const u = this.u32;
      u[w] = this.repeatedLo;
      u[w + 1] = this.repeatedHi;
      for (let k = w + 2; k < w + this.dirty[d]!; k++) u[k] = 0;
      this.dirty[d] = 2;
      this.assets[this.record] = s;
      return true;
    }
    if (!this.put(b, ASSET, s)) return false;
    if (this.dirty[d]! <= 2) {
      // The field now holds `s` in at most two words; any word after them is zero.
      this.repeated = s;
      this.repeatedLo = this.u32[w]!;
      this.repeatedHi = this.u32[w + 1]!;
    }
    this.assets[this.record] = s;
    return true;
  }

  private putUtf8(d: number, w: number, f: StringField, s: string): boolean {
    if (!s.isWellFormed()) return this.unfit(d, f, "LONE_SURROGATE");
    const written = encodeUtf8(s);
    if (written > f[2]) return this.unfit(d, f, "TOO_LONG");
    for (let k = w; k < w + f[1]; k++) this.u32[k] = 0;
    this.bytes.set(utf8Scratch().subarray(0, written), w * 4);
    this.dirty[d] = (written + 3) >> 2;
    return true;
  }

  private unfit(d: number, f: StringField, why: StringFailure): boolean {
    this.dirty[d] = f[1]; // content unspecified
    this.failure = why;
    return false;
  }
}
