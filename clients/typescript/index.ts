/**
 * dita-v2-client for TypeScript (Bun): connect a strategy to a DITAv2 kernel over Zinc shared
 * memory, submit intents and read their outcomes, read slots, account and control, translate
 * decisions into intents. Guide: docs/strategy-guide.md. Layout: ffi/README.md.
 */

export { type ClientInfo, type ConnectOptions, DitaClient, READ_BUSY_MS, type StateView } from "./client.ts";
export * from "./errors.ts";
export {
  type CancelIntent,
  type EnterIntent,
  type ExitIntent,
  encodeIntent,
  INTENT_BYTES,
  type Intent,
  type MarkPriceIntent,
} from "./intents.ts";
export {
  DIAGNOSTIC_CODES,
  decodeOutcome,
  ORIGINS,
  type Origin,
  type Outcome,
  type OutcomeDiagnostic,
} from "./outcome.ts";
export {
  type Account,
  type ControlSnapshot,
  decodeAccount,
  decodeControl,
  decodeSlot,
  type ExitReason,
  type Order,
  type OrderStatus,
  type Side,
  type Slot,
  STAGES,
  type Stage,
  TRADING_STATES,
  type TradingState,
} from "./records.ts";
export {
  type ReconcileReport,
  Seam,
  type SeamOptions,
  type SeamRefusalReport,
  type SeamResult,
  type SeamStep,
  type SeamWarningReport,
} from "./seam.ts";
export {
  cancel,
  closeAll,
  type Decision,
  floorToStep,
  openLong,
  openShort,
  type Plan,
  type PlanContext,
  planDecision,
  type SeamRefusal,
  type SeamRefusalCode,
  scaleOut,
  stopLoss,
  takeProfit,
} from "./seam_plan.ts";
