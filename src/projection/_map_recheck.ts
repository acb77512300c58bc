/**
 * MapRecheck: the map keys whose last send failed, each with the newest write offered for it since, so the
 * outbox sends that write again at every check until a late landing of the failed call is no longer expected.
 *
 * Why: a call the Hazelcast client failed (heartbeat timeout, a replaced client) may still be executed by the
 * member afterwards (it sat in a stalled member's socket buffer or in a TCP retransmission queue). Replace and
 * remove compare the stored bytes, so a late one changes nothing once a newer write landed; but `putIfAbsent`
 * needs nothing stored, and a delete leaves nothing stored: a put that lands after the newer delete of its key
 * (or after that delete found the key absent) brings the row back, a closed slot listed as live, and nothing
 * writes that key again. Sending the newest write again is harmless (compare-and-set: stale when the map holds
 * it, never a regression) and repairs such a landing (the delete removes the older row).
 *
 * Invariants: at most RECHECK_KEYS_MAX keys (the key held longest is forgotten first). A key enters when a batch
 * holding it fails, and its window restarts then. While held, its write is the newest (epoch, version) offered
 * for it since (a later one wins a tie). Its window is open until the sink succeeds again (a late landing comes
 * when the member answers again), then lasts `windowMs`; the first check after it ends sends the write one last
 * time and forgets the key.
 *
 * Entry points: `failed(batch)`, `sent(batch)` (each map batch's outcome), `up(nowMs)` (the sink succeeded),
 * `due(nowMs)` (the writes to send again at a check), `size`.
 */
import type { MapWrite } from "./types.ts";

/** Far more than a namespace's keys (two per slot, the account, the control row). */
export const RECHECK_KEYS_MAX = 65_536;

interface Doubt {
  write: MapWrite;
  /** When the window ends; Infinity until the sink succeeds after the key's last failure. */
  untilMs: number;
}

export class MapRecheck {
  private readonly keys = new Map<string, Doubt>();
  /** Some window is still waiting for the sink to succeed. */
  private waiting = false;

  constructor(private readonly windowMs: number) {
    if (!(windowMs >= 0)) throw new Error(`Invariant: MapRecheck needs windowMs >= 0, got ${windowMs}`);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Every write of a batch whose send failed: its key is in doubt, its window restarts. */
  failed(batch: readonly MapWrite[]): void {
    for (const w of batch) {
      const id = keyOf(w);
      const cur = this.keys.get(id);
      this.keys.delete(id); // set again below, last: the oldest doubt is the first forgotten
      this.keys.set(id, { write: cur === undefined ? w : newest(cur.write, w), untilMs: Number.POSITIVE_INFINITY });
      if (this.keys.size > RECHECK_KEYS_MAX) this.keys.delete(this.keys.keys().next().value as string);
    }
    if (batch.length > 0) this.waiting = true;
  }

  /** A batch the sink applied: a key in doubt now holds the newest write offered for it. */
  sent(batch: readonly MapWrite[]): void {
    if (this.keys.size === 0) return;
    for (const w of batch) {
      const cur = this.keys.get(keyOf(w));
      if (cur !== undefined) cur.write = newest(cur.write, w);
    }
  }

  /** The sink succeeded: every window still waiting for it starts now. */
  up(nowMs: number): void {
    if (!this.waiting) return;
    this.waiting = false;
    for (const d of this.keys.values()) if (d.untilMs === Number.POSITIVE_INFINITY) d.untilMs = nowMs + this.windowMs;
  }

  /** The writes to send again now; keys whose window ended are forgotten after this last send. */
  due(nowMs: number): MapWrite[] {
    const out: MapWrite[] = [];
    for (const [id, d] of this.keys) {
      out.push(d.write);
      if (d.untilMs <= nowMs) this.keys.delete(id);
    }
    return out;
  }
}

function keyOf(w: MapWrite): string {
  return `${w.map}\u0000${w.key}`;
}

/** The later of two writes of one key by (epoch, version); `b` wins a tie. */
function newest(a: MapWrite, b: MapWrite): MapWrite {
  const ea = a.epoch ?? 0;
  const eb = b.epoch ?? 0;
  if (ea !== eb) return ea > eb ? a : b;
  return a.version > b.version ? a : b;
}
