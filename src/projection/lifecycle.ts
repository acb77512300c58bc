/**
 * Trade lifecycle rows (table `trade_events`, topic DITA_V2_TRADE_EVENTS_<NS>), derived from
 * venue-confirmed transitions only:
 *  - OPEN once per trade, when the position is established: the entry fills fully, a cancel ack
 *    leaves a partial entry position, or a RECONCILE/RESTORE finds a position this process has not
 *    announced yet. Partial entry fills do not open (the entry is still working).
 *  - PARTIAL_EXIT for every exit fill that leaves a position (per leg fill, multi-leg exits): any
 *    confirmed transition out of EXIT_WORKING that shrinks the position, since the real kernel
 *    also applies a larger cumulative fill carried by a CANCEL_ACK, CANCEL_REJECT, REJECT or ACK
 *    (kernel/README.md decision 13), not only by PARTIAL_FILL / FULL_FILL; and out of POSITION_OPEN,
 *    where only a late fill of the slot's ended exit order shrinks it (decision 38).
 *  - CLOSE when the slot reaches CLOSED (a working exit's last fill, or such a late one), with realized
 *    PnL, fees and the capital after settlement.
 * Row ids come from trade facts (`<strategy>:<trade>:OPEN`, `...:PX<leg>:<position left>`,
 * `...:CLOSE`), so the same fact projected twice (replay, restart, a second run re-announcing a
 * restored position) dedupes; `run` and `seq` say which kernel lifetime and input produced the row
 * that was stored first. Trade ids are the strategy's: one reused for a second trade would share ids.
 */
import type { AccountRecord, SlotRecord, TransitionRecord } from "../contracts/records.ts";

export type TradeEventType = "OPEN" | "PARTIAL_EXIT" | "CLOSE";

export type TradeEventRow = {
  row_id: string;
  strategy: string;
  run: string;
  seq: number;
  event_type: TradeEventType;
  trade_id: string;
  slot_id: number;
  asset: string;
  side: string;
  leverage: number;
  leg: number;
  entry_price: number;
  exit_price: number;
  fill_size: number;
  position_size: number;
  realized_pnl: number;
  unrealized_pnl: number;
  fees: number;
  capital: number;
  equity: number;
  trade_seq: number;
  exit_reason: string;
  version: number;
  now_ms: number;
};

const OPENED_MAX = 4096;

/** Remembers which trades were announced OPEN (bounded, oldest forgotten first). */
export class OpenedTrades {
  private set = new Set<string>();
  has(id: string): boolean {
    return this.set.has(id);
  }
  add(id: string): void {
    if (this.set.size >= OPENED_MAX) this.set.delete(this.set.values().next().value!);
    this.set.add(id);
  }
  delete(id: string): void {
    this.set.delete(id);
  }
}

/** Returns the lifecycle event this confirmed transition produces, or null. `prevSize` is the last projected position. */
export function tradeEvent(
  strategy: string,
  run: string,
  seq: number,
  t: TransitionRecord,
  s: SlotRecord,
  a: AccountRecord,
  prevSize: number | undefined,
  opened: OpenedTrades,
): TradeEventRow | null {
  if (t.to === "CLOSED" && t.from !== "CLOSED") {
    opened.delete(s.trade_id);
    const fill = prevSize !== undefined ? prevSize - s.size : (s.exit_order?.filled_size ?? 0);
    return row(strategy, run, seq, "CLOSE", `${strategy}:${s.trade_id}:CLOSE`, t, s, a, fill);
  }
  const holds = (t.to === "POSITION_OPEN" || t.to === "EXIT_WORKING") && s.size > 0;
  const establishes = t.from === "ENTRY_WORKING" || t.trigger === "RECONCILE" || t.trigger === "RESTORE";
  if (holds && establishes && !opened.has(s.trade_id)) {
    opened.add(s.trade_id);
    return row(
      strategy,
      run,
      seq,
      "OPEN",
      `${strategy}:${s.trade_id}:OPEN`,
      t,
      s,
      a,
      s.entry_order?.filled_size ?? s.size,
    );
  }
  const exitFill = t.from === "EXIT_WORKING" || t.from === "POSITION_OPEN"; // POSITION_OPEN: a late exit fill
  if (exitFill && prevSize !== undefined && prevSize > s.size) {
    return row(
      strategy,
      run,
      seq,
      "PARTIAL_EXIT",
      `${strategy}:${s.trade_id}:PX${s.leg}:${s.size}`,
      t,
      s,
      a,
      prevSize - s.size,
    );
  }
  return null;
}

function row(
  strategy: string,
  run: string,
  seq: number,
  type: TradeEventType,
  rowId: string,
  t: TransitionRecord,
  s: SlotRecord,
  a: AccountRecord,
  fill: number,
): TradeEventRow {
  return {
    row_id: rowId,
    strategy,
    run,
    seq,
    event_type: type,
    trade_id: s.trade_id,
    slot_id: s.slot_id,
    asset: s.asset,
    side: s.side ?? "",
    leverage: s.leverage,
    leg: s.leg,
    entry_price: s.entry_price,
    exit_price: type === "OPEN" ? 0 : (s.exit_order?.avg_fill_price ?? 0),
    fill_size: fill,
    position_size: s.size,
    realized_pnl: s.realized_pnl,
    unrealized_pnl: s.unrealized_pnl,
    fees: s.fees,
    capital: a.capital,
    equity: a.equity,
    trade_seq: a.trade_seq,
    exit_reason: s.exit_reason ?? "",
    version: s.version,
    now_ms: t.now_ms,
  };
}
