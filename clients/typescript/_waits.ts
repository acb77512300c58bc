/**
 * Waits that never block the event loop: a bounded busy-wait on the calling thread first (a change
 * that comes within `spinUs` costs no thread wake-up), then a Worker sleeping in libzinc's futex
 * wait. One Worker per `Waiter`, started lazily and unref'd (it never keeps the process alive).
 *
 * Concurrent waits never queue behind each other: the Worker runs at most one futex wait at a
 * time, and every caller waiting for the same value (same op, region, lane and `last`) shares it;
 * each caller races that shared wait against its own timer of `chunkMs`, so a wait returns by its
 * own chunk whatever the others wait for, and every sharer wakes when the value moves. A caller
 * waiting for another value than the one in flight waits (within its chunk) for that one to
 * answer, then starts or joins its own.
 *
 * Entry points: `Waiter`, `checkTimeout`, `submitTimeout`.
 */

import type { ZincLib } from "./_zinc.ts";

interface Request {
  op: "lane" | "seq";
  id: number;
  lane: number;
  last: number;
  chunkMs: number;
}

/** The futex wait the Worker is running: what it waits for and its answer (the new value, or -1 at close). */
interface InFlight {
  key: string;
  value: Promise<number>;
}

/**
 * A wait's timeout in ms, refused with a RangeError naming it when it is not a number or NaN (a
 * wait with no deadline); Infinity waits until the value comes, 0 or less polls once.
 */
export function checkTimeout(timeoutMs: number): number {
  if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs))
    throw new RangeError(`timeout must be a number of ms, got ${String(timeoutMs)}`);
  return timeoutMs;
}

/**
 * `submit`'s options' timeout in ms (default 1000), judged as `checkTimeout`; options that are not an
 * object (a bare number: Python's positional `timeout`) are a RangeError, never a timeout ignored.
 */
export function submitTimeout(options: { timeoutMs?: number }): number {
  if (typeof options !== "object" || options === null)
    throw new RangeError(`submit's options must be { timeoutMs }, got ${String(options)}`);
  return checkTimeout(options.timeoutMs ?? 1000);
}

const keyOf = (r: Request): string => `${r.op}:${r.id}:${r.lane}:${r.last}`;

export class Waiter {
  private worker: Worker | null = null;
  private inFlight: InFlight | null = null;
  private settle: ((value: number) => void) | null = null;
  private closed = false;

  constructor(
    private readonly lib: ZincLib,
    private readonly libPath: string,
  ) {}

  /** Spins up to `spinUs` on an outcome lane's head; returns the head (unchanged = nothing came). */
  spinLane(id: number, lane: number, last: number, spinUs: number): number {
    return Number(this.lib.zinc_outcome_wait(id, lane, last, spinUs, 0));
  }

  /** Sleeps until the lane's head moves or `chunkMs` passes; resolves the head (`last`: nothing came). */
  lane(id: number, lane: number, last: number, chunkMs: number): Promise<number> {
    return this.wait({ op: "lane", id, lane, last, chunkMs });
  }

  /** Sleeps until the region's sequence differs from `last` or `chunkMs` passes; resolves it. */
  seq(id: number, last: number, chunkMs: number): Promise<number> {
    return this.wait({ op: "seq", id, lane: 0, last, chunkMs });
  }

  /** The shared wait's answer when it waited for this request's value; `last` once `chunkMs` passed; -1 after close. */
  private async wait(req: Request): Promise<number> {
    const key = keyOf(req);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.max(0, req.chunkMs));
    });
    try {
      for (;;) {
        if (this.closed) return -1;
        const shared = this.inFlight ?? this.start(key, req);
        const value = await Promise.race([shared.value, expired]);
        if (value === null) return req.last;
        if (shared.key === key || value < 0) return value;
        // another value's wait answered: start or join this one's for what is left of the chunk
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private start(key: string, req: Request): InFlight {
    if (this.worker === null) {
      this.worker = new Worker(new URL("./_wait_worker.ts", import.meta.url).href);
      this.worker.unref();
    }
    const w = this.worker;
    const answer = new Promise<number>((resolve) => {
      this.settle = resolve;
      w.onmessage = (e: MessageEvent<{ value: number }>) => resolve(e.data.value);
      w.postMessage({ ...req, libPath: this.libPath, chunkMs: Math.max(1, Math.min(req.chunkMs, 1000)) });
    });
    const entry: InFlight = {
      key,
      // cleared before any sharer sees the answer, so the next wait starts a fresh one
      value: answer.then((v) => {
        if (this.inFlight === entry) {
          this.inFlight = null;
          this.settle = null;
        }
        return v;
      }),
    };
    this.inFlight = entry;
    return entry;
  }

  /** Stops the Worker; every wait in flight resolves at once (-1), so no caller is left hanging. */
  close(): void {
    this.closed = true;
    this.settle?.(-1);
    this.worker?.terminate();
    this.worker = null;
  }
}
