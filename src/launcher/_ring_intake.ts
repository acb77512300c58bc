/**
 * The Zinc intents ring as an edge: records are drained in ring order, each record's kind is
 * checked against its source (strategies may send ENTER, EXIT, CANCEL, MARK_PRICE only), and
 * only the records that pass reach the kernel, as one checked `InputRecords` batch. Every other
 * record is refused before the kernel with INPUT_SOURCE_REFUSED and handed to `refused` (which
 * reports and counts it); it changes nothing and is not journaled. A strategy record may still be
 * refused by `check` (the venue's size rules), the same way.
 *
 * Entry point: `new RingIntake(zinc, kernel, hooks).drain()`.
 */

import { RECORD_BYTES, SLOT_ANY } from "../contracts/abi.ts";
import { type InputRefusal, ringSourceRefusal } from "../contracts/intent_parse.ts";
import type { KernelOutcome } from "../contracts/records.ts";
import { type ExecutionKernel, InputRecords, isStrategyKind, recordKind } from "../kernel/index.ts";
import type { ZincPlane } from "../zinc/index.ts";

export const DRAIN_MAX = 1024;

export interface RingIntakeHooks {
  /** A STRATEGY record the edge refuses for another reason (the venue's size rules), or null. */
  check(record: Uint8Array): InputRefusal | null;
  /**
   * The outcome of one kernel call over checked ring records; `indices[k]` is the position of the
   * call's k-th record among this drain's applied records (they were journaled in that order).
   */
  applied(outcome: KernelOutcome & { accepted_flags: Uint8Array }, indices: Int32Array): void;
  /** A record refused at the edge (never reached the kernel). */
  refused(refusal: InputRefusal): void;
}

export class RingIntake {
  private readonly buffer = new Uint8Array(DRAIN_MAX * RECORD_BYTES.input);

  constructor(
    private readonly zinc: ZincPlane,
    private readonly kernel: ExecutionKernel,
    private readonly hooks: RingIntakeHooks,
  ) {}

  /** Drains up to DRAIN_MAX records; returns how many left the ring (applied or refused). */
  drain(): number {
    let n = 0;
    const refused: InputRefusal[] = [];
    const taken = this.zinc.drainIntents(DRAIN_MAX, (rec) => {
      const kind = recordKind(rec);
      if (!isStrategyKind(kind)) {
        const slot = new DataView(rec.buffer, rec.byteOffset, rec.byteLength).getUint32(4, true);
        refused.push(ringSourceRefusal(kind, slot === SLOT_ANY ? null : slot));
        return;
      }
      const other = this.hooks.check(rec);
      if (other !== null) {
        refused.push(other);
        return;
      }
      this.buffer.set(rec, n * RECORD_BYTES.input);
      n++;
    });
    for (const r of refused) this.hooks.refused(r);
    if (n > 0) {
      const records = InputRecords.fromStrategy(this.buffer, n);
      this.kernel.applyRecords(records, { outcome: (o, indices) => this.hooks.applied(o, indices), refused: () => {} });
    }
    return taken;
  }
}
