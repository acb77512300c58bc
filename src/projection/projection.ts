/**
 * Projection core: turns kernel outcomes into map writes and records for the outboxes, in two steps.
 *
 *  1. `onOutcome` (the kernel's hot path, synchronous): O(1) per transition, no row, closure or decoded slot is
 *     built. It keeps the raw facts in a preallocated buffer (`_pending.ts`): the transition and diagnostic records,
 *     the outcome's account record, and the slot's state after the input as a copy of its 448-byte kernel image
 *     (`slotImage`, ~50 ns) or a decoded record (`slots`), plus a few scalars (versions, unrealized PnL, held slots).
 *  2. `drain` (every `delayMs`, at the next microtask once the buffer is half full, synchronously when it is full,
 *     and before flush/stats/close/a control change): decodes the images and hands every fact, in capture order, to
 *     the `Projector` (`_projector.ts`), which applies the rules of docs/architecture.md §7. After each drain
 *     `onDrained` gets the highest journal seq drained (create.ts spills the rows and records the mark).
 *
 * Row identity: each transition and diagnostic is captured with the journal seq of the input that made it
 * (`journalSeq` + that input's offset in a batch) and its ordinal k among that input's transitions (or diagnostics),
 * counting every one the kernel reported, projected or not; so the same input replayed alone rebuilds the same
 * (seq, k). Launcher diagnostics, and a refused (unjournaled) input's, get their own count; repeated refusals are
 * coalesced first (`_refusals.ts`). A drain forced mid-capture never marks that outcome.
 */
import type { Clock } from "../contracts/clock.ts";
import type { ControlSnapshot } from "../contracts/control.ts";
import type { DiagnosticRecord, SlotRecord, TransitionRecord } from "../contracts/records.ts";
import { decodeSlot, decodeSlotMark } from "../kernel/decoder.ts";
import {
  F_CONFIRMED,
  F_DEBUG,
  F_LAUNCHER,
  K_ACCOUNT,
  K_DIAGNOSTIC,
  K_MARK,
  K_TRANSITION,
  PendingOutcomes,
  SLOT_BYTES,
} from "./_pending.ts";
import { Projector } from "./_projector.ts";
import { coalescible, RefusalCoalescer } from "./_refusals.ts";
import { type NamespaceNames, namespaceNames } from "./names.ts";
import type { Outbox } from "./outbox.ts";
import { type ImageInput, type OutcomeInput, type SlotMark, VENUE_FACTS } from "./types.ts";

export type { ImageInput, OutcomeInput, SlotMark };

export class ProjectionCore {
  readonly names: NamespaceNames;
  private readonly projector: Projector;
  private readonly pending = new PendingOutcomes();
  /** Slots whose last confirmed state holds a position (hot-path copy of the projector's memo test). */
  private readonly held = new Uint8Array(256);
  private heldEnd = 0;
  private accountVersion = -1;
  private lastUnrealized = Number.NaN;
  private control: ControlSnapshot | null = null;
  private launcherCount = 0;
  /** Repeated refusal diagnostics: one row and one summary row per key and window (`_refusals.ts`). */
  private readonly refusals: RefusalCoalescer;
  /** Captures a launcher-numbered diagnostic (own, refused or a summary); the caller made room. */
  private readonly addLauncher = (seq: number, d: DiagnosticRecord) =>
    this.pending.add(K_DIAGNOSTIC, F_LAUNCHER, seq, this.launcherCount++, d, null, -1, null, 0);
  /** Highest journal seq of any outcome handed in (inputs without facts count: they have no rows). */
  private seenSeq = -1;
  private markCeiling = Number.POSITIVE_INFINITY; // while an outcome is captured: the highest seq to mark
  private reportedSeq = -1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private soon = false;
  private readonly onTimer = () => {
    this.timer = null;
    this.drain();
  };
  private readonly onMicrotask = () => {
    this.soon = false;
    this.drain();
  };

  /**
   * @param epoch this projection's epoch (its start time in ms): every map write carries it, and sinks order writes
   *   by (epoch, version), so a restarted process, whose kernel versions start again from 0, still replaces its rows.
   * @param delayMs how long captured facts may wait before the drain builds their rows.
   * @param run the kernel lifetime's id, in every table row id.
   * @param onDrained after each drain that built rows: the highest journal seq among them.
   */
  constructor(
    readonly strategy: string,
    private readonly clock: Clock,
    outboxes: readonly Outbox[],
    readonly epoch = 0,
    private readonly delayMs = 10,
    readonly run = "0",
    private readonly onDrained: (maxSeq: number) => void = () => {},
  ) {
    this.names = namespaceNames(strategy);
    this.projector = new Projector(strategy, run, this.names, clock, outboxes, epoch);
    this.refusals = new RefusalCoalescer(clock);
  }

