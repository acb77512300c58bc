/**
 * The outcomes a client has received, per intent: those not yet taken (for `outcome` /
 * `nextVenueOutcome`, each taken once) and the whole history (for `outcomesOf`, taken or not, in
 * arrival order). Both keep the last `INBOX_MAX` intents, the oldest dropped first. It also knows
 * the newest of the client's own intents (its lane and generation) whose EDGE or KERNEL outcome
 * came: one client's outcomes keep its push order (ring order, ffi/README.md §7), so an earlier
 * intent whose outcome is not here has `passed` (written over unread, dropped, or taken already).
 *
 * Entry points: `Inbox`, `INBOX_MAX`.
 */

import type { Outcome } from "./outcome.ts";

export const INBOX_MAX = 4096;

export class Inbox {
  private readonly untaken = new Map<bigint, Outcome[]>();
  private readonly history = new Map<bigint, Outcome[]>();
  /** The client's id bits 32..63 (lane << 16 | generation). */
  private readonly own: bigint;
  /** The sequence of the newest own intent whose EDGE or KERNEL outcome came (0: none yet). */
  private answered = 0n;

  constructor(lane: number, generation: number) {
    this.own = (BigInt(lane) << 16n) | BigInt(generation);
  }

  /** Files one outcome as untaken and in its intent's history. */
  keep(o: Outcome): void {
    if (o.origin !== "VENUE" && o.clientIntentId >> 32n === this.own) this.answered = o.clientIntentId & 0xffff_ffffn;
    for (const map of [this.untaken, this.history]) {
      const list = map.get(o.clientIntentId);
      if (list === undefined) map.set(o.clientIntentId, [o]);
      else list.push(o);
      if (map.size > INBOX_MAX) map.delete(map.keys().next().value!);
    }
  }

  /** Whether a later own intent's EDGE or KERNEL outcome came, so this one's (not untaken) never will (32-bit wrap). */
  passed(id: bigint): boolean {
    const behind = BigInt.asUintN(32, this.answered - (id & 0xffff_ffffn));
    return id >> 32n === this.own && behind > 0n && behind < 1n << 31n;
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
