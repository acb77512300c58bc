/**
 * Row builders: snake_case rows for maps and tables, built from the kernel's wire records. Every
 * row carries `strategy`; map rows carry the kernel `version` (the compare-and-set key) and
 * `updated_at_ms`; table rows carry the kernel lifetime's `run` and a deterministic `row_id`:
 *
 *   `<strategy>:<run>:<seq>:T<k>`  the k-th transition of the input journaled as `seq` in run `run`
 *   `<strategy>:<run>:<seq>:D<k>`  the k-th diagnostic of that input
 *   `<strategy>:<run>:L<n>`        the n-th diagnostic the launcher issued itself in that run (edge
 *                                  refusals, orphans: no journaled input, so no replay rebuilds it)
 *   `<strategy>:<run>:C<version>`  the control snapshot of that version in that run (each change)
 *
 * Invariant: an id names one fact for the life of a namespace. `run` differs between kernel
 * lifetimes (launcher/run_id.ts) and `seq` between the inputs of one lifetime, so no two facts share
 * an id across restarts, lost state dirs or hosts; a replay of the same journal (same header run,
 * same seqs, same kernel outcomes) rebuilds the same ids, which the sinks store once.
 */
import type { ControlSnapshot } from "../contracts/control.ts";
import type { AccountRecord, DiagnosticRecord, SlotRecord, TransitionRecord } from "../contracts/records.ts";
import type { RecordRow, Row } from "./types.ts";

export function slotRow(strategy: string, s: SlotRecord): Row {
  return { strategy, ...s };
}

export function activeRow(strategy: string, s: SlotRecord): Row {
  return {
    strategy,
    slot_id: s.slot_id,
    stage: s.stage,
    trade_id: s.trade_id,
    asset: s.asset,
    side: s.side,
    version: s.version,
    updated_at_ms: s.updated_at_ms,
  };
}

export function accountRow(strategy: string, a: AccountRecord, nowMs: number): Row {
  return { strategy, ...a, updated_at_ms: nowMs };
}

export function controlRow(strategy: string, c: ControlSnapshot): Row {
  return { strategy, ...c };
}

/** One row per control snapshot (each accepted change): the keys people filter on, and all of it as JSON. */
export function controlChangeRow(strategy: string, run: string, c: ControlSnapshot): RecordRow {
  return {
    row_id: `${strategy}:${run}:C${c.version}`,
    strategy,
    run,
    version: c.version,
    updated_at_ms: c.updated_at_ms,
    trading_state: c.trading_state,
    mode: c.mode,
    snapshot: JSON.stringify(c),
  };
}

export function transitionRow(
  strategy: string,
  run: string,
  seq: number,
  k: number,
  t: TransitionRecord,
  s: SlotRecord,
) {
  return {
    row_id: `${strategy}:${run}:${seq}:T${k}`,
    strategy,
    run,
    seq,
    input_index: k,
    slot_id: t.slot_id,
    trade_id: s.trade_id,
    from_stage: t.from,
    to_stage: t.to,
    trigger: t.trigger,
    fsm_row: t.row,
    version: t.version,
    now_ms: t.now_ms,
    side: s.side ?? "",
    size: s.size,
    entry_price: s.entry_price,
    leg: s.leg,
    realized_pnl: s.realized_pnl,
    unrealized_pnl: s.unrealized_pnl,
    mark_price: s.mark_price,
    fees: s.fees,
    entry_status: s.entry_order?.status ?? "",
    entry_filled: s.entry_order?.filled_size ?? 0,
    exit_status: s.exit_order?.status ?? "",
    exit_filled: s.exit_order?.filled_size ?? 0,
  };
}

/** `launcher` ≥ 0: the n-th diagnostic the launcher issued itself (id `...:L<n>`); else the k-th of input `seq`. */
export function diagnosticRow(
  strategy: string,
  run: string,
  seq: number,
  k: number,
  d: DiagnosticRecord,
  launcher = -1,
) {
  return {
    row_id: launcher >= 0 ? `${strategy}:${run}:L${launcher}` : `${strategy}:${run}:${seq}:D${k}`,
    strategy,
    run,
    seq,
    input_index: launcher >= 0 ? 0 : k,
    code: d.code,
    severity: d.severity,
    slot_id: d.slot_id,
    message: d.message,
    details: JSON.stringify(d.details),
    now_ms: d.now_ms,
  };
}
