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
 * Closed (before connect(), after close()), like a user stream that is down, it delivers nothing:
 * the batches in flight and those made meanwhile are held and go out, in order, at `open()`.
 *
 * `answerDelay`: the same `latency_ms` before the adapter answers a call (submit, cancel).
 *
 * Bound: at most `PENDING_MAX` batches in flight; beyond that the oldest is delivered at once.
 * At most `PENDING_MAX` held while closed; beyond that the oldest is lost (as a stream's are).
 */

import type { Rng } from "../../contracts/rng.ts";
import type { VenueEvent, VenueEventListener } from "../../contracts/venue.ts";
import type { KnobCell } from "./_refusals.ts";

const PENDING_MAX = 10_000;

export class Delivery {
  private readonly listeners = new Set<VenueEventListener>();
  private readonly pending = new Map<ReturnType<typeof setTimeout>, VenueEvent[]>();
  private held: VenueEvent[][] = [];
  private isOpen = false;

  constructor(
    private readonly rng: Rng,
    private readonly knobs: KnobCell,
  ) {}

  /** An answer to a call (submit, cancel) waits `latency_ms`, as a delivery does. */
  answerDelay(): Promise<void> {
    const ms = this.knobs.get().latency_ms ?? 0;
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
  }

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
    if (this.isOpen) this.schedule(batch);
    else this.hold(batch);
  }

  private schedule(batch: VenueEvent[]): void {
    if (this.pending.size >= PENDING_MAX) this.flushOldest();
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.emit(batch);
    }, this.knobs.get().latency_ms ?? 0);
    this.pending.set(timer, batch);
  }

  private hold(batch: VenueEvent[]): void {
    if (this.held.length >= PENDING_MAX) this.held.shift();
    this.held.push(batch);
  }

  /** Opens the stream (connect()): what was held goes out in order. */
  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    const held = this.held;
    this.held = [];
    for (const batch of held) this.schedule(batch);
  }

  /** Closes the stream (close()): nothing is delivered; what was in flight is held for `open()`. */
  close(): void {
    this.isOpen = false;
    for (const [timer, batch] of this.pending) {
      clearTimeout(timer);
      this.hold(batch);
    }
    this.pending.clear();
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
