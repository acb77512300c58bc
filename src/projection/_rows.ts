/**
 * Row builders: snake_case rows for maps and tables, built from the kernel's wire records. Every
 * row carries `strategy`; map rows carry the kernel `version` (the compare-and-set key) and
 * `updated_at_ms`; table rows carry a deterministic `row_id` (`<strategy>:<journal seq>:<T|D><i>`)
 * so a replay of the same journal input dedupes.
 */
import type { ControlSnapshot } from "../contracts/control.ts";
import type { AccountRecord, DiagnosticRecord, SlotRecord, TransitionRecord } from "../contracts/records.ts";
import type { Row } from "./types.ts";

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

export function transitionRow(strategy: string, seq: number, i: number, t: TransitionRecord, s: SlotRecord) {
  return {
    row_id: `${strategy}:${seq}:T${i}`,
    strategy,
    seq,
    input_index: t.input_index,
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

export function diagnosticRow(strategy: string, seq: number, i: number, d: DiagnosticRecord) {
  return {
    row_id: `${strategy}:${seq}:D${i}`,
    strategy,
    seq,
    input_index: d.input_index,
    code: d.code,
    severity: d.severity,
    slot_id: d.slot_id,
    message: d.message,
    details: JSON.stringify(d.details),
    now_ms: d.now_ms,
  };
}
