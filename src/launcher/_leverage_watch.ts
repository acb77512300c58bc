/**
 * The leverage watch: a leverage changed at the venue behind this process's back (an operator on
 * BingX's page, another process) is found at live reconciliation's next pass, or at once when the
 * venue pushes it (_leverage_push.ts). Left unseen, the next entry is placed at the venue's leverage
 * (20 where the strategy asked 5: four times the exposure per margin, a liquidation price much
 * closer than the strategy and the kernel believe), and an open position is held at it.
 *
 * One check (`checkLeverage`: a pass's, every asset; a push's, its asset alone):
 * - `LeverageCache.verify`: each asset whose leverage this process set is read once; a side the venue
 *   holds at another value is forgotten (the next entry sets it again);
 * - each slot holding or working a trade (ENTRY_WORKING, POSITION_OPEN, EXIT_WORKING) whose asset and
 *   side the cache does not remember (after a restart, or forgotten) is checked against the same
 *   reads: the venue's leverage against the slot's `leverage`;
 * - `judgeLeverage` (pure; the push's preview uses it too) turns the answers into findings and sides
 *   that agree.
 * Reads are bounded: one per distinct asset per check (through the caller's `read`, which waits out a
 * rate limit as the pass's other reads do); a failed read is one log line, that asset is checked at
 * the next pass or push; a read a leverage call of that asset raced, or one older than a read of it
 * that answered first, is void (`verify`).
 *
 * Each finding is one VENUE_MISMATCH (WARNING; `details.field` LEVERAGE, `asset`, `side`,
 * `venue_leverage`, `leverage`), naming the slots concerned (`slot_id` the first, null when no slot
 * holds or works that asset and side), reported once per (asset, side, venue leverage) while it
 * persists, whether a pass or a push found it (`LeverageCache.reported`); a check that finds the
 * venue agreeing again clears it (logged), so a later change is reported again; so is a change of a
 * value this process set again meanwhile (one `verify` forgets), even to the venue leverage reported
 * before (the agreement in between may have been seen by no check: put back by hand, then set again
 * by an entry's call that changed nothing there, so pushed nothing). An asset and side not
 * checked keeps its finding. Bounded: one finding per asset and side, and the assets are the slots'
 * and the cache's.
 *
 * Invariant: the watch changes no kernel state and sets no leverage; it only reports and lets the
 * cache forget. Nothing is reported once the reconciler stopped (shutdown).
 *
 * Entry points: `new LeverageWatch()`, `pass(d, read)`; `checkLeverage`, `judgeLeverage`,
 * `tradingSides`, `leverageDiagnostic`.
 */

import type { Clock } from "../contracts/clock.ts";
import { isTradingStage } from "../contracts/order_status.ts";
import type { DiagnosticRecord, SlotRecord } from "../contracts/records.ts";
import type { PositionSide } from "../contracts/venue.ts";
import type { LeverageCache } from "./_leverage.ts";

/** What the watch needs of live reconciliation (or of the runtime, for pushes). */
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
export type Sided = SlotRecord & { side: PositionSide };

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

/** What the venue's answers say: the disagreements, and the `asset:side` keys that agree. */
export interface LeverageJudgement {
  found: LeverageFinding[];
  agreed: Set<string>;
}

const SIDES: readonly PositionSide[] = ["LONG", "SHORT"];

/** Live reconciliation's leverage check: every asset, after its other reads. */
export class LeverageWatch {
  /** One pass: reads, forgets in the cache what the venue changed, reports each new finding. */
  pass(d: LeverageWatchDeps, read: PassRead): Promise<void> {
    return checkLeverage(d, read, "live reconcile");
  }
}

/** The slots holding or working a trade (their side known), in slot order. */
export function tradingSides(slots: readonly SlotRecord[]): Sided[] {
  return slots.filter((s): s is Sided => isTradingStage(s.stage) && s.side !== null);
}

/**
 * The one comparison of the venue's leverage (per asset answered) with what is expected there: per
 * side, the leverage this process set (`setOf`), else each slot trading that side (after a restart, or
 * forgotten). A side nobody expects anything of is neither. Pure.
 */
export function judgeLeverage(
  venue: ReadonlyMap<string, Record<PositionSide, number>>,
  setOf: (asset: string, side: PositionSide) => number | undefined,
  trading: readonly Sided[],
): LeverageJudgement {
  const judged: LeverageJudgement = { found: [], agreed: new Set() };
  for (const [asset, held] of venue) {
    for (const side of SIDES) {
      const slots = trading.filter((s) => s.asset === asset && s.side === side);
      const set = setOf(asset, side);
      const off = set === undefined ? slots.find((s) => s.leverage !== held[side]) : undefined;
      if (set !== undefined && set !== held[side])
        judged.found.push({ asset, side, venue: held[side], leverage: set, set: true, slots });
      else if (off !== undefined)
        judged.found.push({ asset, side, venue: held[side], leverage: off.leverage, set: false, slots });
      else if (set !== undefined || slots.length > 0) judged.agreed.add(`${asset}:${side}`);
    }
  }
  return judged;
}

/**
 * One check (`only`: that asset alone, else every asset set or traded): reads, forgets in the cache
 * what the venue changed, reports each new finding and clears each agreeing one. `by` starts its log
 * lines. Never throws for a read: a failed one is a log line.
 */
export async function checkLeverage(d: LeverageWatchDeps, read: PassRead, by: string, only?: string): Promise<void> {
  const cache = d.executor.leverage;
  const trading = tradingSides(d.kernel.slots());
  const unremembered = trading.filter((s) => cache.remembered(s.asset, s.side) === undefined).map((s) => s.asset);
  const verdict = await cache.verify(
    (asset) => read(`leverage of ${asset}`, () => d.venue.leverageOf(asset)),
    unremembered,
    only,
  );
  if (d.stopped()) return;
  const next = by === "live reconcile" ? "the next pass" : "the next push or pass";
  for (const f of verdict.failed)
    d.log(`${by}: leverage of ${f.asset} not read (${f.error.slice(0, 160)}); checked at ${next}`);
  // A side `verify` just forgot is judged by the value it had: the one this process set.
  const forgotten = new Map(verdict.changes.map((c) => [`${c.asset}:${c.side}`, c.set]));
  const setOf = (asset: string, side: PositionSide) =>
    forgotten.get(`${asset}:${side}`) ?? cache.remembered(asset, side);
  follow(d, by, judgeLeverage(verdict.venue, setOf, trading), forgotten);
}

/**
 * Reports the findings not reported at that venue leverage yet, and each one the cache just forgot (`changed`: a value
 * this process set, since any finding there, changed again: new, whatever was reported before); clears the agreeing
 * ones (logged).
 */
function follow(
  d: LeverageWatchDeps,
  by: string,
  { found, agreed }: LeverageJudgement,
  changed: ReadonlyMap<string, number>,
): void {
  const reported = d.executor.leverage.reported;
  for (const key of agreed) {
    const venue = reported.get(key);
    if (venue === undefined) continue;
    reported.delete(key);
    d.log(`${by}: leverage of ${key.replace(":", " ")} agrees with the venue again (was ${venue} there)`);
  }
  for (const f of found) {
    const key = `${f.asset}:${f.side}`;
    if (reported.get(key) === f.venue && !changed.has(key)) continue; // persisting: reported already
    reported.set(key, f.venue);
    d.report(leverageDiagnostic(f, d.clock.nowMs()));
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
