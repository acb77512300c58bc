/**
 * The outcome of every ring record, for its producer (docs/architecture.md §5, ffi/README.md §7):
 * while a batch drains, each record's client_intent_id, kind and slot are noted in ring order,
 * with the edge's refusal or the index the kernel saw it under; after the kernel call the
 * kernel's per-input results (accepted flag, diagnostics, transitions) are joined back and one
 * OutcomeRecord per record that asked for one (generation bits ≠ 0) is published, in ring order.
 * An applied ENTER, EXIT or CANCEL that asked is handed to `onAccepted` at the kernel call, before
 * the runtime sends the batch's orders, so the venue's answers to it reach its producer.
 *
 * Invariants: (1) every drained record that asked for an outcome gets exactly one, whether it was
 * refused at the edge, refused by the kernel (a faulted kernel's unprocessed record: not accepted,
 * KERNEL_FAULT) or applied; (2) the stage is the slot's stage right
 * after that record (transitions replayed in input order over the batch), not after the batch;
 * (3) `slot_version` and `order_status` are read when the outcome is published (after the batch);
 * (4) nothing here blocks: a producer lane that is full overwrites its oldest record (libzinc).
 *
 * Entry point: `RingOutcomes` (used by `RingIntake`).
 */

import { OFF, SLOT_ANY } from "../contracts/abi.ts";
import type { InputRefusal } from "../contracts/intent_parse.ts";
import { refusedOutcome } from "../contracts/intent_parse.ts";
import { type DiagnosticRecord, STAGES, type TransitionRecord } from "../contracts/records.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { OutcomeBatch, type OutcomeFacts, type ZincPlane } from "../zinc/index.ts";

const ID_AT = OFF.InputRecord.client_intent_id;
const NONE = -1;

/** Stage, version and order status of a slot image (kernel/ABI.md SlotImage, OrderImage). */
export function slotFacts(image: Uint8Array): { stage: number; version: number; order_status: number } {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const stage = image[4]!;
  const exit = image[224] === 1 ? image[226]! : 0;
  const entry = image[80] === 1 ? image[82]! : 0;
  const exitSide = stage === 4 || stage === 5 || (stage === 3 && exit !== 0);
  return {
    stage,
    version: Number(dv.getBigUint64(8, true)),
    order_status: exitSide && exit !== 0 ? exit : entry,
  };
}

/** The outcome of a record a faulted (read-only) kernel did not process. */
function faultDiagnostic(inputIndex: number): DiagnosticRecord {
  return {
    code: "KERNEL_FAULT",
    severity: "CRITICAL",
    slot_id: null,
    message: "the kernel is faulted (read-only): this record was not applied",
    details: {},
    input_index: inputIndex,
    now_ms: 0,
  };
}

export class RingOutcomes {
  private readonly ids: Uint8Array;
  private readonly kinds: Uint16Array;
  private readonly slots: Uint32Array;
  /** Index the kernel saw the record under, or NONE when the edge refused it. */
  private readonly kernelIndex: Int32Array;
  /** The ring position of the record the kernel saw under each index (the inverse of `kernelIndex`). */
  private readonly ringAt: Int32Array;
  private readonly refusals: Array<InputRefusal | null>;
  private readonly accepted: Uint8Array;
  private readonly diagnostics = new Map<number, DiagnosticRecord[]>();
  private transitions: TransitionRecord[] = [];
  private readonly batch: OutcomeBatch;
  private count = 0;
  private wanted = 0;

  constructor(
    private readonly capacity: number,
    private readonly zinc: ZincPlane,
    private readonly kernel: ExecutionKernel,
    /** An applied ENTER, EXIT or CANCEL whose producer wants outcomes (the venue's answers follow), before its order is sent. */
    private readonly onAccepted: (kind: number, slot: number, id: Uint8Array) => void,
  ) {
    this.ids = new Uint8Array(capacity * 8);
    this.kinds = new Uint16Array(capacity);
    this.slots = new Uint32Array(capacity);
    this.kernelIndex = new Int32Array(capacity);
    this.ringAt = new Int32Array(capacity);
    this.refusals = new Array(capacity).fill(null);
    this.accepted = new Uint8Array(capacity);
    this.batch = new OutcomeBatch(capacity);
  }

  begin(): void {
    this.count = 0;
    this.wanted = 0;
    this.diagnostics.clear();
    this.transitions = [];
  }

