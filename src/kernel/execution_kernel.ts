/**
 * ExecutionKernel: the TypeScript face of the Rust kernel. It encodes inputs into the kernel's
 * fixed-layout records, calls the kernel through bun:ffi, and answers with the kernel's outcome.
 * Slot and account getters decode kernel memory on each call: no execution state is copied or
 * cached here. After every mutation the optional `StateMirror` (the Zinc state region) receives
 * the dirty slot images before the call returns (write-through).
 *
 * Two steps are injected at construction and never change afterwards: the `InputJournal` receives
 * every input the kernel answered, the `StateMirror` every change. The binding accepts only typed
 * inputs (`KernelInput`, parsed at each edge) and `InputRecords` whose source an edge checked.
 *
 * Entry points: `ExecutionKernel.open(options)`, `apply`, `applyQuiet`, `applyBatch`, `applyRecords`,
 * `restoreSlot`, `snapshot`, `restoreSnapshot`, getters, `stateHash`, `destroy`. A call after
 * `destroy()` throws; it never touches freed memory. `applyBatch` without a sink or mirror lets the
 * kernel's apply thread apply one chunk while the next is encoded (`_pipeline.ts`); a call made
 * meanwhile (from the journal step) throws instead of touching memory that thread owns.
 */

import { type Pointer, ptr } from "bun:ffi";
import { ABI, BATCH_MAX, OFF } from "../contracts/abi.ts";
import type { KernelInput } from "../contracts/intents.ts";
import type { AccountRecord, KernelOutcome, SlotRecord } from "../contracts/records.ts";
import { checkAbiOnce } from "./_abi_check.ts";
import { encodeBatches, runBatch } from "./_batch.ts";
import { readKernelConfig } from "./_config.ts";
import { FAULT_DRILL_TOKEN, type KernelLib, loadKernelLib } from "./_kernel_ffi.ts";
import { faultLatched, type KernelViews, mapKernelMemory } from "./_memory.ts";
import { type BatchSink, collectOutcome, refusalOutcome, slotIdOf } from "./_outcome.ts";
import { ApplyPipeline } from "./_pipeline.ts";
import { restoreSnapshot, type SnapshotRestore, takeSnapshot } from "./_snapshot.ts";
import { decodeAccount, decodeSlot, decodeSlotMark, type SlotMarkRecord } from "./decoder.ts";
import { INPUT_SIZE, RecordEncoder } from "./encoder.ts";
import type { InputRecords } from "./input_records.ts";
import { type InputJournal, type KernelConfig, KernelError, type KernelOptions, type StateMirror } from "./types.ts";

export { type InputJournal, KernelError, type KernelOptions, type StateMirror };

export class ExecutionKernel {
  private readonly lib: KernelLib;
  private handle: Pointer | null;
  private views: KernelViews | null;
  private readonly inBytes = new Uint8Array(INPUT_SIZE * BATCH_MAX);
  private readonly encoder = new RecordEncoder(this.inBytes);
  private readonly inPtr = ptr(this.inBytes);
  private readonly oneBytes = new Uint8Array(INPUT_SIZE); // one-input calls: ids often repeat
  private readonly oneEncoder = new RecordEncoder(this.oneBytes, { rememberIds: true });
  private readonly onePtr = ptr(this.oneBytes);
  private readonly batchIndex = new Int32Array(BATCH_MAX);
  /** The apply thread for outcome-less batches: started on first use; null when off or not startable. */
  private pipeline: ApplyPipeline | null | undefined;
  private busy = false; // the apply thread owns kernel memory (inside a pipelined `applyBatch`)
  readonly slotCount: number;
  private readonly mirror: StateMirror | null;
  private readonly journal: InputJournal | null;

  static open(options: KernelOptions = {}): ExecutionKernel {
    const lib = loadKernelLib();
    checkAbiOnce(lib);
    return new ExecutionKernel(lib, options);
  }

  private constructor(lib: KernelLib, o: KernelOptions) {
    const slotCount = o.slotCount ?? 8;
    const limit = o.activeSlotLimit ?? slotCount;
    const hung = o.hungOrderMs ?? 30_000;
    const raw = lib.dita_kernel_new(slotCount, limit, hung);
    if (typeof raw !== "number" || raw === 0) {
      throw new KernelError(
        `kernel refused its configuration: slots=${slotCount} (1..256), active_slot_limit=${limit} (1..slots), hung_order_ms=${hung} (1..86400000)`,
      );
    }
    const handle = raw as Pointer;
    this.lib = lib;
    this.handle = handle;
    this.slotCount = slotCount;
    this.views = mapKernelMemory(lib, handle, slotCount);
    this.mirror = o.mirror ?? null;
    this.journal = o.journal ?? null;
    this.pipeline = o.applyThread === false ? null : undefined;
  }