  onOutcome(o: OutcomeInput): void {
    this.markCeiling = o.journalSeq - 1; // a drain forced meanwhile must not mark this outcome's inputs
    try {
      this.capture(o);
    } finally {
      this.markCeiling = Number.POSITIVE_INFINITY;
    }
    const offsets = o.inputOffsets === undefined ? [0] : Array.from(o.inputOffsets); // -1: refused, not journaled
    this.seenSeq = Math.max(this.seenSeq, o.journalSeq + Math.max(-1, ...offsets));
    if (this.pending.length > 0) this.schedule();
  }

  private capture(o: OutcomeInput): void {
    if (this.control === null || o.control.version > this.control.version) this.onControl(o.control);
    if (this.refusals.holding && !this.pending.room(this.refusals.size, 0)) this.drainFull();
    this.refusals.expire(false, this.addLauncher); // summaries of refusal windows ended since the last call
    const debug = o.control.mode === "DEBUG" && o.control.debug_clickhouse_enabled;
    const p = this.pending;
    const tr = o.transitions;
    let confirmed = false;
    let lastId = -1;
    let image = -1;
    let slot: SlotRecord | null = null;
    let input = -1;
    let k = 0;
    let seq = 0;
    for (let i = 0; i < tr.length; i++) {
      const t = tr[i]!;
      if (t.input_index !== input) {
        input = t.input_index;
        seq = this.seqOf(o, input);
        k = 0;
      } else k++;
      const venue = VENUE_FACTS.has(t.trigger);
      if (!venue && !debug) continue;
      if (!p.room(1, 1)) lastId = this.drainFull();
      if (t.slot_id !== lastId) {
        lastId = t.slot_id;
        if (o.slotImage !== undefined) image = p.copyImage(o.slotImage(lastId));
        else slot = this.slotsOf(o)(lastId);
      }
      p.add(K_TRANSITION, (debug ? F_DEBUG : 0) | (venue ? F_CONFIRMED : 0), seq, k, t, slot, image, o.account, 0);
      if (venue) {
        confirmed = true;
        this.noteHeld(lastId, p.holds(image, slot));
      }
    }
    this.captureDiagnostics(o);
    if (tr.length === 0 && o.account.unrealized_pnl !== this.lastUnrealized) this.captureMarks(o);
    if ((confirmed || tr.length === 0) && o.account.version > this.accountVersion) {
      this.accountVersion = o.account.version;
      this.lastUnrealized = o.account.unrealized_pnl;
      if (!p.room(1, 0)) this.drainFull();
      p.add(K_ACCOUNT, 0, o.journalSeq, 0, null, null, -1, o.account, this.clock.nowMs());
    }
  }

  /** The whole confirmed image at start (after recovery): every slot, the account. */
  onImage(img: ImageInput): void {
    this.drain();
    for (const s of img.slots) this.noteHeld(s.slot_id, s.size > 0 && s.stage !== "IDLE" && s.stage !== "CLOSED");
    this.accountVersion = Math.max(this.accountVersion, img.account.version);
    this.lastUnrealized = img.account.unrealized_pnl;
    this.projector.image(img.slots, img.account, this.clock.nowMs());
  }

  /** The journal's restored slots, before recovery applies anything: the lifecycle memo only, no row (create.ts). */
  onRestored(slots: readonly SlotRecord[]): void {
    this.drain();
    for (const s of slots) this.projector.seed(s);
  }

  /** `outbox`'s sink lost its image: everything current is queued into it again. Returns the writes. */
  resync(outbox: Outbox): number {
    this.drain();
    return this.projector.resync(outbox);
  }

  onControl(c: ControlSnapshot): void {
    if (this.control !== null && c.version <= this.control.version) return;
    this.drain(); // facts captured before the change are projected under the old mirror switch
    this.control = c;
    this.projector.control(c);
  }

