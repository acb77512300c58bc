/**
 * The binding's expectation of the kernel ABI (kernel/ABI.md): every record with every field
 * (reserved bytes included) and every constant the kernel describes. `verifyAbi`
 * (abi_verify.ts) compares the whole of it with the kernel's own `dita_abi_describe()` text at
 * load, both ways; a mismatch refuses to start with one line.
 *
 * Field names are literal types: `OFF.SlotImage.size_e8` is 24, and a misspelt field does not
 * compile. This file is the one definition of the record sizes in TypeScript (`RECORD_BYTES`).
 *
 * Entry points: `ABI`, `OFF`, `RECORD_BYTES`, `KERNEL_LIMITS` (the enum constants: abi_verify.ts).
 */

export const ABI_MAJOR = 1;
export const ABI_MINOR = 5;

export type FieldKind = "u8" | "u16" | "u32" | "u64" | "i64" | "f64" | "bytes" | "record";
export type FieldSpec = readonly [name: string, offset: number, width: number, kind: FieldKind];
export interface RecordSpec {
  readonly size: number;
  readonly fields: readonly FieldSpec[];
}

const ORDER_FIELDS = [
  ["present", 0, 1, "u8"],
  ["side", 1, 1, "u8"],
  ["status", 2, 1, "u8"],
  ["order_type", 3, 1, "u8"],
  ["role", 4, 1, "u8"],
  ["leg_lo", 5, 1, "u8"],
  ["hung", 6, 1, "u8"],
  ["reject_reason", 7, 1, "u8"],
  ["intended_e8", 8, 8, "i64"],
  ["filled_e8", 16, 8, "i64"],
  ["avg_fill_price", 24, 8, "f64"],
  ["limit_price", 32, 8, "f64"],
  ["fee", 40, 8, "f64"],
  ["last_update_ms", 48, 8, "u64"],
  ["created_at_ms", 56, 8, "u64"],
  ["venue_order_id", 64, 32, "bytes"],
  ["client_order_id", 96, 40, "bytes"],
  ["leg_hi", 136, 1, "u8"],
  ["_reserved", 137, 7, "bytes"],
] as const satisfies readonly FieldSpec[];

