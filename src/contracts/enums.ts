/**
 * Numeric values of the ABI enums (kernel/ABI.md). Each list is in value order starting at 1,
 * so `value = index + 1` and zeroed memory decodes as invalid. `FIELDS` starts at 0 (NONE).
 */

export const INPUT_KINDS = [
  "ENTER",
  "EXIT",
  "CANCEL",
  "MARK_PRICE",
  "TICK",
  "RECONCILE",
  "VENUE_EVENT",
  "SEED_CAPITAL",
  "MARK_STALE",
  "CONFIGURE",
  "FLATTEN",
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/**
 * Where each input kind may come from (docs/architecture.md, "Inputs by source"): strategies
 * (HTTP, CLI, the Zinc intents ring) send intents and marks; only the venue adapter sends venue
 * events; only the launcher sends the rest. The kernel describes the same table
 * (`const INPUT_KIND_SOURCE_<KIND>`), checked at load.
 */
export const INPUT_SOURCES = ["STRATEGY", "VENUE", "SYSTEM"] as const;
export type InputSource = (typeof INPUT_SOURCES)[number];
export const SOURCE_OF_KIND: Readonly<Record<InputKind, InputSource>> = Object.freeze({
  ENTER: "STRATEGY",
  EXIT: "STRATEGY",
  CANCEL: "STRATEGY",
  MARK_PRICE: "STRATEGY",
  TICK: "SYSTEM",
  RECONCILE: "SYSTEM",
  VENUE_EVENT: "VENUE",
  SEED_CAPITAL: "SYSTEM",
  MARK_STALE: "SYSTEM",
  CONFIGURE: "SYSTEM",
  FLATTEN: "SYSTEM",
});

export const EVENT_KINDS = ["ACK", "PARTIAL_FILL", "FULL_FILL", "CANCEL_ACK", "CANCEL_REJECT", "REJECT"] as const;
export const REJECT_REASONS = ["VENUE", "RATE_LIMITED"] as const;
export const ORDER_TYPES = ["MARKET", "LIMIT"] as const;
export const ORDER_ROLES = ["ENTRY", "EXIT"] as const;
export const ORDER_SIDES = ["BUY", "SELL"] as const;
export const CONFIG_KEYS = [
  "ACTIVE_SLOT_LIMIT",
  "HUNG_ORDER_MS",
  "TRADING_STATE",
  "MAX_NOTIONAL_PER_TRADE",
  "MAX_GROSS_EXPOSURE",
  "MAX_ORDERS_PER_MINUTE",
  "MAX_LEVERAGE",
  "MAX_DRAWDOWN_RATIO",
] as const;
/** CONFIGURE keys whose value is money or a ratio (carried in the record's `amount`, not `value`). */
export const AMOUNT_CONFIG_KEYS: ReadonlySet<ConfigKey> = new Set([
  "MAX_NOTIONAL_PER_TRADE",
  "MAX_GROSS_EXPOSURE",
  "MAX_DRAWDOWN_RATIO",
]);
/** What the kernel lets through: ACTIVE everything, REDUCING exits and cancels, HALTED cancels. */
export const TRADING_STATES = ["ACTIVE", "REDUCING", "HALTED"] as const;
export type TradingState = (typeof TRADING_STATES)[number];
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export const FIELDS = [
  "NONE",
  "SLOT_ID",
  "NOW_MS",
  "SIZE",
  "PRICE",
  "LEVERAGE",
  "SIDE",
  "ORDER_TYPE",
  "EXIT_REASON",
  "EVENT_KIND",
  "REJECT_REASON",
  "ASSET",
  "TRADE_ID",
  "VENUE_ORDER_ID",
  "CLIENT_ORDER_ID",
  "EVENT_ID",
  "FEE",
  "AMOUNT",
  "STALE_REASON",
  "CONFIG_KEY",
  "VALUE",
  "KIND",
  "ORDER_ROLE",
  "LAST_SIZE",
  "LAST_PRICE",
  "RETRY_AFTER",
  "IMAGE",
  "TRADING_STATE",
  "MAX_NOTIONAL_PER_TRADE",
  "MAX_GROSS_EXPOSURE",
  "MAX_ORDERS_PER_MINUTE",
  "MAX_LEVERAGE",
  "MAX_DRAWDOWN_RATIO",
  "SNAPSHOT",
] as const;

/** value → name for 1-based enums; undefined for 0 or out of range. */
export function nameOf<T extends string>(list: readonly T[], value: number): T | undefined {
  return list[value - 1];
}

/** name → value for a 1-based enum as a frozen object: one property load on hot paths. */
export function byName<T extends string>(list: readonly T[]): Readonly<Record<T, number>> {
  return Object.freeze(Object.fromEntries(list.map((n, i) => [n, i + 1]))) as Readonly<Record<T, number>>;
}

/** name → value for 1-based enums; 0 (invalid) for anything unknown, including non-strings. */
export function enumValue(list: readonly string[], name: unknown): number {
  return typeof name === "string" ? list.indexOf(name) + 1 : 0;
}
