/**
 * Non-blocking waits on a real region's sequence. A caller whose `lastSeq` is already stale
 * resolves at once; otherwise it joins a pending set with its own timeout timer, and one lazily
 * started Worker (unref'd, so it never keeps the process alive) sleeps in `zinc_wait` in chunks
 * and reports each change. Every pending wait resolves on the first change or at its timeout.
 * Optional `spinTurns`: first busy-wait in libzinc for TURN_SPIN_US per event-loop turn
 * (setImmediate between turns, so the loop's other work waits at most that long) for that many
 * turns, bounded by the wait's timeout; it trades a busy core for latency (bench/zinc.ts). A bare
 * turn is short, so one sequence read per turn used its turns up quickly and a sporadic intent
 * often met the loop asleep; the slice keeps it spinning (bench/ring_floor.ts: a read per turn
 * and a slice see a push equally fast while they spin). `spinUs`: an adaptive busy-wait on this
 * thread before arming the worker (see WAIT_SPIN_US_DEFAULT), in slices of 10 µs with an event-loop turn between them, so
 * it never holds up this thread's other work (a venue order's send) for more than a slice, and
 * producers find no sleeper to wake while it spins.
 * Invariant: at most one request is in flight to the worker.
 * A region whose sequence cannot be read (libzinc answers a negative code: the file was truncated
 * under the mapping, or the sequence word is >= 2^63) shows no change: its waits sleep to their
 * timeout on their timer alone and answer the unchanged `lastSeq`, with no spin and no Worker
 * (whose `zinc_wait` would return at once, again and again). The region's periodic check reports
 * the file (`zinc_check` names both).
 */

import type { ZincLib } from "./_lib.ts";
import { invariant } from "./types.ts";

const CHUNK_MS = 1000;
const TIMEOUT_MS_MAX = 3_600_000;
const SPIN_US_MAX = 10_000; // ZINC_SPIN_US_MAX in ffi/zinc.h
/** Two spins in a row that miss mean traffic went cold; a cold waiter still probes every 4th wait. */
const MISSES_COLD = 2;
const PROBE_EVERY = 4;
/** The spin runs in slices this long, with an event-loop turn between them. */
const SPIN_SLICE_US = 10;
/** A `spinTurns` wait's busy-wait per event-loop turn, in microseconds. */
const TURN_SPIN_US = 20;
/**
 * Default busy-wait before the futex path, in microseconds (bench/zinc_kernel.ts; ffi/README.md
 * §11). The spin is adaptive: it runs while traffic is hot (a recent spin caught a change, or a
 * change was already waiting) and stops after two spins in a row miss, probing every 4th wait
 * after that, so sporadic intents mostly pay no spin and back-to-back intents avoid four thread
 * wake-ups.
 */
export const WAIT_SPIN_US_DEFAULT = 100;

interface Pending {
  lastSeq: number;
  resolve: (seq: number) => void;
  timer: ReturnType<typeof setTimeout>;
}

function checkTimeout(timeoutMs: number): void {
  invariant(
    Number.isInteger(timeoutMs) && timeoutMs >= 0 && timeoutMs <= TIMEOUT_MS_MAX,
    `wait timeoutMs out of range: ${timeoutMs}`,
  );
}

export class FutexWaiter {
  private worker: Worker | null = null;
  private armed = false;
  private closed = false;
  private readonly pending = new Set<Pending>();
  /** Consecutive spins that missed; traffic counts as hot below MISSES_COLD (WAIT_SPIN_US_DEFAULT). */
  private misses = 0;
  /** Waits since traffic went cold; every PROBE_EVERY-th one spins anyway to notice a new burst. */
  private coldWaits = 0;

  constructor(
    private readonly lib: ZincLib,
    private readonly libPath: string,
    private readonly id: number,
    private readonly spinTurns = 0,
    private readonly spinUs = WAIT_SPIN_US_DEFAULT,
  ) {
    invariant(
      Number.isInteger(spinTurns) && spinTurns >= 0 && spinTurns <= 100_000,
      `spinTurns out of range: ${spinTurns}`,
    );
    invariant(Number.isInteger(spinUs) && spinUs >= 0 && spinUs <= SPIN_US_MAX, `spinUs out of range: ${spinUs}`);
  }

  /** The region's sequence, or a negative libzinc code when it cannot be read. */
  current(): number {
    return Number(this.lib.zinc_seq(this.id));
  }

