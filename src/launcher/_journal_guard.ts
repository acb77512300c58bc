/**
 * The runtime's hold on the journal's writes when the disk refuses them (ENOSPC, EIO). The segment
 * journal keeps what it could not write and writes it at the next flush (src/kernel/segment_writer.ts);
 * this guard turns a refused flush into what an operator and the executor must know, instead of
 * an exception thrown out of a kernel call's bookkeeping:
 *  - the first refusal of a streak logs one line and halts trading (every later flush retries);
 *  - while entries wait unwritten, `durable` is false: the executor sends no entry order, since an
 *    entry whose intent is not in the journal would come back after a crash as a position nobody
 *    asked for (exits and cancels still go: they only reduce what the venue holds, and a restart
 *    reconciles them);
 *  - `failing` names the refusal while it lasts (`/health` is 503 with it); the flush that writes
 *    everything again logs once;
 *  - `close` at shutdown logs what could not be written.
 *
 * Entry point: `new JournalGuard(journal, hooks)`, `flush()`, `durable`, `failing`, `close()`.
 */

import { JournalWriteError, type SegmentJournal } from "../kernel/index.ts";

export interface JournalGuardHooks {
  log(line: string): void;
  /** Halts trading (the first refusal of a streak). */
  halt(): void;
}

export class JournalGuard {
  /** Why the journal's writes are refused, while they are; null when it writes. */
  failing: string | null = null;
  /** Flushes refused since the last one that wrote. */
  private refusals = 0;

  constructor(
    private readonly journal: SegmentJournal | null,
    private readonly hooks: JournalGuardHooks,
  ) {}

  /** Every input the kernel accepted so far is in the journal's file (orders may leave). */
  get durable(): boolean {
    return this.journal === null || !this.journal.behind;
  }

  /** Flushes the journal; false when the disk refused (reported once per streak). Never throws for a refusal. */
  flush(): boolean {
    if (this.journal === null) return true;
    try {
      this.journal.flush();
    } catch (e) {
      if (!(e instanceof JournalWriteError)) throw e;
      this.refused(e.message);
      return false;
    }
    if (this.failing !== null && this.durable) {
      this.hooks.log(
        `journal: writes again after ${this.refusals} refused flush(es); trading stays HALTED until the operator sets ACTIVE`,
      );
      this.failing = null;
      this.refusals = 0;
    }
    return true;
  }

  /** At shutdown: the last flush, fsynced; what the disk still refuses is logged, not thrown. */
  close(): void {
    try {
      this.journal?.close();
    } catch (e) {
      this.hooks.log(
        `journal: closed with inputs unwritten (${(e as Error).message.split("\n")[0]}); the restart reconciles with the venue`,
      );
    }
  }

  private refused(why: string): void {
    this.refusals++;
    if (this.failing !== null) return;
    this.failing = why;
    this.hooks.log(
      `journal: ${why}: inputs are kept in memory and written at the next flush that works; no entry order is sent meanwhile; trading HALTED`,
    );
    this.hooks.halt();
  }
}
