/**
 * Live reconciliation's leverage watch: a leverage changed at the venue behind this process's back
 * (an operator on BingX's page, another process) is found within one pass. Left unseen, the next
 * entry is placed at the venue's leverage (20 where the strategy asked 5: four times the exposure
 * per margin, a liquidation price much closer than the strategy and the kernel believe), and an
 * open position is held at it.
 *
 * One pass (`LeverageWatch.pass`), after the reconciler's reads:
 * - `LeverageCache.verify`: each asset whose leverage this process set is read once; a side the venue
 *   holds at another value is forgotten (the next entry sets it again) and is a finding;
 * - each slot holding or working a trade (ENTRY_WORKING, POSITION_OPEN, EXIT_WORKING) whose asset and
 *   side the cache does not remember (after a restart, or forgotten) is checked against the same
 *   reads: the venue's leverage against the slot's `leverage`.
 * Reads are bounded: one per distinct asset per pass (through the caller's `read`, which waits out a
 * rate limit as the pass's other reads do); a failed read is one log line, that asset is checked at
 * the next pass; a read a leverage call of that asset raced is void (`verify`).
 *
 * Each finding is one VENUE_MISMATCH (WARNING; `details.field` LEVERAGE, `asset`, `side`,
 * `venue_leverage`, `leverage`), naming the slots concerned (`slot_id` the first, null when no slot
 * holds or works that asset and side), reported once per (asset, side, venue leverage) while it
 * persists; a check that finds the venue agreeing again clears it (logged), so a later change is
 * reported again. An asset and side not checked in a pass keeps its finding. Bounded: one finding per
 * asset and side, and the assets are the slots' and the cache's.
 *
 * Invariant: the watch changes no kernel state and sets no leverage; it only reports and lets the
 * cache forget. Nothing is reported once the reconciler stopped (shutdown).
 *
 * Entry point: `new LeverageWatch()`, `pass(d, read)`; `leverageDiagnostic`.
 */

import type { Clock } from "../contracts/clock.ts";
import { isTradingStage } from "../contracts/order_status.ts";
import type { DiagnosticRecord, SlotRecord } from "../contracts/records.ts";
import type { PositionSide } from "../contracts/venue.ts";
import type { LeverageCache } from "./_leverage.ts";

/** What the watch needs of live reconciliation. */
export interface LeverageWatchDeps {
  kernel: { slots(): SlotRecord[] };
  executor: { readonly leverage: LeverageCache };
  venue: { leverageOf(asset: string): Promise<Record<PositionSide, number>> };
  clock: Clock;
  report(d: DiagnosticRecord): void;
  log(line: string): void;
  /** True once shutdown began: nothing more is reported. */
  stopped(): boolean;
}

/** The pass's rate-limit-waiting read (`what` names it in the log). */
export type PassRead = <T>(what: string, call: () => Promise<T>) => Promise<T>;

/** A slot holding or working a trade: its side is known. */
type Sided = SlotRecord & { side: PositionSide };

/** One disagreement: the venue's leverage of an asset and side, and the one expected there. */
export interface LeverageFinding {
  asset: string;
  side: PositionSide;
  venue: number;
  /** The leverage this process set (`set`), or the slots' own. */
  leverage: number;
  set: boolean;
  /** The slots holding or working a trade on that asset and side, in slot order. */
  slots: SlotRecord[];
}

export class LeverageWatch {
  /** The venue leverage reported per `asset:side`, while it persists. */
  private readonly reported = new Map<string, number>();

  /** One pass: reads, forgets in the cache what the venue changed, reports each new finding. */
  async pass(d: LeverageWatchDeps, read: PassRead): Promise<void> {
    const cache = d.executor.leverage;
    const trading = d.kernel.slots().filter((s): s is Sided => isTradingStage(s.stage) && s.side !== null);
    const onSide = (asset: string, side: PositionSide) => trading.filter((s) => s.asset === asset && s.side === side);
    const unremembered = trading.filter((s) => cache.remembered(s.asset, s.side) === undefined);
    const verdict = await cache.verify(
      (asset) => read(`leverage of ${asset}`, () => d.venue.leverageOf(asset)),
      unremembered.map((s) => s.asset),
    );
    if (d.stopped()) return;
    for (const f of verdict.failed)
      d.log(`live reconcile: leverage of ${f.asset} not read (${f.error.slice(0, 160)}); checked at the next pass`);
    const found = new Map<string, LeverageFinding>();
    for (const c of verdict.changes)
      found.set(`${c.asset}:${c.side}`, { ...c, leverage: c.set, set: true, slots: onSide(c.asset, c.side) });
    const agreed = new Set<string>();
    for (const { asset, side, leverage } of unremembered) {
      const venue = verdict.venue.get(asset)?.[side];
      const key = `${asset}:${side}`;
      // Not read this pass, found already, or set by a call during the reads (the cache holds it now).
      if (venue === undefined || found.has(key) || cache.remembered(asset, side) !== undefined) continue;
      if (venue === leverage) agreed.add(key);
      else found.set(key, { asset, side, venue, leverage, set: false, slots: onSide(asset, side) });
    }
    for (const [asset, venue] of verdict.venue)
      for (const side of ["LONG", "SHORT"] as const)
        if (cache.remembered(asset, side) === venue[side]) agreed.add(`${asset}:${side}`);
    this.follow(d, [...found.values()], agreed);
  }

  /** Reports the findings not reported at that venue leverage yet; clears the agreeing ones (logged). */
  private follow(d: LeverageWatchDeps, found: readonly LeverageFinding[], agreed: ReadonlySet<string>): void {
    for (const key of agreed) {
      const venue = this.reported.get(key);
      if (venue === undefined) continue;
      this.reported.delete(key);
      d.log(`live reconcile: leverage of ${key.replace(":", " ")} agrees with the venue again (was ${venue} there)`);
    }
    for (const f of found) {
      const key = `${f.asset}:${f.side}`;
      if (this.reported.get(key) === f.venue) continue; // persisting: reported already
      this.reported.set(key, f.venue);
      d.report(leverageDiagnostic(f, d.clock.nowMs()));
    }
  }
}

/** The WARNING VENUE_MISMATCH for a leverage the venue holds at another value than the one expected. */
export function leverageDiagnostic(f: LeverageFinding, nowMs: number): DiagnosticRecord {
  const ids = f.slots.map((s) => s.slot_id);
  const slots = ids.length === 0 ? "" : `slot${ids.length > 1 ? "s" : ""} ${ids.join(", ")}: `;
  const whose = f.set ? "the one this process set" : "the slot's";
  const held = f.slots.some((s) => s.stage !== "ENTRY_WORKING" || s.size > 0);
  const working = f.slots.some((s) => s.stage === "ENTRY_WORKING");
  const what = [
    `${slots}${f.asset} ${f.side} leverage at the venue is ${f.venue}, not ${f.leverage} (${whose}), changed by someone else`,
    ...(held ? [`the open position is held at the venue's ${f.venue}`] : []),
    ...(working ? [`a working entry fills at the venue's ${f.venue}`] : []),
    `the next entry sets ${f.leverage} again`,
  ];
  return {
    code: "VENUE_MISMATCH",
    severity: "WARNING",
    slot_id: ids[0] ?? null,
    message: what.join("; ").slice(0, 240),
    details: { field: "LEVERAGE", asset: f.asset, side: f.side, venue_leverage: f.venue, leverage: f.leverage },
    input_index: 0,
    now_ms: nowMs,
  };
}
