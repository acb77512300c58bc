/**
 * The outcomes a client has received, per intent: those not yet taken (for `outcome` /
 * `nextVenueOutcome`, each taken once) and the whole history (for `outcomesOf`, taken or not, in
 * arrival order). Both keep the last `INBOX_MAX` intents, the oldest dropped first. It also knows
 * the newest of the client's own intents (its lane and generation) whose EDGE or KERNEL outcome
 * came: one client's outcomes keep its push order (ring order, ffi/README.md §7), so an earlier
 * intent whose outcome is not here has `passed` (written over unread, dropped, or taken already).
 * A polled record that does not decode (`file`) is counted (`corrupt`) and, when its id names an
 * intent of this client, kept untaken as the CorruptRegionError the next wait for that intent
 * throws (once; never in the history); one naming no intent of this client is the polling wait's.
 * An intent whose EDGE or KERNEL outcome came refused (taken or not) made no order: a VENUE wait for
 * it is IntentRefusedError at once (`refused`), never a timeout.
 *
 * Entry points: `Inbox`, `INBOX_MAX`.
 */

import { CorruptRegionError, IntentRefusedError } from "./errors.ts";
import { decodeOutcome, type Outcome } from "./outcome.ts";

export const INBOX_MAX = 4096;

function append<T>(map: Map<bigint, T[]>, id: bigint, item: T): void {
  const list = map.get(id);
  if (list === undefined) map.set(id, [item]);
  else list.push(item);
  if (map.size > INBOX_MAX) map.delete(map.keys().next().value!);
}

export class Inbox {
  private readonly untaken = new Map<bigint, Array<Outcome | CorruptRegionError>>();
  private readonly history = new Map<bigint, Outcome[]>();
  /** The client's id bits 32..63 (lane << 16 | generation). */
  private readonly own: bigint;
  /** The sequence of the newest own intent whose EDGE or KERNEL outcome came (0: none yet). */
  private answered = 0n;
  /** Polled records of this client's generation that did not decode. */
  corrupt = 0;

  constructor(lane: number, generation: number) {
    this.own = (BigInt(lane) << 16n) | BigInt(generation);
  }

  /** Files one outcome as untaken and in its intent's history. */
  keep(o: Outcome): void {
    if (o.origin !== "VENUE" && o.clientIntentId >> 32n === this.own) this.answered = o.clientIntentId & 0xffff_ffffn;
    append(this.untaken, o.clientIntentId, o);
    append(this.history, o.clientIntentId, o);
  }

  /**
   * Decodes and files one polled 256-byte record (`where` names the lane in errors). One that does
   * not decode is counted and, when its id is one of this client's, kept for that intent's next
   * wait; otherwise it is returned, for the wait that polled it to throw (after the poll is filed).
   */
  file(rec: Uint8Array, where: string): CorruptRegionError | null {
    try {
      this.keep(decodeOutcome(rec));
      return null;
    } catch (e) {
      if (!(e instanceof CorruptRegionError)) throw e;
      this.corrupt++;
      const id = new DataView(rec.buffer, rec.byteOffset, rec.byteLength).getBigUint64(8, true);
      if (id >> 32n !== this.own)
        return new CorruptRegionError(
          `${where}: an outcome naming intent ${id}, not one of this client's, does not decode (${e.message})`,
        );
      append(
        this.untaken,
        id,
        new CorruptRegionError(
          `${where}: an outcome of intent ${id} does not decode (${e.message}); the lane's other outcomes are delivered`,
        ),
      );
      return null;
    }
  }

  /** Whether a later own intent's EDGE or KERNEL outcome came, so this one's (not untaken) never will (32-bit wrap). */
  passed(id: bigint): boolean {
    const behind = BigInt.asUintN(32, this.answered - (id & 0xffff_ffffn));
    return id >> 32n === this.own && behind > 0n && behind < 1n << 31n;
  }

  /** Removes and returns the intent's first untaken outcome `match` accepts; null when none. A record of
   * the intent that did not decode, kept before it, is removed and thrown instead (CorruptRegionError). */
  take(id: bigint, match: (o: Outcome) => boolean): Outcome | null {
    const list = this.untaken.get(id);
    const at = list?.findIndex((o) => o instanceof CorruptRegionError || match(o)) ?? -1;
    if (list === undefined || at < 0) return null;
    const [hit] = list.splice(at, 1);
    if (list.length === 0) this.untaken.delete(id);
    if (hit instanceof CorruptRegionError) throw hit;
    return hit!;
  }

  /** Throws IntentRefusedError when the intent's EDGE or KERNEL outcome came (taken or not) and is not accepted:
   * it made no order, so no VENUE outcome will come. The outcome stays where it is (untaken for `outcome`). */
  refused(id: bigint): void {
    const o = this.history.get(id)?.find((x) => x.origin !== "VENUE");
    if (o === undefined || o.accepted) return;
    const d = o.diagnostics[0];
    const text = o.message === "" ? "" : `: ${o.message}`;
    const hint = d?.retryAfterMs == null ? "" : `; retry after ${d.retryAfterMs} ms`;
    const why = d === undefined ? `${o.origin}, no diagnostic` : `${o.origin} ${d.code}${text}${hint}`;
    throw new IntentRefusedError(
      o,
      `intent ${id} was refused (${why}): it made no order, so no VENUE outcome will come`,
    );
  }

  /** Every outcome received for the intent, taken or not. */
  all(id: bigint): Outcome[] {
    return [...(this.history.get(id) ?? [])];
  }
}
