/**
 * Wire records: the snake_case JSON shapes in which kernel state and outcomes leave the process
 * (HTTP, CLI, projection rows, journal). They are *decoded on demand* from kernel memory by
 * `src/kernel/`; no copy of execution state is kept in TypeScript.
 */

export const STAGES = [
  "IDLE",
  "ENTRY_WORKING",
  "POSITION_OPEN",
  "EXIT_WORKING",
  "CLOSED",
  "STALE_STATE_RECONCILING",
] as const;
export type Stage = (typeof STAGES)[number];

export const SIDES = ["LONG", "SHORT"] as const;
export type Side = (typeof SIDES)[number];

export const EXIT_REASONS = ["SIGNAL", "TP", "SL", "MANUAL"] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const ORDER_STATUSES = [
  "PENDING_SUBMIT",
  "ACKED",
  "PARTIALLY_FILLED",
  "FILLED",
  "CANCEL_REQUESTED",
  "CANCELLED",
  "REJECTED",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const STALE_REASONS = ["RESTART", "DIVERGENCE", "OPERATOR", "OVERFILL", "FOREIGN_ORDER"] as const;
export type StaleReason = (typeof STALE_REASONS)[number];

export const TRIGGERS = [
  "ENTER",
  "EXIT",
  "CANCEL",
  "MARK_PRICE",
  "TICK",
  "RECONCILE",
  "ACK",
  "PARTIAL_FILL",
  "FULL_FILL",
  "CANCEL_ACK",
  "CANCEL_REJECT",
  "REJECT",
  "MARK_STALE",
  "OVERFILL",
  "FOREIGN_ORDER",
  "RESTORE",
  "FLATTEN",
] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const SEVERITIES = ["INFO", "WARNING", "ERROR", "CRITICAL"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Diagnostic codes with their stable numeric values (index + 1). Never reorder; append only. */
export const DIAGNOSTIC_CODES = [
  "INVALID_SLOT_ID",
  "SLOT_BUSY",
  "SLOT_LIMIT_REACHED",
  "INVALID_INTENT",
  "NO_ACTIVE_EXIT_ORDER",
  "INVALID_TRANSITION",
  "STALE_STATE_RECONCILE",
  "DUPLICATE_EVENT",
  "UNKNOWN_ORDER",
  "OVERFILL",
  "HUNG_ORDER",
  "VENUE_REJECTED",
  "RATE_LIMITED",
  "CANCEL_REJECTED",
  "STALE_EVENT",
  "RECONCILED",
  "KERNEL_FAULT",
  "CAPITAL_SEEDED",
  "INPUT_SOURCE_REFUSED",
  "ORPHAN_POSITION",
  "ZINC_REGION_CORRUPT",
  "TRADING_HALTED",
  "REDUCE_ONLY",
  "RISK_LIMIT",
  "DRAWDOWN_LIMIT",
  "VENUE_MISMATCH",
  "ORPHAN_ORDER",
  "EXIT_LEGS_LOW",
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export interface OrderRecord {
  trade_id: string;
  venue_order_id: string;
  client_order_id: string;
  role: "ENTRY" | "EXIT";
  side: "BUY" | "SELL";
  order_type: "MARKET" | "LIMIT";
  status: OrderStatus;
  leg: number;
  intended_size: number;
  filled_size: number;
  avg_fill_price: number;
  limit_price: number | null;
  fee: number;
  hung: boolean;
  created_at_ms: number;
  last_update_ms: number;
}

export interface SlotRecord {
  slot_id: number;
  stage: Stage;
  trade_id: string;
  asset: string;
  side: Side | null;
  entry_price: number;
  size: number;
  leverage: number;
  is_open: boolean;
  leg: number;
  realized_pnl: number;
  unrealized_pnl: number;
  mark_price: number;
  fees: number;
  exit_reason: ExitReason | null;
  stale_reason: StaleReason | null;
  entry_order: OrderRecord | null;
  exit_order: OrderRecord | null;
  version: number;
  updated_at_ms: number;
}

export interface AccountRecord {
  capital: number;
  peak_capital: number;
  drawdown: number;
  drawdown_ratio: number;
  fees_paid: number;
  realized_pnl_total: number;
  unrealized_pnl: number;
  equity: number;
  trade_seq: number;
  version: number;
  seeded: boolean;
}

export interface TransitionRecord {
  input_index: number;
  slot_id: number;
  from: Stage;
  to: Stage;
  trigger: Trigger;
  row: number | null;
  version: number;
  now_ms: number;
}

export interface DiagnosticDetails {
  input_kind?: string;
  /** RISK_LIMIT, DRAWDOWN_LIMIT: the limit, spelled as its control key (`max_notional_per_trade`). */
  limit?: string;
  /** ORPHAN_POSITION: the venue position no slot owns (`value` is its size). */
  asset?: string;
  side?: Side;
  avg_price?: number;
  stage?: Stage;
  field?: string;
  value?: number;
  retryable?: boolean;
  retry_after_ms?: number;
  release_eta?: string;
  /** VENUE_MISMATCH of a leverage (`field` LEVERAGE): the venue's, and the one set or the slot's. */
  venue_leverage?: number;
  leverage?: number;
}

export interface DiagnosticRecord {
  code: DiagnosticCode;
  severity: Severity;
  slot_id: number | null;
  message: string;
  details: DiagnosticDetails;
  input_index: number;
  now_ms: number;
}

/** The answer to one input. */
export interface KernelOutcome {
  accepted: boolean;
  slot: SlotRecord | null;
  transitions: TransitionRecord[];
  diagnostics: DiagnosticRecord[];
}

/**
 * A kernel lifetime's id ("run"): drawn once per process by the launcher (16 hex digits of OS
 * randomness), written in the journal header, carried by every projected table row and its row id.
 */
export const RUN_ID_RE = /^[0-9a-z]{1,32}$/;