export const ABI = {
  InputRecord: {
    size: 320,
    fields: [
      ["kind", 0, 2, "u16"],
      ["_reserved0", 2, 2, "u16"],
      ["slot_id", 4, 4, "u32"],
      ["now_ms", 8, 8, "u64"],
      ["qty_e8", 16, 8, "i64"],
      ["last_qty_e8", 24, 8, "i64"],
      ["price", 32, 8, "f64"],
      ["last_price", 40, 8, "f64"],
      ["fee", 48, 8, "f64"],
      ["amount", 56, 8, "f64"],
      ["retry_after_ms", 64, 8, "i64"],
      ["value", 72, 8, "u64"],
      ["leverage", 80, 2, "u16"],
      ["side", 82, 1, "u8"],
      ["order_type", 83, 1, "u8"],
      ["exit_reason", 84, 1, "u8"],
      ["event_kind", 85, 1, "u8"],
      ["reject_reason", 86, 1, "u8"],
      ["stale_reason", 87, 1, "u8"],
      ["config_key", 88, 1, "u8"],
      ["order_role", 89, 1, "u8"],
      ["_reserved1", 90, 6, "bytes"],
      ["order_qty_e8", 96, 8, "i64"],
      ["order_filled_e8", 104, 8, "i64"],
      ["asset", 112, 24, "bytes"],
      ["trade_id", 136, 32, "bytes"],
      ["venue_order_id", 168, 32, "bytes"],
      ["client_order_id", 200, 40, "bytes"],
      ["event_id", 240, 64, "bytes"],
      ["client_intent_id", 304, 8, "u64"],
      ["_reserved2", 312, 8, "bytes"],
    ],
  },
  OrderImage: { size: 144, fields: ORDER_FIELDS },
  SlotImage: {
    size: 448,
    fields: [
      ["slot_id", 0, 4, "u32"],
      ["stage", 4, 1, "u8"],
      ["side", 5, 1, "u8"],
      ["exit_reason", 6, 1, "u8"],
      ["stale_reason", 7, 1, "u8"],
      ["version", 8, 8, "u64"],
      ["updated_at_ms", 16, 8, "u64"],
      ["size_e8", 24, 8, "i64"],
      ["entry_price", 32, 8, "f64"],
      ["leverage", 40, 2, "u16"],
      ["is_open", 42, 1, "u8"],
      ["leg_lo", 43, 1, "u8"],
      ["leg_hi", 44, 1, "u8"],
      ["_reserved0", 45, 3, "bytes"],
      ["realized_pnl", 48, 8, "f64"],
      ["unrealized_pnl", 56, 8, "f64"],
      ["mark_price", 64, 8, "f64"],
      ["fees", 72, 8, "f64"],
      ["entry_order", 80, 144, "record"],
      ["exit_order", 224, 144, "record"],
      ["asset", 368, 24, "bytes"],
      ["trade_id", 392, 32, "bytes"],
      ["realized_closed_legs", 424, 8, "f64"],
      ["fees_closed_orders", 432, 8, "f64"],
      ["_reserved1", 440, 8, "bytes"],
    ],
  },
  AccountImage: {
    size: 96,
    fields: [
      ["capital", 0, 8, "f64"],
      ["peak_capital", 8, 8, "f64"],
      ["drawdown", 16, 8, "f64"],
      ["drawdown_ratio", 24, 8, "f64"],
      ["fees_paid", 32, 8, "f64"],
      ["realized_pnl_total", 40, 8, "f64"],
      ["unrealized_pnl", 48, 8, "f64"],
      ["equity", 56, 8, "f64"],
      ["trade_seq", 64, 8, "u64"],
      ["version", 72, 8, "u64"],
      ["seeded", 80, 1, "u8"],
      ["_reserved", 81, 15, "bytes"],
    ],
  },
  TransitionRecord: {
    size: 32,
    fields: [
      ["input_index", 0, 4, "u32"],
      ["slot_id", 4, 4, "u32"],
      ["version", 8, 8, "u64"],
      ["now_ms", 16, 8, "u64"],
      ["from", 24, 1, "u8"],
      ["to", 25, 1, "u8"],
      ["trigger", 26, 1, "u8"],
      ["row", 27, 1, "u8"],
      ["_reserved", 28, 4, "u32"],
    ],
  },
  DiagnosticRecord: {
    size: 160,
    fields: [
      ["input_index", 0, 4, "u32"],
      ["slot_id", 4, 4, "u32"],
      ["code", 8, 2, "u16"],
      ["severity", 10, 1, "u8"],
      ["input_kind", 11, 1, "u8"],
      ["stage", 12, 1, "u8"],
      ["retryable", 13, 1, "u8"],
      ["field", 14, 1, "u8"],
      ["_reserved", 15, 1, "u8"],
      ["retry_after_ms", 16, 8, "i64"],
      ["value", 24, 8, "f64"],
      ["now_ms", 32, 8, "u64"],
      ["message", 40, 120, "bytes"],
    ],
  },
  OutcomeHeader: {
    size: 64,
    fields: [
      ["inputs", 0, 4, "u32"],
      ["accepted", 4, 4, "u32"],
      ["transitions", 8, 4, "u32"],
      ["diagnostics", 12, 4, "u32"],
      ["dirty_slots", 16, 32, "bytes"],
      ["account_dirty", 48, 1, "u8"],
      ["faulted", 49, 1, "u8"],
      ["_reserved", 50, 14, "bytes"],
    ],
  },
  SnapshotHeader: {
    size: 64,
    fields: [
      ["magic", 0, 8, "u64"],
      ["format_version", 8, 4, "u32"],
      ["abi_major", 12, 4, "u32"],
      ["abi_minor", 16, 4, "u32"],
      ["slot_count", 20, 4, "u32"],
      ["body_bytes", 24, 8, "u64"],
      ["checksum", 32, 8, "u64"],
      ["state_hash", 40, 8, "u64"],
      ["_reserved", 48, 16, "bytes"],
    ],
  },
} as const satisfies Readonly<Record<string, RecordSpec>>;