  async wait(lastSeq: number, timeoutMs: number): Promise<number> {
    if (this.spinTurns === 0) return this.sleep(lastSeq, timeoutMs);
    checkTimeout(timeoutMs);
    // Each turn spins a whole slice when nothing changes, so the timeout bounds the turns: no clock.
    const timeoutTurns = Math.ceil((timeoutMs * 1000) / TURN_SPIN_US);
    const turns = Math.min(this.spinTurns, timeoutTurns);
    for (let turn = 0; turn < turns && !this.closed; turn++) {
      const now = Number(this.lib.zinc_spin_wait(this.id, lastSeq, TURN_SPIN_US));
      if (now < 0) return this.sleep(lastSeq, timeoutMs); // unreadable: no spin, the timer alone
      if (now !== lastSeq) return now;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (turns === timeoutTurns) return seen(this.current(), lastSeq); // the spin took the whole timeout
    return this.sleep(lastSeq, Math.max(0, timeoutMs - Math.floor((turns * TURN_SPIN_US) / 1000)));
  }

  private sleep(lastSeq: number, timeoutMs: number): Promise<number> {
    checkTimeout(timeoutMs);
    const raw = this.current();
    const readable = raw >= 0;
    const now = seen(raw, lastSeq);
    if (now !== lastSeq) this.misses = 0; // a change was already waiting: traffic is hot
    if (now !== lastSeq || timeoutMs === 0 || this.closed) return Promise.resolve(now);
    const spin = readable && this.spinUs > 0 && (this.misses < MISSES_COLD || ++this.coldWaits % PROBE_EVERY === 0);
    let pending: Pending | null = null;
    const promise = new Promise<number>((resolve) => {
      const p: Pending = { lastSeq, resolve, timer: setTimeout(() => this.settle(p), timeoutMs) };
      pending = p;
      this.pending.add(p);
      if (!spin && readable) this.arm(now);
    });
    // Hot traffic: this thread busy-waits first and arms the Worker only when the spin misses. While
    // it spins nobody sleeps on the futex word, so a producer's publish makes no FUTEX_WAKE syscall
    // and no thread wakes; a change that comes after the spin finds the Worker armed (zinc_wait
    // returns at once when the sequence already moved), so a miss costs no extra latency.
    if (spin) void this.spinInSlices(pending!, lastSeq);
    return promise;
  }

  /**
   * The busy-wait in slices of SPIN_SLICE_US with an event-loop turn between them, so work this
   * thread has queued meanwhile (a venue order's signing and its socket write, timers, I/O) runs
   * within a slice instead of after the whole spin.
   */
  private async spinInSlices(p: Pending, lastSeq: number): Promise<void> {
    for (let left = this.spinUs; left > 0; left -= SPIN_SLICE_US) {
      if (!this.pending.has(p)) return; // the Worker or the timeout settled it meanwhile
      const got = Number(this.lib.zinc_spin_wait(this.id, lastSeq, Math.min(SPIN_SLICE_US, left)));
      if (got < 0) return; // unreadable: the wait's timer ends it
      if (got !== lastSeq) {
        this.misses = 0;
        this.settle(p);
        return;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.misses++;
    const now = this.current();
    if (!this.pending.has(p) || now < 0) return;
    if (now !== lastSeq) this.settle(p);
    else this.arm(lastSeq);
  }

  /**
   * A producer rang the doorbell (`_doorbell.ts`): settles every wait the sequence has moved past,
   * now, without waiting for the Worker's message (which still comes, and finds nothing to do).
   */
  kick(): void {
    if (!this.closed) this.settleMoved();
  }

  /** Resolves every pending wait (with the current sequence) and stops the worker. */
  close(): void {
    this.closed = true;
    for (const p of [...this.pending]) this.settle(p);
    this.worker?.terminate();
    this.worker = null;
  }

  private settle(p: Pending): void {
    if (!this.pending.delete(p)) return;
    clearTimeout(p.timer);
    p.resolve(this.closed ? -1 : seen(this.current(), p.lastSeq));
  }

  private arm(seq: number): void {
    if (this.armed || this.closed) return;
    if (this.worker === null) {
      this.worker = new Worker(new URL("./_wait_worker.ts", import.meta.url).href);
      this.worker.unref();
      this.worker.onmessage = () => this.onChange();
    }
    this.armed = true;
    this.worker.postMessage({ libPath: this.libPath, id: this.id, lastSeq: seq, chunkMs: CHUNK_MS });
  }

  private onChange(): void {
    this.armed = false;
    if (this.closed) return;
    const now = this.settleMoved();
    if (this.pending.size > 0 && now >= 0) this.arm(now); // unreadable: the timers end the waits
  }

  /** Settles every wait the sequence has moved past; returns the sequence (negative: unreadable). */
  private settleMoved(): number {
    const now = this.current();
    if (now < 0) return now;
    for (const p of [...this.pending]) if (p.lastSeq !== now) this.settle(p);
    return now;
  }
}

/** What a wait that last saw `lastSeq` sees: an unreadable sequence (negative) is no change. */
function seen(raw: number, lastSeq: number): number {
  return raw < 0 ? lastSeq : raw;
}