  /** Notes one drained record (in ring order): refused at the edge, or the kernel's index for it. */
  note(rec: Uint8Array, refusal: InputRefusal | null, kernelIndex: number): void {
    const i = this.count++;
    if (i >= this.capacity) throw new Error(`Invariant: more than ${this.capacity} ring records in one drain`);
    this.ids.set(rec.subarray(ID_AT, ID_AT + 8), i * 8);
    if (rec[ID_AT + 4] !== 0 || rec[ID_AT + 5] !== 0) this.wanted++; // generation bits: an outcome is wanted
    this.kinds[i] = rec[0]! | (rec[1]! << 8);
    this.slots[i] = rec[4]! | (rec[5]! << 8) | (rec[6]! << 16) | (rec[7]! << 24);
    this.kernelIndex[i] = refusal === null ? kernelIndex : NONE;
    if (refusal === null) {
      this.accepted[kernelIndex] = 0; // set by its kernel call; a faulted call sets none
      this.ringAt[kernelIndex] = i;
    }
    this.refusals[i] = refusal;
  }

  /** The kernel's results for one call over records `indices[k]` (k = the call's input index). */
  kernelCall(
    o: { accepted_flags: Uint8Array; transitions: TransitionRecord[]; diagnostics: DiagnosticRecord[] },
    indices: Int32Array,
  ): void {
    if (this.wanted === 0) return;
    for (let k = 0; k < o.accepted_flags.length; k++) {
      this.accepted[indices[k]!] = o.accepted_flags[k]!;
      const i = this.ringAt[indices[k]!]!; // its ring position: kinds, slots and ids are kept in ring order
      // Tracked now, before the call's orders are sent: a venue that refuses one synchronously
      // answers during the send, and its producer hears that answer (VenueFollowups holds it).
      if (o.accepted_flags[k] === 1 && this.kinds[i]! <= 3 && this.slots[i]! < this.kernel.slotCount) {
        const id = this.ids.subarray(i * 8, i * 8 + 8);
        if (id[4] !== 0 || id[5] !== 0) this.onAccepted(this.kinds[i]!, this.slots[i]!, id);
      }
    }
    // A faulted kernel applies nothing and names the fault once (or not at all once latched):
    // every record the call did not process is told why it was not applied.
    for (let k = o.accepted_flags.length; k < indices.length; k++) {
      const at = indices[k]!;
      if (!o.diagnostics.some((d) => d.input_index === k)) this.addDiagnostic(at, faultDiagnostic(k));
    }
    for (const t of o.transitions) this.transitions.push({ ...t, input_index: indices[t.input_index]! });
    for (const d of o.diagnostics) this.addDiagnostic(indices[d.input_index]!, d);
  }

  private addDiagnostic(at: number, d: DiagnosticRecord): void {
    const list = this.diagnostics.get(at);
    if (list === undefined) this.diagnostics.set(at, [d]);
    else list.push(d);
  }

  /** Publishes the outcomes of the records noted since `begin`; returns how many reached a lane. */
  publish(nowMs: number): number {
    if (this.wanted === 0) return 0;
    const firstFrom = new Map<number, string>();
    for (const t of this.transitions) if (!firstFrom.has(t.slot_id)) firstFrom.set(t.slot_id, t.from);
    const stageNow = new Map<number, string>();
    let next = 0;
    this.batch.clear();
    for (let i = 0; i < this.count; i++) {
      const k = this.kernelIndex[i]!;
      for (; k !== NONE && next < this.transitions.length && this.transitions[next]!.input_index <= k; next++) {
        const t = this.transitions[next]!;
        stageNow.set(t.slot_id, t.to);
      }
      const id = this.ids.subarray(i * 8, i * 8 + 8);
      if (id[4] === 0 && id[5] === 0) continue;
      const facts = this.facts(i, k, nowMs, stageNow.get(this.slots[i]!) ?? firstFrom.get(this.slots[i]!));
      this.batch.add(id, facts);
    }
    return this.zinc.publishOutcomes(this.batch.bytes, this.batch.count);
  }

  private facts(i: number, k: number, nowMs: number, stageName: string | undefined): OutcomeFacts {
    const kind = this.kinds[i]!;
    const slot = this.slots[i]!;
    const hasSlot = kind !== 4 && slot !== SLOT_ANY && slot < this.kernel.slotCount; // MARK_PRICE routes by asset
    const now = hasSlot ? slotFacts(this.kernel.slotImage(slot)) : null;
    const refusal = this.refusals[i] ?? null;
    const diagnostics = refusal !== null ? refusedOutcome(refusal, nowMs).diagnostics : (this.diagnostics.get(k) ?? []);
    return {
      origin: refusal !== null ? "EDGE" : "KERNEL",
      now_ms: nowMs,
      input_kind: kind,
      slot_id: hasSlot ? slot : null,
      slot_version: now?.version ?? 0,
      accepted: refusal === null && this.accepted[k] === 1,
      stage:
        now === null
          ? 0
          : stageName !== undefined
            ? STAGES.indexOf(stageName as (typeof STAGES)[number]) + 1
            : now.stage,
      event_kind: 0,
      order_status: now?.order_status ?? 0,
      diagnostics,
    };
  }
}
