/**
 * Delivers the mock venue's events to listeners the way a venue stream does: asynchronously
 * (setTimeout, after `latency_ms`), one batch per venue action, in a deterministic order. With
 * `reordered_delivery` the batch is shuffled by the seeded Rng (never left in venue order when it
 * has two or more events); with `duplicate_delivery` the batch is delivered twice. Timers with the
 * same delay fire in the order they were set, so delivery order depends only on the seed and the
 * calls made.
 *
 * With `stream_drop` the events after its mark are lost, never delivered.
 *
 * Bound: at most `PENDING_MAX` batches in flight; beyond that the oldest is delivered at once.
 */

import type { Rng } from "../../contracts/rng.ts";
import type { VenueEvent, VenueEventListener } from "../../contracts/venue.ts";
import type { KnobCell } from "./_refusals.ts";

const PENDING_MAX = 10_000;

export class Delivery {
  private readonly listeners = new Set<VenueEventListener>();
  private readonly pending = new Map<ReturnType<typeof setTimeout>, VenueEvent[]>();

  constructor(
    private readonly rng: Rng,
    private readonly knobs: KnobCell,
  ) {}

  subscribe(listener: VenueEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(events: VenueEvent[]): void {
    if (events.length === 0) return;
    const k = this.knobs.get();
    let batch = this.survivors(events);
    if (batch.length === 0) return;
    if (k.reordered_delivery && batch.length > 1) batch = shuffled(batch, this.rng);
    if (k.duplicate_delivery) batch = [...batch, ...batch];
    if (this.pending.size >= PENDING_MAX) this.flushOldest();
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.emit(batch);
    }, k.latency_ms ?? 0);
    this.pending.set(timer, batch);
  }

  /**
   * `stream_drop`: the first `after` events still go out, the rest of the batch that crosses the
   * mark is lost (the knob then switches off), as when a stream drops mid-fill.
   */
  private survivors(events: VenueEvent[]): VenueEvent[] {
    const k = this.knobs.get();
    if (!k.stream_drop) return [...events];
    const after = k.stream_drop.after;
    if (after >= events.length) {
      this.knobs.set({ ...k, stream_drop: { after: after - events.length } });
      return [...events];
    }
    const rest = { ...k };
    delete rest.stream_drop;
    this.knobs.set(rest);
    return events.slice(0, after);
  }

  /** Drops everything not yet delivered (used by close()). */
  cancelAll(): void {
    for (const timer of this.pending.keys()) clearTimeout(timer);
    this.pending.clear();
  }

  private flushOldest(): void {
    const first = this.pending.entries().next();
    if (first.done) return;
    const [timer, batch] = first.value;
    clearTimeout(timer);
    this.pending.delete(timer);
    this.emit(batch);
  }

  private emit(batch: VenueEvent[]): void {
    for (const event of batch) {
      for (const listener of [...this.listeners]) {
        try {
          listener({ ...event });
        } catch (err) {
          // A faulty listener must not stop delivery to the others; surface it asynchronously.
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    }
  }
}

/** Fisher–Yates with the seeded Rng; a result equal to the input is reversed instead. */
function shuffled<T>(items: T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  if (out.every((x, i) => x === items[i])) out.reverse();
  return out;
}
