/**
 * The venue leverage this process set, per `asset:side` (the venue keeps it per symbol and side).
 * A value already set takes no venue call; entries that need the same value while its call is in
 * flight share that call (a burst would otherwise meet the venue's leverage rate limit). Setting
 * leverage is idempotent, so a failure is retried twice: after the venue's hint for a rate limit
 * (at most 5 s), else after a short pause; the last failure is thrown. A refusal (the error's
 * `refused`, e.g. BingX's REJECT: a code, or a local rule) is thrown at once: it would be refused again.
 *
 * A value is forgotten whenever the venue may no longer hold it:
 * - as soon as a call for another one is sent (a call whose answer is lost may have changed it);
 * - the other side's value too, when it differs: a one-way account keeps one leverage per symbol;
 * - both sides of an asset at a venue REJECT for margin or leverage (101204, 101209, 101414):
 *   someone may have changed the leverage at the venue (by hand, another process).
 * Calls of one asset go one at a time, in the order asked: two calls out at once could be
 * processed by the venue in either order, leaving the earlier value. A call queued behind one that
 * stayed rate-limited through its retries fails with that limit at once (the entry is RATE_LIMITED
 * with the venue's hint) instead of being sent seconds after its entry was asked.
 *
 * A leverage changed at the venue by someone else (an operator on BingX's page, another process)
 * is seen by `verify`, which the leverage watch runs (_leverage_watch.ts) at every live
 * reconciliation pass and at once when the venue pushes a leverage that tells something new
 * (_leverage_push.ts). Per asset with a remembered value (or asked `also`; `only` one asset) and no
 * call of it out, the venue's leverage is read once; each remembered side the venue holds at another
 * value is forgotten (the next entry sets it again) and returned as a change. A call of that asset
 * asked while the read was out voids the answer for it (the newer call's value is kept), and so does
 * a read of that asset started later that answered first (a pass's and a push's reads may overlap);
 * a failed read forgets nothing. Not seen: a change the venue does not push, made between a pass and
 * the next entry (that entry is placed at the venue's value), except a refusal above.
 *
 * `reported`: the venue leverage reported (one VENUE_MISMATCH) per `asset:side` while that
 * disagreement persists, kept here so that a pass and a push report a change once between them.
 *
 * A leverage that could not be set rejects the entry (`leverageReject`, nothing is placed): trading
 * at a leverage other than the one the strategy asked for is not an acceptable fallback.
 *
 * Entry points: `new LeverageCache(venue, sleep)`, `isSet`, `remembered`, `calling`, `settled`, `ensure`, `verify`,
 * `reported`; `leverageReject`.
 */

import type { SlotRecord } from "../contracts/records.ts";
import { type PositionSide, rateLimited, type VenueAdapter, type VenueEvent } from "../contracts/venue.ts";
import { localReject } from "./_order_event.ts";

/** The longest wait for a venue's rate-limit hint before an idempotent call is sent again. */
export const RETRY_WAIT_MAX_MS = 5_000;

/** Venue refusal codes (margin, leverage tier) that put in doubt the leverage this process set. */
const DOUBT_CODES = new Set(["101204", "101209", "101414"]);

/** A failure the venue marks `refused` (it did nothing), other than a rate limit: the same call would be refused again. */
function refusedOutright(e: unknown): boolean {
  return !rateLimited(e) && typeof e === "object" && e !== null && (e as { refused?: unknown }).refused === true;
}

/** A remembered side the venue holds at another leverage (found by `verify`, then forgotten). */
export interface LeverageChange {
  asset: string;
  side: PositionSide;
  /** The leverage this process set. */
  set: number;
  venue: number;
}

/** Reads one asset's venue leverage (`VenueAdapter.leverageOf`, or a caller's wrapper of it). */
export type LeverageRead = (asset: string) => Promise<Record<PositionSide, number>>;

/** What one `verify` found. */
export interface LeverageVerdict {
  changes: LeverageChange[];
  /** Assets whose read failed: nothing forgotten, read again at the next `verify`. */
  failed: { asset: string; error: string }[];
  /** The answers that hold (no call of the asset asked while the read was out), by asset. */
  venue: Map<string, Record<PositionSide, number>>;
}

const SIDES: readonly PositionSide[] = ["LONG", "SHORT"];

interface Call {
  side: PositionSide;
  leverage: number;
  done: Promise<void>;
}

export class LeverageCache {
  private readonly set = new Map<string, number>();
  /** The last call asked per asset: a call for that asset asked later is sent once it has settled. */
  private readonly last = new Map<string, Call>();
  /** Calls asked per asset so far: a read whose count moved while it was out is void (bounded by the assets). */
  private readonly asked = new Map<string, number>();
  /** Reads started so far, and per asset the latest one whose answer was taken: an older one answering later is void. */
  private readsStarted = 0;
  private readonly readTaken = new Map<string, number>();
  /** The venue leverage reported per `asset:side` while it persists (_leverage_watch.ts; bounded by the assets). */
  readonly reported = new Map<string, number>();

  constructor(
    private readonly venue: VenueAdapter,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    venue.onEvent((e) => {
      if (e.kind === "REJECT" && DOUBT_CODES.has(e.venue_code ?? "")) {
        this.set.delete(`${e.asset}:LONG`);
        this.set.delete(`${e.asset}:SHORT`);
      }
    });
  }

