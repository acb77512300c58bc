/**
 * EventSequencer: records, in order, every input the kernel was handed (intents stamped by the
 * executor, the normalized venue events as the kernel received them, ticks, capital seeding) and
 * replays that exact sequence against a fresh kernel. The kernel is deterministic, so the replay
 * must reach the same state hash; a difference means some state changed outside the recorded
 * inputs (or the kernel is not deterministic).
 *
 * Inputs are deep-copied through JSON when recorded (what a journal line would hold), so later
 * mutation by a caller cannot change the record. Bound: `INPUTS_MAX` inputs; beyond it recording
 * stops and `overflowed` is set (a replay would then be meaningless and says so).
 *
 * It is the kernel's journal step (`InputJournal`), injected when the kernel is opened.
 * Entry points: `new EventSequencer()`, `venueEvents()`, `replay(options)`.
 */

import type { KernelInput } from "../contracts/intents.ts";
import type { VenueEvent } from "../contracts/venue.ts";
import { ExecutionKernel, type InputJournal, InputRecords, type KernelOptions } from "../kernel/index.ts";

export const INPUTS_MAX = 200_000;

export interface ReplayResult {
  inputs: number;
  state_hash: string;
}

type Entry =
  | { kind: "input"; input: KernelInput }
  | { kind: "records"; bytes: Uint8Array; count: number }
  | { kind: "restore"; image: Uint8Array; now_ms: number };

export class EventSequencer implements InputJournal {
  private readonly entries: Entry[] = [];
  private readonly inputs: KernelInput[] = [];
  overflowed = false;

  /** Every input, refused ones too: the sequencer keeps the whole delivery order the kernel saw. */
  input(input: KernelInput, _accepted: boolean): void {
    const copy = JSON.parse(JSON.stringify(input)) as KernelInput;
    if (this.add({ kind: "input", input: copy })) this.inputs.push(copy);
  }

  records(records: Uint8Array, accepted: Uint8Array): void {
    const count = accepted.length;
    this.add({ kind: "records", bytes: records.slice(0, count * InputRecords.BYTES), count });
  }

  restore(image: Uint8Array, nowMs: number, _accepted: boolean): void {
    this.add({ kind: "restore", image: image.slice(), now_ms: nowMs });
  }

  private add(e: Entry): boolean {
    if (this.entries.length >= INPUTS_MAX) {
      this.overflowed = true;
      return false;
    }
    this.entries.push(e);
    return true;
  }

  get length(): number {
    return this.entries.length;
  }

  /** The typed inputs recorded (raw records and restores left out). */
  all(): readonly KernelInput[] {
    return this.inputs;
  }

  /** The normalized venue events, in the order the kernel received them. */
  venueEvents(): VenueEvent[] {
    const out: VenueEvent[] = [];
    for (const i of this.inputs) {
      const x = i as { type?: string; event?: VenueEvent };
      if (x.type === "VENUE_EVENT" && x.event) out.push(x.event);
    }
    return out;
  }

  /** Applies the recorded inputs, in order, to a fresh kernel and returns its state hash. */
  replay(options: Pick<KernelOptions, "slotCount" | "activeSlotLimit" | "hungOrderMs">): ReplayResult {
    if (this.overflowed)
      throw new Error(
        `Condition failed: the sequencer overflowed at ${INPUTS_MAX} inputs; the replay would be partial`,
      );
    const k = ExecutionKernel.open(options);
    try {
      for (const e of this.entries) {
        if (e.kind === "input") k.apply(e.input);
        else if (e.kind === "records") k.applyRecords(InputRecords.fromStrategy(e.bytes, e.count));
        else k.restoreSlot(e.image, e.now_ms);
      }
      return { inputs: this.entries.length, state_hash: k.stateHashHex() };
    } finally {
      k.destroy();
    }
  }
}
