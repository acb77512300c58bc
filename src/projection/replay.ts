/**
 * JournalProjector: rebuilds the records (table rows, topic events) a past kernel lifetime
 * projected, from the outcomes of its journal replayed entry by entry (kernel/journal_outcomes.ts),
 * into the live projection's outboxes. Used by `dita-v2 replay --project` and by the launcher's
 * catch-up after a SIGKILL (rows of the inputs after the projected mark).
 *
 * Invariants:
 *  1. The ids are the live run's: the header's `run`, each entry's journal seq, each transition's
 *     and diagnostic's ordinal within its input (ProjectionCore's rule), the lifecycle rules with a
 *     memo rebuilt from the start of the journal (restores seed it, as the start image seeded the
 *     live memo; a replay that starts from a journal snapshot seeds it with the snapshot's slots,
 *     `seed`). So replaying a journal whose rows are stored adds no row; sinks store each id once.
 *  2. Maps are never written (they hold the live run's state); entries up to `afterSeq` only rebuild
 *     the memo (`quiet`), so a catch-up re-sends just the inputs whose rows may be missing.
 *  3. Transitions are rebuilt when `debug` is set (the DEBUG journal), as the live run did while it
 *     ran in DEBUG; a mode switch during the run is not in the journal.
 *  4. Diagnostics the launcher issued itself (edge refusals, orphans) were never journaled: no replay
 *     rebuilds them.
 *
 * Entry point: `new JournalProjector({...})`, `.seed(slots)`, `.step(step, slot, account)`, `.finish()`.
 */
import type { Clock } from "../contracts/clock.ts";
import type { AccountRecord, KernelOutcome, SlotRecord } from "../contracts/records.ts";
import { Projector } from "./_projector.ts";
import { namespaceNames } from "./names.ts";
import type { Outbox } from "./outbox.ts";
import { VENUE_FACTS } from "./types.ts";

/** One journal entry's outcome (`JournalStep` of kernel/journal_outcomes.ts). */
export interface ReplayStep {
  seq: number;
  kind: "input" | "record" | "restore";
  outcome: KernelOutcome;
}

export interface JournalProjectorOptions {
  strategy: string;
  run: string;
  clock: Clock;
  outboxes: readonly Outbox[];
  debug: boolean;
  /** Entries with seq ≤ afterSeq only rebuild the memo (their rows are already projected). */
  afterSeq: number;
}

/** Spool what was rebuilt every this many entries (bounds memory on long journals). */
const SPILL_EVERY = 1024;

export class JournalProjector {
  private readonly projector: Projector;
  private steps = 0;
  /** Entries whose rows were rebuilt (seq > afterSeq). */
  projected = 0;

  constructor(private readonly o: JournalProjectorOptions) {
    this.projector = new Projector(o.strategy, o.run, namespaceNames(o.strategy), o.clock, o.outboxes, 0, false);
  }

  /** The state the replay starts from (a journal snapshot): its slots seed the memo, as restores do. */
  seed(slots: readonly SlotRecord[]): void {
    for (const s of slots) this.projector.seed(s);
  }

  /** One entry: `slot(id)` is a slot's state after the entry, `account` the account after it. */
  step(step: ReplayStep, slot: (id: number) => SlotRecord, account: AccountRecord): void {
    const p = this.projector;
    const out = step.outcome;
    p.quiet = step.seq <= this.o.afterSeq;
    if (!p.quiet) this.projected++;
    if (step.kind === "restore") {
      for (const t of out.transitions) p.seed(slot(t.slot_id));
    } else {
      const seen = new Map<number, SlotRecord>();
      const slotOf = (id: number) => seen.get(id) ?? seen.set(id, slot(id)).get(id)!;
      for (let k = 0; k < out.transitions.length; k++) {
        const t = out.transitions[k]!;
        const venue = VENUE_FACTS.has(t.trigger);
        if (venue || this.o.debug) p.transition(step.seq, k, t, slotOf(t.slot_id), account, this.o.debug, venue);
      }
      for (let k = 0; k < out.diagnostics.length; k++) p.diagnostic(step.seq, k, out.diagnostics[k]!);
    }
    if (++this.steps % SPILL_EVERY === 0) this.spill();
  }

  /** Appends everything rebuilt so far to the spools (call once the journal is done). */
  finish(): void {
    this.spill();
  }

  private spill(): void {
    for (const o of this.o.outboxes) o.spill();
  }
}
