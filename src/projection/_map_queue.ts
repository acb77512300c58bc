/**
 * MapQueue: the pending map writes of one outbox, coalesced to the latest (epoch, version) per map
 * and key (a map is latest state: only the newest value of a key is worth sending). Nested maps, so
 * the hot path builds no key strings. `take()` resolves the lazy rows and stamps each with the
 * writer's epoch (the sinks' compare-and-set reads it back); a row whose builder throws is noted in
 * `failed` and left out (one bad row must not hold back every other key: `_row_guard.ts`).
 *
 * Invariant: for every (map, key) the queue holds at most one write, the one with the highest
 * (epoch, version) offered since the last `take()`; a fresh write wins a tie (`orEqual`), a write
 * put back after a failed send loses it.
 */
import { describeMap, type Guarded } from "./_row_guard.ts";
import { errorText, type MapWrite, type PendingMapWrite, resolve } from "./types.ts";

export class MapQueue {
  private maps = new Map<string, Map<string, PendingMapWrite>>();
  private count = 0;

  get size(): number {
    return this.count;
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
