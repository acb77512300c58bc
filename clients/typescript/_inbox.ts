/**
 * The outcomes a client has received, per intent: those not yet taken (for `outcome` /
 * `nextVenueOutcome`, each taken once) and the whole history (for `outcomesOf`, taken or not, in
 * arrival order). Both keep the last `INBOX_MAX` intents, the oldest dropped first.
 *
 * Entry points: `Inbox`, `INBOX_MAX`.
 */

import type { Outcome } from "./outcome.ts";

export const INBOX_MAX = 4096;

export class Inbox {
  private readonly untaken = new Map<bigint, Outcome[]>();
  private readonly history = new Map<bigint, Outcome[]>();

  /** Files one outcome as untaken and in its intent's history. */
  keep(o: Outcome): void {
    for (const map of [this.untaken, this.history]) {
      const list = map.get(o.clientIntentId);
      if (list === undefined) map.set(o.clientIntentId, [o]);
      else list.push(o);
      if (map.size > INBOX_MAX) map.delete(map.keys().next().value!);
    }
  }

  /** Removes and returns the intent's first untaken outcome `match` accepts; null when none. */
  take(id: bigint, match: (o: Outcome) => boolean): Outcome | null {
    const list = this.untaken.get(id);
    const at = list?.findIndex(match) ?? -1;
    if (list === undefined || at < 0) return null;
    const [hit] = list.splice(at, 1);
    if (list.length === 0) this.untaken.delete(id);
    return hit!;
  }

  /** Every outcome received for the intent, taken or not. */
  all(id: bigint): Outcome[] {
    return [...(this.history.get(id) ?? [])];
  }
}