export type RecordName = keyof typeof ABI;
export type FieldName<R extends RecordName> = (typeof ABI)[R]["fields"][number][0];
export type Offsets = { readonly [R in RecordName]: { readonly [F in FieldName<R>]: number } };

/** Named offsets: `OFF.SlotImage.size_e8 === 24`. Built once from the table above. */
export const OFF = Object.fromEntries(
  Object.entries(ABI).map(([rec, spec]) => [
    rec,
    Object.freeze(Object.fromEntries(spec.fields.map(([n, o]) => [n, o]))),
  ]),
) as Offsets;

/** The record sizes, defined once for TypeScript (Zinc, encoder, decoder, clients use these). */
export const RECORD_BYTES = {
  input: ABI.InputRecord.size,
  slot: ABI.SlotImage.size,
  account: ABI.AccountImage.size,
  order: ABI.OrderImage.size,
} as const;

/** The kernel's limits and capacities (`const` lines without an enum prefix), exact as bigints. */
export const KERNEL_LIMITS = {
  SLOT_ANY: 0xffff_ffffn,
  QTY_SCALE_E8: 100_000_000n,
  QTY_MAX_E8: 100_000_000_000_000_000n,
  QTY_NOT_FINITE: -(2n ** 63n),
  QTY_OUT_OF_RANGE: -(2n ** 63n) + 1n,
  QTY_TOO_PRECISE: -(2n ** 63n) + 2n,
  PRICE_MAX: 1_000_000_000_000n,
  MONEY_MAX: 1_000_000_000_000_000n,
  LEVERAGE_MAX: 125n,
  SLOT_COUNT_MAX: 256n,
  HUNG_ORDER_MS_MAX: 86_400_000n,
  NOW_MS_MAX: 2n ** 53n - 1n,
  BATCH_MAX: 1024n,
  TRANSITIONS_CAPACITY: 4096n,
  DIAGNOSTICS_CAPACITY: 4352n,
  SEEN_EVENTS_PER_SLOT: 32n,
  FINISHED_ORDERS_PER_SLOT: 8n,
  MESSAGE_BYTES: 120n,
  ROW_NONE: 255n,
  EXIT_LEGS_MAX: 65_535n,
  ORDERS_PER_MINUTE_MAX: 1200n,
  MARKS_MAX: 64n,
  SNAPSHOT_MAGIC: 0x50414e5341544944n, // the bytes "DITASNAP", little-endian
  SNAPSHOT_FORMAT_VERSION: 2n,
  SNAPSHOT_FIXED_BYTES: 11_872n,
  SNAPSHOT_SLOT_BYTES: 2_704n,
} as const;

export const SLOT_ANY = Number(KERNEL_LIMITS.SLOT_ANY);
export const BATCH_MAX = Number(KERNEL_LIMITS.BATCH_MAX);
export const QTY_SCALE = Number(KERNEL_LIMITS.QTY_SCALE_E8);
/** A trade's exit legs: the kernel refuses EXIT and FLATTEN past this many. */
export const EXIT_LEGS_MAX = Number(KERNEL_LIMITS.EXIT_LEGS_MAX);
export const QTY_MAX_E8 = KERNEL_LIMITS.QTY_MAX_E8;
export const QTY_NOT_FINITE = KERNEL_LIMITS.QTY_NOT_FINITE;
export const QTY_OUT_OF_RANGE = KERNEL_LIMITS.QTY_OUT_OF_RANGE;
export const QTY_TOO_PRECISE = KERNEL_LIMITS.QTY_TOO_PRECISE;
