/**
 * The executor's venue calls in flight: each tracked until it settles (one that ends in an error,
 * e.g. a continuation after the kernel was destroyed at shutdown, is one log line, never a
 * rejection), and shutdown's bounded wait for them.
 *
 * Entry point: `new InflightCalls(log)`, `track(p)`, `size`, `drain(timeoutMs)`.
 */

export class InflightCalls {
  private readonly calls = new Set<Promise<unknown>>();

  constructor(private readonly log: (line: string) => void) {}

  get size(): number {
    return this.calls.size;
  }

  track(p: Promise<unknown>): void {
    this.calls.add(p);
    p.catch((e: unknown) => this.log(`venue call ended in error: ${String(e)}`)).finally(() => this.calls.delete(p));
  }

  /** Waits for the calls in flight, at most `timeoutMs`. Returns how many were still running. */
  async drain(timeoutMs: number): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.calls]), timeout]);
    clearTimeout(timer);
    return this.calls.size;
  }
}
