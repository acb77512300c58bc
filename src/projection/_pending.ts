/**
 * PendingOutcomes: the raw facts `ProjectionCore.onOutcome` captures on the hot path, kept until the
 * drain step decodes them and builds rows. Preallocated struct-of-arrays, so capturing allocates no
 * object: per entry a kind, flags, journal seq, index, a reference to a record the kernel binding
 * already built (transition, diagnostic, account, or a hand-built SlotRecord/SlotMark) and, for slot
 * states, the index of a copy of the kernel's 448-byte slot image in a preallocated arena.
 *
 * Bounded: `room(entries, images)` says whether more fit; the caller drains synchronously when not
 * (never drops). `clear()` releases the references after a drain.
 */
import { ABI, OFF } from "../contracts/abi.ts";
import type { AccountRecord, SlotRecord } from "../contracts/records.ts";
import { STAGES } from "../contracts/records.ts";

export const K_TRANSITION = 1;
export const K_DIAGNOSTIC = 2;
export const K_MARK = 3;
export const K_ACCOUNT = 4;
export const F_DEBUG = 1;
export const F_CONFIRMED = 2;
/** A diagnostic the launcher issued itself: `index` holds its count in the run, not an ordinal. */
export const F_LAUNCHER = 4;

export const SLOT_BYTES = ABI.SlotImage.size;
const STAGE_AT = OFF.SlotImage.stage;
const SIZE_AT = OFF.SlotImage.size_e8;
const IDLE = STAGES.indexOf("IDLE") + 1;
const CLOSED = STAGES.indexOf("CLOSED") + 1;

export class PendingOutcomes {
  readonly kind: Uint8Array;
  readonly flags: Uint8Array;
  readonly seq: Float64Array;
  readonly index: Int32Array;
  /** Arena image index of the slot state, or -1 (then `slot` holds the record). */
  readonly image: Int32Array;
  readonly nowMs: Float64Array;
  readonly ref: unknown[];
  readonly slot: unknown[];
  readonly account: (AccountRecord | null)[];
  readonly arena: Uint8Array;
  readonly arenaDv: DataView;
  length = 0;
  images = 0;

  constructor(
    readonly capacity = 16_384,
    readonly imageCapacity = 4_096,
  ) {
    this.kind = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.seq = new Float64Array(capacity);
    this.index = new Int32Array(capacity);
    this.image = new Int32Array(capacity);
    this.nowMs = new Float64Array(capacity);
    this.ref = new Array<unknown>(capacity).fill(null);
    this.slot = new Array<unknown>(capacity).fill(null);
    this.account = new Array<AccountRecord | null>(capacity).fill(null);
    this.arena = new Uint8Array(imageCapacity * SLOT_BYTES);
    this.arenaDv = new DataView(this.arena.buffer);
  }

  room(entries: number, images: number): boolean {
    return this.length + entries <= this.capacity && this.images + images <= this.imageCapacity;
  }

  /** Over half full: the owner drains soon (at the next microtask checkpoint) rather than at its timer. */
  get crowded(): boolean {
    return this.length * 2 > this.capacity || this.images * 2 > this.imageCapacity;
  }

  /** Copies one kernel slot image (a view of kernel memory) into the arena; returns its index. */
  copyImage(src: Uint8Array): number {
    if (src.length !== SLOT_BYTES)
      throw new Error(`Invariant: slot image must be ${SLOT_BYTES} bytes, got ${src.length}`);
    const at = this.images++;
    this.arena.set(src, at * SLOT_BYTES);
    return at;
  }

  /** Whether the captured slot state holds a position (size > 0, stage neither IDLE nor CLOSED). */
  holds(image: number, slot: unknown): boolean {
    if (image < 0) {
      const s = slot as SlotRecord;
      return s.size > 0 && s.stage !== "IDLE" && s.stage !== "CLOSED";
    }
    const at = image * SLOT_BYTES;
    const stage = this.arena[at + STAGE_AT]!;
    const hi = this.arenaDv.getInt32(at + SIZE_AT + 4, true);
    const size = hi * 4294967296 + this.arenaDv.getUint32(at + SIZE_AT, true);
    return size > 0 && stage !== IDLE && stage !== CLOSED;
  }

  add(
    kind: number,
    flags: number,
    seq: number,
    index: number,
    ref: unknown,
    slot: unknown,
    image: number,
    account: AccountRecord | null,
    nowMs: number,
  ): void {
    const e = this.length++;
    this.kind[e] = kind;
    this.flags[e] = flags;
    this.seq[e] = seq;
    this.index[e] = index;
    this.ref[e] = ref;
    this.slot[e] = slot;
    this.image[e] = image;
    this.account[e] = account;
    this.nowMs[e] = nowMs;
  }

  clear(): void {
    for (let e = 0; e < this.length; e++) {
      this.ref[e] = null;
      this.slot[e] = null;
      this.account[e] = null;
    }
    this.length = 0;
    this.images = 0;
  }
}
