/**
 * Where the InputRecord's fields are, as indices into 32- and 64-bit views of a record buffer
 * (from the checked ABI table `OFF`), for `RecordEncoder`. The enum bytes from `leverage` to
 * `order_role` share three 32-bit words (`ENUMS`, shifts in `SH`). Layout facts the encoder
 * relies on are checked once at load.
 */

import { ABI, OFF } from "../contracts/abi.ts";

const I = OFF.InputRecord;
type InputField = keyof typeof I;
export const INPUT_SIZE = ABI.InputRecord.size;
export const W32 = INPUT_SIZE / 4;
export const W64 = INPUT_SIZE / 8;

/** 32-bit word index of a field (fields are laid out on their natural alignment). */
const w32 = (name: InputField) => I[name] / 4;
const w64 = (name: InputField) => I[name] / 8;

export const NOW = w32("now_ms");
export const QTY = w32("qty_e8");
export const LAST_QTY = w32("last_qty_e8");
export const RETRY = w32("retry_after_ms");
export const VALUE = w32("value");
export const ORDER_QTY = w32("order_qty_e8");
export const ORDER_FILLED = w32("order_filled_e8");
export const PRICE = w64("price");
export const LAST_PRICE = w64("last_price");
export const FEE = w64("fee");
export const AMOUNT = w64("amount");

/** The enum bytes (leverage .. order_role) share three 32-bit words, always written whole. */
export const ENUMS = I.leverage / 4;
const shift = (name: InputField) => (I[name] - I.leverage) * 8;
export const SH = {
  side: shift("side"),
  orderType: shift("order_type"),
  exitReason: shift("exit_reason") - 32,
  eventKind: shift("event_kind") - 32,
  rejectReason: shift("reject_reason") - 32,
  staleReason: shift("stale_reason") - 32,
  configKey: shift("config_key") - 64,
  orderRole: shift("order_role") - 64,
};

/**
 * String fields: [first 32-bit word, width in words, width in bytes, FIELDS name, number among
 * the record's `STRING_FIELDS` string fields, whether consecutive inputs often repeat it (an
 * order's events carry the same venue and client order ids)].
 */
export type StringField = readonly [
  word: number,
  words: number,
  bytes: number,
  name: string,
  n: number,
  repeats: boolean,
];
const stringField = (name: InputField, field: string, n: number, repeats = false): StringField => {
  const width = ABI.InputRecord.fields.find((f) => f[0] === name)![2];
  return [w32(name), width / 4, width, field, n, repeats];
};
export const ASSET = stringField("asset", "ASSET", 0);
export const TRADE_ID = stringField("trade_id", "TRADE_ID", 1);
export const VENUE_ORDER_ID = stringField("venue_order_id", "VENUE_ORDER_ID", 2, true);
export const CLIENT_ORDER_ID = stringField("client_order_id", "CLIENT_ORDER_ID", 3, true);
export const EVENT_ID = stringField("event_id", "EVENT_ID", 4);
export const STRING_FIELDS = 5;

// The layout facts this file relies on, checked once at load (the ABI check covers the kernel).
for (const [name, align] of [
  ["now_ms", 8],
  ["qty_e8", 8],
  ["price", 8],
  ["asset", 8],
  ["event_id", 8],
  ["leverage", 4],
] as const) {
  if (I[name] % align !== 0) throw new Error(`Invariant: InputRecord.${name} is not ${align}-byte aligned`);
}
if (I.order_role - I.leverage >= 12 || I.kind !== 0 || I.slot_id !== 4)
  throw new Error("Invariant: InputRecord header/enum words moved");
