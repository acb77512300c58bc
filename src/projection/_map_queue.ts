/**
 * MapQueue: the pending map writes of one outbox, coalesced to the latest (epoch, version) per map
 * and key (a map is latest state: only the newest value of a key is worth sending). Nested maps, so
 * the hot path builds no key strings. `take()` resolves the lazy rows and stamps each with the
 * writer's epoch (the sinks' compare-and-set reads it back); a row whose builder throws is noted in
 * `failed` and left out (one bad row must not hold back every other key: `_row_guard.ts`). `send(sink)`
 * sends them all in one batch; a failed batch is put back, and for a sink whose failed calls may still
 * land later (`recheckMs` given) its keys are queued again at each `requeueDoubts` for a while
 * (`_map_recheck.ts`: a late put must not bring back a row its key's newer delete removed).
 *
 * Invariant: for every (map, key) the queue holds at most one write, the one with the highest
 * (epoch, version) offered since the last `take()`; a fresh write wins a tie (`orEqual`), a write
 * put back after a failed send (or queued again by a recheck) loses it.
 */
import { MapRecheck } from "./_map_recheck.ts";
import { describeMap, type Guarded, keepEncodable } from "./_row_guard.ts";
import { errorText, type MapWrite, type PendingMapWrite, resolve, type Sink } from "./types.ts";

export class MapQueue {
  private maps = new Map<string, Map<string, PendingMapWrite>>();
  private count = 0;
  private readonly recheck: MapRecheck | null;

  /** `recheckMs`: how long the keys of a failed batch are re-sent after the sink came back; null: never. */
  constructor(recheckMs: number | null = null) {
    this.recheck = recheckMs === null ? null : new MapRecheck(recheckMs);
  }

  get size(): number {
    return this.count;
  }

  /** True when the keys of failed batches are re-sent (the outbox then checks periodically). */
  get rechecks(): boolean {
    return this.recheck !== null;
  }

  /** Keeps w unless a newer write for its key is pending (`orEqual`: w also wins a tie). */
  put(w: PendingMapWrite, orEqual: boolean): void {
    let m = this.maps.get(w.map);
    if (m === undefined) {
      m = new Map();
      this.maps.set(w.map, m);
    }
    const cur = m.get(w.key);
    if (cur === undefined) this.count++;
    else if (
      (cur.epoch ?? 0) !== (w.epoch ?? 0)
        ? (cur.epoch ?? 0) > (w.epoch ?? 0)
        : orEqual
          ? cur.version > w.version
          : cur.version >= w.version
    )
      return;
    m.set(w.key, w);
  }

  /**
   * Sends every pending write to `sink` in one batch. When it fails, a row the sink cannot encode is dropped
   * alone (through `rowsFailed`: no outage, the others are sent again at once) and the others are put back
   * and their keys held in doubt; it throws (an outage) unless dropping rows was the whole failure.
   */
  async send(sink: Sink, rowsFailed: <T>(g: Guarded<T>) => T[]): Promise<{ applied: number; stale: number }> {
    const batch = rowsFailed(this.take());
    if (batch.length === 0) return { applied: 0, stale: 0 }; // nothing pending, or no row could be built
    try {
      const r = await sink.writeMaps(batch);
      this.recheck?.sent(batch);
      return r;
    } catch (e) {
      const keep = rowsFailed(keepEncodable(batch, describeMap));
      this.recheck?.failed(keep); // any call of the batch may still land later
      for (const w of keep) this.put(w, false); // compare-and-set makes re-applying harmless
      if (keep.length === batch.length) throw e;
      return { applied: 0, stale: 0 };
    }
  }

  /** The sink succeeded: the recheck windows that waited for it start now. */
  up(nowMs: number): void {
    this.recheck?.up(nowMs);
  }

  /** At a check: the newest write of every key in doubt is queued again (unless a newer one is pending). */
  requeueDoubts(nowMs: number): void {
    if (this.recheck !== null) for (const w of this.recheck.due(nowMs)) this.put(w, false);
  }

  /** Every pending write, made concrete (`failed`: those whose row could not be built); the queue is empty afterwards. */
  take(): Guarded<MapWrite> {
    const batch: Guarded<MapWrite> = { kept: [], failed: [] };
    for (const m of this.maps.values())
      for (const w of m.values())
        try {
          batch.kept.push(resolveWrite(w));
        } catch (e) {
          batch.failed.push({ ...describeMap(w), error: errorText(e) });
        }
    this.maps.clear();
    this.count = 0;
    return batch;
  }
}

/** A pending write made concrete; the row carries the writer's `epoch`. */
function resolveWrite(w: PendingMapWrite): MapWrite {
  const out: MapWrite = { map: w.map, key: w.key, value: null, version: w.version };
  if (w.epoch !== undefined) out.epoch = w.epoch;
  if (w.value !== null) out.value = w.epoch === undefined ? resolve(w.value) : { ...resolve(w.value), epoch: w.epoch };
  return out;
}