  isSet(asset: string, side: PositionSide, leverage: number): boolean {
    return this.set.get(`${asset}:${side}`) === leverage;
  }

  /** The leverage this process set for the side and still believes the venue holds, else undefined. */
  remembered(asset: string, side: PositionSide): number | undefined {
    return this.set.get(`${asset}:${side}`);
  }

  /** True while a leverage call of `asset` is out (or queued): the venue's value is about to change. */
  calling(asset: string): boolean {
    return this.last.has(asset);
  }

  /** Resolves once the calls of `asset` asked so far have settled (answered or failed); never rejects. */
  settled(asset: string): Promise<void> {
    const last = this.last.get(asset);
    return last === undefined
      ? Promise.resolve()
      : last.done.then(
          () => {},
          () => {},
        );
  }

  /** Sets the leverage unless this process already set that value (or joins the call setting it). */
  ensure(asset: string, side: PositionSide, leverage: number): Promise<void> {
    if (this.isSet(asset, side, leverage)) return Promise.resolve();
    const last = this.last.get(asset);
    if (last?.side === side && last.leverage === leverage) return last.done;
    this.forgetFor(asset, side, leverage);
    const run = () => this.send(asset, side, leverage);
    // Queued behind a call the venue rate-limited through its retries: the endpoint's limit (one per
    // account) would meet this one too, so its entry hears RATE_LIMITED now, not placed seconds late.
    const after = (e: unknown) => (rateLimited(e) ? Promise.reject(e) : run());
    const call: Call = { side, leverage, done: Promise.resolve() };
    call.done = (last ? last.done.then(run, after) : run()).finally(() => {
      if (this.last.get(asset) === call) this.last.delete(asset);
    });
    this.last.set(asset, call);
    this.asked.set(asset, (this.asked.get(asset) ?? 0) + 1);
    return call.done;
  }

  /**
   * Compares what this process set with the venue, one read per asset (those remembered, and `also`;
   * only `only` when given), one at a time; an asset with a call out is not read. Never throws: a
   * failed read is in `failed`.
   */
  async verify(
    read: LeverageRead = (a) => this.venue.leverageOf(a),
    also: Iterable<string> = [],
    only?: string,
  ): Promise<LeverageVerdict> {
    const verdict: LeverageVerdict = { changes: [], failed: [], venue: new Map() };
    const assets = new Set([...[...this.set.keys()].map((k) => k.slice(0, k.lastIndexOf(":"))), ...also]);
    for (const asset of assets) {
      if (only !== undefined && asset !== only) continue;
      if (this.last.has(asset)) continue; // a call is out: the venue's value is about to change
      const asked = this.asked.get(asset) ?? 0;
      const ticket = ++this.readsStarted;
      let venue: Record<PositionSide, number>;
      try {
        venue = await read(asset);
      } catch (e) {
        verdict.failed.push({ asset, error: e instanceof Error ? e.message : String(e) });
        continue;
      }
      if (this.last.has(asset) || (this.asked.get(asset) ?? 0) !== asked) continue; // a newer call: void
      if ((this.readTaken.get(asset) ?? 0) > ticket) continue; // a read started later answered first: void
      this.readTaken.set(asset, ticket);
      verdict.venue.set(asset, venue);
      for (const side of SIDES) {
        const set = this.set.get(`${asset}:${side}`);
        if (set === undefined || set === venue[side]) continue;
        this.set.delete(`${asset}:${side}`);
        verdict.changes.push({ asset, side, set, venue: venue[side] });
      }
    }
    return verdict;
  }

  /**
   * Until a call for `leverage` answers, the venue's value for that side is unknown (one that fails
   * may still have taken effect), and the other side's too unless it is the same value (one-way).
   */
  private forgetFor(asset: string, side: PositionSide, leverage: number): void {
    this.set.delete(`${asset}:${side}`);
    const other = `${asset}:${side === "LONG" ? "SHORT" : "LONG"}`;
    if (this.set.get(other) !== leverage) this.set.delete(other);
  }

  private async send(asset: string, side: PositionSide, leverage: number): Promise<void> {
    this.forgetFor(asset, side, leverage); // an earlier call of this asset may have set a value since
    for (let attempt = 0; ; attempt++) {
      try {
        await this.venue.setLeverage(asset, side, leverage);
        this.set.set(`${asset}:${side}`, leverage);
        return;
      } catch (e) {
        if (attempt >= 2 || refusedOutright(e)) throw e;
        const limited = rateLimited(e);
        const hint = limited ? (limited.retry_after_ms ?? 500) : 100 * 3 ** attempt;
        await this.sleep(Math.min(Math.max(hint, 50), RETRY_WAIT_MAX_MS));
      }
    }
  }
}

/** The local REJECT of an entry whose leverage could not be set (RATE_LIMITED with the hint, else VENUE). */
export function leverageReject(e: unknown, clientOrderId: string, slot: SlotRecord, nowMs: number): VenueEvent {
  const limited = rateLimited(e);
  const text = e instanceof Error ? e.message : String(e);
  return localReject("LEVERAGE", clientOrderId, slot.asset, nowMs, {
    reason: limited ? "RATE_LIMITED" : "VENUE",
    ...(limited?.retry_after_ms !== undefined ? { retryAfterMs: limited.retry_after_ms } : {}),
    message: `leverage ${slot.leverage} could not be set: ${text.slice(0, 120)}`,
  });
}
