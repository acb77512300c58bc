/**
 * Waits that never block the event loop: a bounded busy-wait on the calling thread first (a change
 * that comes within `spinUs` costs no thread wake-up), then a Worker sleeping in libzinc's futex
 * wait, in chunks, so the caller can check the kernel's liveness between chunks. One Worker per
 * `Waiter`, started lazily and unref'd (it never keeps the process alive).
 *
 * Entry point: `Waiter`.
 */

import type { ZincLib } from "./_zinc.ts";

export class Waiter {
  private worker: Worker | null = null;
  private busy: Promise<number> | null = null;
  private settle: ((value: number) => void) | null = null;

  constructor(
    private readonly lib: ZincLib,
    private readonly libPath: string,
  ) {}

  /** Spins up to `spinUs` on an outcome lane's head; returns the head (unchanged = nothing came). */
  spinLane(id: number, lane: number, last: number, spinUs: number): number {
    return Number(this.lib.zinc_outcome_wait(id, lane, last, spinUs, 0));
  }

  /** Sleeps (on the Worker) until the lane's head moves or `chunkMs` passes; resolves the head. */
  lane(id: number, lane: number, last: number, chunkMs: number): Promise<number> {
    return this.post({ op: "lane", id, lane, last, chunkMs });
  }

  /** Sleeps until the region's sequence differs from `last` or `chunkMs` passes; resolves it. */
  seq(id: number, last: number, chunkMs: number): Promise<number> {
    return this.post({ op: "seq", id, lane: 0, last, chunkMs });
  }

  private async post(req: { op: "lane" | "seq"; id: number; lane: number; last: number; chunkMs: number }) {
    while (this.busy !== null) await this.busy.catch(() => 0);
    if (this.worker === null) {
      this.worker = new Worker(new URL("./_wait_worker.ts", import.meta.url).href);
      this.worker.unref();
    }
    const w = this.worker;
    this.busy = new Promise<number>((resolve) => {
      this.settle = resolve;
      w.onmessage = (e: MessageEvent<{ value: number }>) => resolve(e.data.value);
      w.postMessage({ ...req, libPath: this.libPath, chunkMs: Math.max(1, Math.min(req.chunkMs, 1000)) });
    });
    try {
      return await this.busy;
    } finally {
      this.busy = null;
      this.settle = null;
    }
  }

  /** Stops the Worker; a wait in flight resolves at once (-1), so no caller is left hanging. */
  close(): void {
    this.settle?.(-1);
    this.worker?.terminate();
    this.worker = null;
  }
}
