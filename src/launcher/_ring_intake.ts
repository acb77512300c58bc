/**
 * The Zinc intents ring as an edge: records are drained in ring order, each record's kind is
 * checked against its source (strategies may send ENTER, EXIT, CANCEL, MARK_PRICE only), and
 * only the records that pass reach the kernel, as one checked `InputRecords` batch. Every other
 * record is refused before the kernel with INPUT_SOURCE_REFUSED and handed to `refused` (which
 * reports and counts it); it changes nothing and is not journaled. A strategy record may still be
 * refused by `check` (the venue's size rules), the same way.
 *
 * A record reaches the kernel stamped with the launcher's clock (`now_ms`, read once per drain), not
 * its producer's: the kernel's times (orders' creation and last update, the order-rate window, the
 * hung-order check against TICKs) all come from one clock, as HTTP and CLI intents' do, whatever
 * clock a strategy injected into its client (a replay clock, a feed's timestamps, a skewed host).
 *
 * Every record's outcome goes back to its producer (`RingOutcomes`, the outcomes region): refused
 * at the edge, refused or applied by the kernel, with the diagnostics and the slot's stage, under
 * the record's client_intent_id. A producer never has to guess whether its intent was sent.
 *
 * Entry point: `new RingIntake(zinc, kernel, hooks).drain()`.
 */

import { OFF, RECORD_BYTES, SLOT_ANY } from "../contracts/abi.ts";
import { type InputRefusal, ringSourceRefusal } from "../contracts/intent_parse.ts";
import type { KernelOutcome } from "../contracts/records.ts";
import type { VenueEvent } from "../contracts/venue.ts";
import { type ExecutionKernel, InputRecords, isStrategyKind, recordKind } from "../kernel/index.ts";
import type { ZincPlane } from "../zinc/index.ts";
import { RingOutcomes } from "./_ring_outcomes.ts";
import { VenueFollowups } from "./_venue_followups.ts";

export const DRAIN_MAX = 1024;
/** InputRecord.now_ms (kernel/ABI.md). */
const NOW_MS_AT = OFF.InputRecord.now_ms;

export interface RingIntakeHooks {
  /** A STRATEGY record the edge refuses for another reason (the venue's size rules), or null. */
  check(record: Uint8Array): InputRefusal | null;
  /**
   * The outcome of one kernel call over checked ring records; `journalOffsets[k]` is the call's
   * k-th record's position among this drain's journaled (accepted) records, -1 when the kernel
   * refused it or, faulted, did not process it (neither is journaled).
   */
  applied(outcome: KernelOutcome & { accepted_flags: Uint8Array }, journalOffsets: Int32Array): void;
  /** A record refused at the edge (never reached the kernel). */
  refused(refusal: InputRefusal): void;
  /** The launcher's clock, for the outcomes' `now_ms`. */
  nowMs(): number;
}

export class RingIntake {
  private readonly buffer = new Uint8Array(DRAIN_MAX * RECORD_BYTES.input);
  private readonly stamps = new DataView(this.buffer.buffer);
  /** Records of the current drain the kernel accepted so far (journaled in that order). */
  private journaled = 0;
  private readonly outcomes: RingOutcomes;
  private readonly followups: VenueFollowups;

  constructor(
    private readonly zinc: ZincPlane,
    private readonly kernel: ExecutionKernel,
    private readonly hooks: RingIntakeHooks,
  ) {
    this.followups = new VenueFollowups(zinc, kernel);
    this.outcomes = new RingOutcomes(DRAIN_MAX, zinc, kernel, (kind, slot, id) => this.followups.track(kind, slot, id));
  }

  /** A venue event's outcome: every producer whose ring intent made or cancels that order hears of it. */
  followVenue(event: VenueEvent, outcome: KernelOutcome): void {
    this.followups.venue(event, outcome, this.hooks.nowMs());
  }

  /**
   * Each of the call's `inputs` records' journal offset in this drain (accepted records in order),
   * -1 for a refused one, and for one a faulted kernel did not process (no flag: not journaled).
   */
  private journalOffsets(accepted: Uint8Array, inputs: number): Int32Array {
    const out = new Int32Array(inputs).fill(-1);
    for (let k = 0; k < accepted.length; k++) if (accepted[k] === 1) out[k] = this.journaled++;
    return out;
  }

  /** Drains up to DRAIN_MAX records; returns how many left the ring (applied or refused). */
  drain(): number {
    this.followups.hold();
    try {
      return this.drainHeld();
    } finally {
      this.followups.release(); // venue answers given while the batch was sent follow its outcomes
    }
  }

  private drainHeld(): number {
    this.journaled = 0;
    let n = 0;
    const refused: InputRefusal[] = [];
    this.outcomes.begin();
    let now: bigint | null = null; // read at the first record that reaches the kernel
    const taken = this.zinc.drainIntents(DRAIN_MAX, (rec) => {
      const kind = recordKind(rec);
      let refusal: InputRefusal | null = null;
      if (!isStrategyKind(kind)) {
        const slot = new DataView(rec.buffer, rec.byteOffset, rec.byteLength).getUint32(4, true);
        refusal = ringSourceRefusal(kind, slot === SLOT_ANY ? null : slot);
      } else refusal = this.hooks.check(rec);
      this.outcomes.note(rec, refusal, n);
      if (refusal !== null) {
        refused.push(refusal);
        return;
      }
      this.buffer.set(rec, n * RECORD_BYTES.input);
      now ??= BigInt(Math.trunc(this.hooks.nowMs()));
      this.stamps.setBigUint64(n * RECORD_BYTES.input + NOW_MS_AT, now, true);
      n++;
    });
    for (const r of refused) this.hooks.refused(r);
    if (n > 0) {
      const records = InputRecords.fromStrategy(this.buffer, n);
      this.kernel.applyRecords(records, {
        outcome: (o, indices) => {
          this.outcomes.kernelCall(o, indices); // first: follow-ups are tracked before orders are sent
          this.hooks.applied(o, this.journalOffsets(o.accepted_flags, indices.length));
        },
        refused: () => {},
      });
    }
    if (taken > 0) this.outcomes.publish(this.hooks.nowMs());
    return taken;
  }
}