  private live(): { h: Pointer; v: KernelViews } {
    if (this.handle === null || this.views === null) throw new KernelError("ExecutionKernel used after destroy()");
    if (this.busy) throw new KernelError("ExecutionKernel is applying a batch: call it after applyBatch returns");
    return { h: this.handle, v: this.views };
  }

  /** Applies one input (intent, venue event, tick, reconcile, ...) and returns the outcome. */
  apply(input: KernelInput): KernelOutcome {
    const { h, v } = this.live();
    const refusal = this.oneEncoder.encode(input, 0);
    if (refusal) {
      this.journal?.input(input, false);
      return refusalOutcome(refusal, input, this.slotCount);
    }
    const status = this.lib.dita_kernel_apply(h, this.onePtr);
    if (status === 1) throw new Error("Invariant: kernel saw a null input pointer");
    this.afterMutation(v);
    const { accepted_flags: _flags, ...outcome } = collectOutcome(v, 0);
    this.journal?.input(input, outcome.accepted);
    const slotId = outcome.transitions[0]?.slot_id ?? slotIdOf(input, this.slotCount);
    outcome.slot = slotId === null ? null : decodeSlot(v.slotsDv, v.slots, slotId * ABI.SlotImage.size);
    return outcome;
  }

  /** The hot path: applies one input and reports acceptance; the outcome stays in the arena. */
  applyQuiet(input: KernelInput): boolean {
    const { h, v } = this.live();
    if (this.oneEncoder.encode(input, 0) !== null) {
      this.journal?.input(input, false);
      return false;
    }
    const answer = this.lib.dita_kernel_apply_one(h, this.onePtr); // 1 accepted, 0 refused, 2 faulted
    this.afterMutation(v);
    this.journal?.input(input, answer === 1);
    return answer === 1;
  }

  /**
   * Applies many inputs with one kernel call per up to 1024 inputs. Returns how many were
   * accepted. Outcomes are decoded only when a sink is given. Without a sink, a mirror and a
   * journal (the hot path of replay and tools) the kernel's apply thread applies each chunk while
   * the next one is encoded; the journal needs each input's acceptance, which that path does not keep.
   */
  applyBatch(inputs: readonly KernelInput[], sink?: BatchSink): number {
    const { h, v } = this.live();
    if (sink !== undefined || this.mirror !== null || this.journal !== null) return this.sequential(h, v, inputs, sink);
    if (this.pipeline === undefined) this.pipeline = ApplyPipeline.start(this.lib, h);
    if (this.pipeline === null) return this.sequential(h, v, inputs);
    this.busy = true;
    try {
      return this.pipeline.run(
        inputs,
        () => faultLatched(v),
        (from, to) => this.sequential(h, v, inputs, undefined, from, to),
      );
    } finally {
      this.busy = false;
    }
  }

  private sequential(
    h: Pointer,
    v: KernelViews,
    inputs: readonly KernelInput[],
    sink?: BatchSink,
    from = 0,
    to = inputs.length,
  ): number {
    const journal = this.journal;
    const settled =
      journal === null
        ? () => this.afterMutation(v)
        : (flags: Uint8Array, idx: Int32Array) => {
            this.afterMutation(v);
            for (let i = 0; i < flags.length; i++) journal.input(inputs[idx[i]!]!, flags[i] === 1);
          };
    const apply = (n: number) => runBatch(this.lib, h, v, this.inPtr, n, this.batchIndex, settled, sink);
    return encodeBatches(inputs, this.encoder, this.batchIndex, journal, sink, this.slotCount, apply, from, to);
  }

  /** Applies raw records an edge checked (e.g. drained from the Zinc ring), then journals them. */
  applyRecords(batch: InputRecords, sink?: BatchSink): number {
    const { h, v } = this.live();
    const { bytes: records, count } = batch;
    let accepted = 0;
    for (let done = 0; done < count; ) {
      const n = Math.min(BATCH_MAX, count - done);
      for (let i = 0; i < n; i++) this.batchIndex[i] = done + i;
      accepted += runBatch(
        this.lib,
        h,
        v,
        ptr(records, done * INPUT_SIZE),
        n,
        this.batchIndex,
        (flags, idx) => {
          this.afterMutation(v);
          const from = idx[0]! * INPUT_SIZE;
          this.journal?.records(records.subarray(from, from + flags.length * INPUT_SIZE), flags);
        },
        sink,
      );
      done += n;
    }
    return accepted;
  }

