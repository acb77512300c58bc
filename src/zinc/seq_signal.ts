/**
 * In-process stand-in for the futex signal: a sequence that `bump()` advances and waiters that
 * resolve on the first change or at their timeout, exactly like `FutexWaiter`.
 */

import { invariant } from "./types.ts";

interface Pending {
  lastSeq: number;
  resolve: (seq: number) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class SeqSignal {
  private seqValue = 0;
  private readonly pending = new Set<Pending>();

  current(): number {
    return this.seqValue;
  }

  bump(): void {
    this.seqValue += 1;
    for (const p of [...this.pending]) this.settle(p);
  }

  wait(lastSeq: number, timeoutMs: number): Promise<number> {
    invariant(
      Number.isInteger(timeoutMs) && timeoutMs >= 0 && timeoutMs <= 3_600_000,
      `wait timeoutMs out of range: ${timeoutMs}`,
    );
    if (this.seqValue !== lastSeq || timeoutMs === 0) return Promise.resolve(this.seqValue);
    return new Promise<number>((resolve) => {
      const p: Pending = { lastSeq, resolve, timer: setTimeout(() => this.settle(p), timeoutMs) };
      this.pending.add(p);
    });
  }

  close(): void {
    for (const p of [...this.pending]) this.settle(p);
  }

  private settle(p: Pending): void {
    if (!this.pending.delete(p)) return;
    clearTimeout(p.timer);
    p.resolve(this.seqValue);
  }
}
