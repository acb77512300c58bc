/**
 * A bounded ring of recent events, each with a sequence number that increases by one per push.
 * Pushing is O(1) and never blocks: the oldest event is overwritten (a reader that needs it gets
 * a reset instead). An event's wire bytes are built once, on first use, and shared by every
 * client.
 *
 * Invariants: `head` is the last sequence pushed (0 = none); the ring holds exactly the
 * sequences `oldest()..head`; `get(seq)` is only called inside that range.
 */

export interface RingEvent {
  readonly seq: number;
  readonly name: string;
  readonly data: unknown;
  bytes: Uint8Array | null;
}

export class EventRing {
  private readonly events: Array<RingEvent | undefined>;
  head = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new Error(`Invariant: ring capacity must be an integer >= 1, got ${capacity}`);
    this.events = new Array(capacity);
  }

  push(name: string, data: unknown): RingEvent {
    const e: RingEvent = { seq: this.head + 1, name, data, bytes: null };
    this.events[e.seq % this.capacity] = e;
    this.head = e.seq;
    return e;
  }

  /** The smallest sequence still held (head + 1 when the ring is empty). */
  oldest(): number {
    return Math.max(1, this.head - this.capacity + 1);
  }

  get(seq: number): RingEvent {
    const e = this.events[seq % this.capacity];
    if (e === undefined || e.seq !== seq)
      throw new Error(`Invariant: event ${seq} is not in the ring (held ${this.oldest()}..${this.head})`);
    return e;
  }
}
