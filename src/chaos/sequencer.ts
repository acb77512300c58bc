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
 * Entry points: `new EventSequencer()`, `record(input)`, `venueEvents()`, `replay(options)`.
 */

import type { VenueEvent } from "../contracts/venue.ts";
import { ExecutionKernel, type KernelOptions } from "../kernel/index.ts";

export const INPUTS_MAX = 200_000;

export interface ReplayResult {
  inputs: number;
  state_hash: string;
}

export class EventSequencer {
  private readonly inputs: unknown[] = [];
  overflowed = false;

  /** Called with every input handed to the kernel (wire it to `ExecutionKernel.onInput`). */
  record(input: unknown): void {
    if (this.inputs.length >= INPUTS_MAX) {
      this.overflowed = true;
      return;
    }
    this.inputs.push(JSON.parse(JSON.stringify(input)) as unknown);
  }

  get length(): number {
    return this.inputs.length;
  }

  all(): readonly unknown[] {
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
      for (const input of this.inputs) k.apply(input);
      return { inputs: this.inputs.length, state_hash: k.stateHashHex() };
    } finally {
      k.destroy();
    }
  }
}
