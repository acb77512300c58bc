/**
 * The binding's expectation of the kernel ABI (kernel/ABI.md), checked field by field against
 * the kernel's own `dita_abi_describe()` text at load. A mismatch refuses to start with one line
 * naming the record, the field, both offsets and both versions.
 *
 * Entry points: `ABI`, `OFF` (named offsets for encoders/decoders), `verifyAbi(describeText)`.
 */

export const ABI_MAJOR = 1;
export const ABI_MINOR = 0;

type Kind = "u8" | "u16" | "u32" | "u64" | "i64" | "f64" | "bytes" | "record";
export type FieldSpec = readonly [name: string, offset: number, width: number, kind: Kind];

const ORDER_FIELDS: readonly FieldSpec[] = [
  ["present", 0, 1, "u8"],
  ["side", 1, 1, "u8"],
  ["status", 2, 1, "u8"],
  ["order_type", 3, 1, "u8"],
  ["role", 4, 1, "u8"],
  ["leg", 5, 1, "u8"],
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
];

export const ABI = {
  InputRecord: {
    size: 320,
    fields: [
      ["kind", 0, 2, "u16"],
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
      ["order_qty_e8", 96, 8, "i64"],
      ["order_filled_e8", 104, 8, "i64"],
      ["asset", 112, 24, "bytes"],
      ["trade_id", 136, 32, "bytes"],
      ["venue_order_id", 168, 32, "bytes"],
      ["client_order_id", 200, 40, "bytes"],
      ["event_id", 240, 64, "bytes"],
    ] as readonly FieldSpec[],
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
      ["leg", 43, 1, "u8"],
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
    ] as readonly FieldSpec[],
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
    ] as readonly FieldSpec[],
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
    ] as readonly FieldSpec[],
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
      ["retry_after_ms", 16, 8, "i64"],
      ["value", 24, 8, "f64"],
      ["now_ms", 32, 8, "u64"],
      ["message", 40, 120, "bytes"],
    ] as readonly FieldSpec[],
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
    ] as readonly FieldSpec[],
  },
} as const;

export type RecordName = keyof typeof ABI;

/** Named offsets: OFF.SlotImage.size_e8 === 24. Built once from the table above. */
export const OFF = Object.fromEntries(
  Object.entries(ABI).map(([rec, spec]) => [rec, Object.fromEntries(spec.fields.map(([n, o]) => [n, o]))]),
) as { [R in RecordName]: Record<string, number> };

export const SLOT_ANY = 0xffff_ffff;
export const BATCH_MAX = 1024;
export const QTY_SCALE = 100_000_000;
export const QTY_MAX_E8 = 100_000_000_000_000_000n;
export const QTY_NOT_FINITE = -(2n ** 63n);
export const QTY_OUT_OF_RANGE = -(2n ** 63n) + 1n;
export const QTY_TOO_PRECISE = -(2n ** 63n) + 2n;

/**
 * Compares the kernel's description with the table above. Returns null when they agree, else
 * one line describing the first mismatch.
 */
export function verifyAbi(describe: string): string | null {
  const lines = describe
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const head = lines[0]?.split(/\s+/) ?? [];
  const kernelVersion = `${head[1]}.${head[2]}`;
  const versions = `(kernel ABI ${kernelVersion}, binding ${ABI_MAJOR}.${ABI_MINOR})`;
  if (head[0] !== "DITA-ABI") return `ABI mismatch: kernel description does not start with DITA-ABI ${versions}`;
  if (head[3] !== "little") return `ABI mismatch: kernel is ${head[3]}-endian, binding expects little ${versions}`;
  if (Number(head[1]) !== ABI_MAJOR) return `ABI mismatch: major version differs ${versions}`;
  const sizes = new Map<string, number>();
  const fields = new Map<string, [number, number, string]>();
  for (const line of lines.slice(1)) {
    const p = line.split(/\s+/);
    if (p[0] === "record") sizes.set(p[1]!, Number(p[2]));
    if (p[0] === "field") fields.set(`${p[1]}.${p[2]}`, [Number(p[3]), Number(p[4]), p[5]!]);
  }
  for (const [rec, spec] of Object.entries(ABI)) {
    const size = sizes.get(rec);
    if (size !== spec.size)
      return `ABI mismatch: ${rec} size kernel=${size ?? "missing"} binding=${spec.size} ${versions}`;
    for (const [name, offset, width, kind] of spec.fields) {
      const k = fields.get(`${rec}.${name}`);
      if (!k) return `ABI mismatch: ${rec}.${name} missing in kernel ${versions}`;
      if (k[0] !== offset) return `ABI mismatch: ${rec}.${name} offset kernel=${k[0]} binding=${offset} ${versions}`;
      if (k[1] !== width) return `ABI mismatch: ${rec}.${name} width kernel=${k[1]} binding=${width} ${versions}`;
      if (k[2] !== kind) return `ABI mismatch: ${rec}.${name} kind kernel=${k[2]} binding=${kind} ${versions}`;
    }
  }
  return null;
}
