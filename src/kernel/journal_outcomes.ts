/**
 * Journal replay one entry at a time, handing each entry's kernel outcome to a visitor: what the
 * projection needs to rebuild the rows a kernel lifetime projected (`dita-v2 replay --project`, the
 * launcher's catch-up after a SIGKILL). `replayJournal` (journal.ts) is the fast path for the state
 * hash; this one is slower (one kernel call per entry) and gives the same state.
 *
 * Each entry's outcome is the one the live process got for the same input: a wire input through
 * `apply`, a raw ring record through `applyRecords` of that one record (its outcome's input_index is
 * 0; the live batch's input k was journaled as its own entry), a slot restore through `restoreSlot`.
 * The entry's journal seq is its line's `seq` (checked: line n holds seq n-1).
 *
 * Entry point: `replayOutcomes(path, open)`: `open(header)` returns the visitor of every entry.
 */

import { parseJournalInput } from "../contracts/intent_parse.ts";
import type { KernelOutcome } from "../contracts/records.ts";
import { INPUT_SIZE } from "./encoder.ts";
import { ExecutionKernel } from "./execution_kernel.ts";
import { InputRecords, isStrategyKind, recordKind } from "./input_records.ts";
import { JournalError, type JournalHeader, journalLines, parseEntry, restoreEntry } from "./journal.ts";

export type JournalStepKind = "input" | "record" | "restore";

export interface JournalStep {
  /** The entry's journal seq (unique within its run). */
  seq: number;
  kind: JournalStepKind;
  outcome: KernelOutcome;
  /** A segment entry's 320-byte record as applied (valid during the visit only). */
  record?: Uint8Array;
  /** A segment slot restore's image and time. */
  restore?: { image: Uint8Array; nowMs: number };
}

export interface OutcomeReplay {
  header: JournalHeader;
  entries: number;
  torn_tail: boolean;
  state_hash: string;
}

export type JournalVisitor = (step: JournalStep, kernel: ExecutionKernel) => void;

/** Applies every entry of the journal at `path` to a fresh kernel, calling the visitor after each. */
export function replayOutcomes(path: string, open: (header: JournalHeader) => JournalVisitor): OutcomeReplay {
  const { header, lines, tornTail } = journalLines(path);
  const visit = open(header);
  const kernel = ExecutionKernel.open({
    slotCount: header.slot_count,
    activeSlotLimit: header.active_slot_limit,
    hungOrderMs: header.hung_order_ms,
  });
  let i = 0;
  try {
    for (const { line, no } of lines) {
      i++;
      const entry = parseEntry(line, path, no);
      const seq = (entry as { seq?: unknown }).seq;
      if (seq !== i) throw new JournalError(`${path}:${no}: entry seq ${JSON.stringify(seq)}, expected ${i}`);
      visit(step(kernel, entry, i, path), kernel);
    }
    return { header, entries: i, torn_tail: tornTail(), state_hash: kernel.stateHashHex() };
  } finally {
    kernel.destroy();
  }
}

function step(kernel: ExecutionKernel, entry: ReturnType<typeof parseEntry>, seq: number, path: string): JournalStep {
  const where = `${path}:${seq + 1}`;
  if (entry.record_b64 !== undefined) {
    const bytes = new Uint8Array(Buffer.from(entry.record_b64, "base64"));
    if (bytes.byteLength !== INPUT_SIZE) throw new JournalError(`${where}: raw record is not ${INPUT_SIZE} bytes`);
    if (!isStrategyKind(recordKind(bytes)))
      throw new JournalError(`${where}: raw record of kind ${recordKind(bytes)} is not a strategy input`);
    let outcome: KernelOutcome | null = null;
    kernel.applyRecords(InputRecords.fromStrategy(bytes, 1), {
      outcome: (o) => {
        const { accepted_flags: _flags, ...rest } = o;
        outcome = rest;
      },
      refused: () => {},
    });
    if (outcome === null) throw new Error(`Invariant: ${where}: a raw record gave no outcome`);
    return { seq, kind: "record", outcome };
  }
  if (entry.input?.type === "RESTORE_SLOT") {
    const r = restoreEntry(entry, where);
    return { seq, kind: "restore", outcome: kernel.restoreSlot(r.image, r.nowMs) };
  }
  const parsed = parseJournalInput(entry.input);
  if (!parsed.ok) throw new JournalError(`${where}: ${parsed.refusal.message}`);
  return { seq, kind: "input", outcome: kernel.apply(parsed.value) };
}