  private afterMutation(v: KernelViews): void {
    if (this.mirror === null) return;
    const dirty = v.dirtyWords;
    let any = v.header.getUint8(OFF.OutcomeHeader.account_dirty) | v.header.getUint32(OFF.OutcomeHeader.accepted, true); // CONFIGURE: no dirty bit, new hash
    for (let i = 0; i < 8; i++) any |= dirty[i]!;
    if (any !== 0) this.mirror.publishState(v.slots, dirty, v.account, this.stateHash());
  }

  /** Direct slot write (restart adoption). The image is validated by the kernel. */
  restoreSlot(image: Uint8Array, nowMs: number): KernelOutcome {
    const { h, v } = this.live();
    if (image.byteLength !== ABI.SlotImage.size) {
      throw new KernelError(`slot image must be ${ABI.SlotImage.size} bytes, got ${image.byteLength}`);
    }
    const copy = new Uint8Array(image); // the kernel reads it during the call only
    this.lib.dita_kernel_restore_slot(h, ptr(copy), nowMs);
    this.afterMutation(v);
    const { accepted_flags: _flags, ...outcome } = collectOutcome(v, 0);
    this.journal?.restore(copy, nowMs, outcome.accepted);
    const slotId = outcome.transitions[0]?.slot_id ?? null;
    outcome.slot = slotId === null ? null : this.slot(slotId);
    return outcome;
  }

  /** The whole state (slots, both rings per slot, account, configuration, order window, marks) as checked bytes. */
  snapshot(): Uint8Array {
    return takeSnapshot(this.lib, this.live().h);
  }

  /** Replaces the whole state with a snapshot, checked by the kernel; a refusal changed nothing. */
  restoreSnapshot(bytes: Uint8Array): SnapshotRestore {
    const { h, v } = this.live();
    if (this.journal !== null && this.journal.snapshotRestored === undefined)
      throw new KernelError("this kernel's journal cannot record a snapshot restore");
    const r = restoreSnapshot(this.lib, h, v, bytes);
    if (r.ok) this.afterMutation(v);
    if (r.ok) this.journal?.snapshotRestored?.();
    return r;
  }

  slot(slotId: number): SlotRecord {
    const v = this.slotViews(slotId);
    return decodeSlot(v.slotsDv, v.slots, slotId * ABI.SlotImage.size);
  }

  /** The fields a mark moves (mark price, unrealized PnL, version, time) and the trade id. */
  slotMark(slotId: number): SlotMarkRecord {
    const v = this.slotViews(slotId);
    return decodeSlotMark(v.slotsDv, v.slots, slotId * ABI.SlotImage.size);
  }

  private slotViews(slotId: number): KernelViews {
    const { v } = this.live();
    if (Number.isInteger(slotId) && slotId >= 0 && slotId < this.slotCount) return v;
    throw new KernelError(`slot_id must be an integer 0..${this.slotCount - 1}, got ${slotId}`);
  }

  slots(): SlotRecord[] {
    return Array.from({ length: this.slotCount }, (_, i) => this.slot(i));
  }

  account(): AccountRecord {
    return decodeAccount(this.live().v.accountDv);
  }

  /** Zero-copy view of one slot image (valid until destroy). */
  slotImage(slotId: number): Uint8Array {
    const v = this.slotViews(slotId);
    const size = ABI.SlotImage.size;
    return v.slots.subarray(slotId * size, (slotId + 1) * size);
  }

  stateHash(): bigint {
    return BigInt.asUintN(64, BigInt(this.lib.dita_kernel_state_hash(this.live().h)));
  }

  stateHashHex(): string {
    return this.stateHash().toString(16).padStart(16, "0");
  }

  /** The kernel's configuration, its trading state and risk limits included (0 = off). */
  config(): KernelConfig {
    return readKernelConfig(this.lib, this.live().h);
  }

  /** Fault drill: the next apply panics in the kernel (KERNEL_FAULT, latched read-only; reads work). */
  armFaultDrill(): void {
    if (this.lib.dita_kernel_arm_fault_drill(this.live().h, FAULT_DRILL_TOKEN) !== 0)
      throw new KernelError("fault drill refused");
  }

  faulted(): boolean {
    return faultLatched(this.live().v);
  }

  fsmTable(): string {
    return String(this.lib.dita_kernel_fsm_table());
  }

  destroy(): void {
    if (this.handle === null) return;
    if (this.busy)
      throw new KernelError("ExecutionKernel.destroy() inside applyBatch: destroy it after applyBatch returns");
    this.pipeline?.free();
    this.pipeline = null;
    const h = this.handle;
    this.handle = null;
    this.views = null;
    this.lib.dita_kernel_free(h);
  }
}