  /** Builds the rows of every captured fact, in capture order, then the refusal summaries due (`all`: all owed). */
  drain(all = false): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const p = this.pending;
    try {
      this.drainEntries(p, all);
    } finally {
      p.clear(); // an invariant failure while decoding must not replay the facts before it
    }
  }

  private drainEntries(p: PendingOutcomes, all: boolean): void {
    let decoded = -1;
    // Every outcome handed in whole is journaled up to seenSeq; one still being captured is capped.
    const maxSeq = Math.min(this.seenSeq, this.markCeiling);
    let s: SlotRecord | null = null;
    for (let e = 0; e < p.length; e++) {
      const kind = p.kind[e];
      const image = p.image[e]!;
      if (kind === K_TRANSITION) {
        if (image < 0) s = p.slot[e] as SlotRecord;
        else if (image !== decoded) {
          decoded = image;
          s = decodeSlot(p.arenaDv, p.arena, image * SLOT_BYTES);
        }
        const f = p.flags[e]!;
        this.projector.transition(
          p.seq[e]!,
          p.index[e]!,
          p.ref[e] as TransitionRecord,
          s!,
          p.account[e]!,
          (f & F_DEBUG) !== 0,
          (f & F_CONFIRMED) !== 0,
        );
      } else if (kind === K_DIAGNOSTIC) {
        const n = (p.flags[e]! & F_LAUNCHER) !== 0 ? p.index[e]! : -1;
        this.projector.diagnostic(p.seq[e]!, p.index[e]!, p.ref[e] as DiagnosticRecord, n);
      } else if (kind === K_MARK) {
        this.projector.mark(
          p.index[e]!,
          image < 0 ? (p.slot[e] as SlotMark) : decodeSlotMark(p.arenaDv, p.arena, image * SLOT_BYTES),
        );
      } else if (kind === K_ACCOUNT) {
        this.projector.account(p.account[e]!, p.nowMs[e]!);
      }
    }
    const summaries = this.refusals.expire(all, (seq, d) => this.projector.diagnostic(seq, 0, d, this.launcherCount++));
    if (p.length === 0 && summaries === 0 && maxSeq <= this.reportedSeq) return;
    this.reportedSeq = Math.max(this.reportedSeq, maxSeq);
    this.onDrained(maxSeq);
  }

  /** Journal seq of input `index` of outcome `o`. */
  private seqOf(o: OutcomeInput, index: number): number {
    return o.journalSeq + (o.inputOffsets === undefined ? index : o.inputOffsets[index]!);
  }

  private captureDiagnostics(o: OutcomeInput): void {
    const p = this.pending;
    const ds = o.diagnostics;
    let input = -1;
    let k = 0;
    let seq = o.journalSeq;
    for (let i = 0; i < ds.length; i++) {
      const d = ds[i]!;
      if (!p.room(2, 0)) this.drainFull(); // a refusal may end a window: its summary, then its own row
      // Refused inputs are not journaled: their diagnostics are numbered like the launcher's own.
      const refused = o.refused === true || o.inputOffsets?.[d.input_index] === -1;
      if (o.launcher === true || refused) {
        if (refused && coalescible(d) && !this.refusals.admit(d, o.journalSeq, this.addLauncher)) continue;
        this.addLauncher(o.journalSeq, d);
        continue;
      }
      if (d.input_index !== input) {
        input = d.input_index;
        seq = this.seqOf(o, input);
        k = 0;
      } else k++;
      p.add(K_DIAGNOSTIC, 0, seq, k, d, null, -1, null, 0);
    }
  }

  /** A mark changed unrealized PnL: capture the current state of every slot holding a confirmed position. */
  private captureMarks(o: OutcomeInput): void {
    const p = this.pending;
    const read = o.slotImage === undefined ? (o.marks ?? this.slotsOf(o)) : null;
    for (let id = 0; id < this.heldEnd; id++) {
      if (this.held[id] === 0) continue;
      if (!p.room(1, 1)) this.drainFull();
      if (read === null) p.add(K_MARK, 0, o.journalSeq, id, null, null, p.copyImage(o.slotImage!(id)), null, 0);
      else p.add(K_MARK, 0, o.journalSeq, id, null, read(id), -1, null, 0);
    }
  }

  private noteHeld(id: number, holds: boolean): void {
    if (id >= this.held.length)
      throw new Error(`Invariant: slot id ${id} beyond the projection's ${this.held.length} slots`);
    this.held[id] = holds ? 1 : 0;
    if (holds && id >= this.heldEnd) this.heldEnd = id + 1;
  }

  private slotsOf(o: OutcomeInput): (id: number) => SlotRecord {
    if (o.slots === undefined) throw new Error("Condition failed: OutcomeInput needs slotImage or slots");
    return o.slots;
  }

  /** The buffer is full: project what it holds now, on the caller's time (never drop). Returns -1 (images reset). */
  private drainFull(): number {
    this.drain();
    return -1;
  }

  private schedule(): void {
    if (this.pending.crowded && !this.soon) {
      this.soon = true;
      queueMicrotask(this.onMicrotask);
    } else if (!this.pending.crowded && this.timer === null) this.timer = setTimeout(this.onTimer, this.delayMs);
  }
}
