/**
 * Turns one raw user-stream frame into a typed fact. Frames are gzip-compressed binary (text is
 * accepted too); after gunzip a frame is `Ping`, or JSON with `e` = ORDER_TRADE_UPDATE,
 * ACCOUNT_CONFIG_UPDATE, ACCOUNT_UPDATE (its positions: `_account_update.ts`) or listenKeyExpired. An ORDER_TRADE_UPDATE becomes an `OrderFact` only when
 * every field the kernel needs is present and well-typed: order id `i` (exact string), client id
 * `c`, symbol `s`, status `X` (execution type `x` as fallback for NEW), cumulative filled `z`,
 * average price `ap`, last fill `l` at `L`, commission `n` of this trade, event time `E`. The unit
 * of the last decimal `ap` is written with travels along (`avg_price_unit`): the order tracker keeps
 * its own exact average and needs to know how far the venue's rounded one may stray from it.
 *
 * Anything else (bad gzip, non-JSON, missing or mistyped fields, numbers beyond 1e15, a last fill
 * `l` above the cumulative `z` or finer than BingX's 8 decimals, a commission `n` above
 * `FEE_RATE_MAX` of the filled notional `z` × max(`ap`, `L`)) is a `MALFORMED_PAYLOAD`
 * diagnostic: never an event, never a throw. (The order tracker divides by `l`: a 5e-324 there
 * would turn the order's fee into Infinity.)
 *
 * ACCOUNT_CONFIG_UPDATE (a symbol's leverage and margin mode, pushed at connect, on a change and
 * periodically) is not in the project's reference; its shape is per BingX's public swap websocket
 * documentation: `{"e":"ACCOUNT_CONFIG_UPDATE","E":ms,"ac":{"s":symbol,"l":long leverage,
 * "S":short leverage,"mt":"cross"|"isolated"}}`. Read defensively: it becomes a `VenueLeverage`
 * only when `s` is a symbol string, `l` and `S` are whole numbers in 1..`LEVERAGE_MAX` (a JSON
 * number or decimal text), `mt` is cross (or BingX's REST spelling "crossed") or isolated, in any
 * case, and `E` a time; else one MALFORMED_PAYLOAD naming the fields.
 *
 * Entry points: `decodeFrame`, `classifyFrame`, `kindForStatus`, `OrderFact`, `FrameResult`.
 */

import { gunzipSync } from "node:zlib";
import type { VenueDiagnostic, VenueEventKind, VenueLeverage, VenuePositionPush } from "../../contracts/venue.ts";
import { accountUpdate } from "./_account_update.ts";
import { LEVERAGE_MAX } from "./_leverage.ts";
import { normalizeStatus } from "./_parse.ts";
import { parseJsonSafe } from "./_safe_json.ts";
import { feeBelievable, idText, isRecord, num, numOrZero, text, writtenUnit } from "./_values.ts";

export const FRAME_BYTES_MAX = 1_000_000;
/** Decimals a BingX quantity carries at most. */
const QTY_DECIMALS_MAX = 8;

export interface OrderFact {
  venue_order_id: string;
  client_order_id: string;
  asset: string;
  status: "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED" | "EXPIRED";
  filled_size_cumulative: number;
  avg_price: number;
  /** The unit of `ap`'s last written decimal ("0.00001001": 1e-8), at least its rounding; absent: unknown. */
  avg_price_unit?: number;
  last_fill_size: number;
  last_fill_price: number;
  /** Commission `n` as a positive cost (per trade or per order: see OrderTracker's fee mode). */
  fee_trade: number;
  venue_time_ms: number;
}

export type FrameResult =
  | { type: "ping" }
  | { type: "order"; fact: OrderFact }
  | { type: "leverage"; fact: VenueLeverage }
  | { type: "positions"; positions: VenuePositionPush[] }
  | { type: "listen_key_expired" }
  | { type: "ignored"; event: string }
  | { type: "malformed"; diagnostic: VenueDiagnostic };

export function kindForStatus(status: OrderFact["status"]): VenueEventKind {
  switch (status) {
    case "NEW":
      return "ACK";
    case "PARTIALLY_FILLED":
      return "PARTIAL_FILL";
    case "FILLED":
      return "FULL_FILL";
    case "CANCELED":
    case "EXPIRED":
      return "CANCEL_ACK";
    case "REJECTED":
      return "REJECT";
  }
}

function malformed(message: string, details?: Record<string, unknown>): FrameResult {
  const diagnostic: VenueDiagnostic = { code: "MALFORMED_PAYLOAD", message };
  if (details) diagnostic.details = details;
  return { type: "malformed", diagnostic };
}

/** Frame bytes or text → text; binary frames are gunzipped. */
export function decodeFrame(
  data: string | ArrayBuffer | Uint8Array,
): { ok: true; text: string } | { ok: false; result: FrameResult } {
  if (typeof data === "string") {
    if (data.length > FRAME_BYTES_MAX)
      return { ok: false, result: malformed("text frame too large", { length: data.length }) };
    return { ok: true, text: data };
  }
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length > FRAME_BYTES_MAX)
    return { ok: false, result: malformed("binary frame too large", { length: bytes.length }) };
  try {
    const out = gunzipSync(bytes, { maxOutputLength: FRAME_BYTES_MAX });
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(out) };
  } catch {
    return { ok: false, result: malformed("binary frame is not valid gzip of UTF-8 text", { length: bytes.length }) };
  }
}

export function classifyFrame(textFrame: string): FrameResult {
  if (textFrame === "Ping" || textFrame === "ping") return { type: "ping" };
  const body = parseJsonSafe(textFrame);
  if (!isRecord(body)) return malformed("frame is not a JSON object", { prefix: textFrame.slice(0, 40) });
  const e = body.e;
  if (e === "ORDER_TRADE_UPDATE") return orderUpdate(body);
  if (e === "ACCOUNT_CONFIG_UPDATE") return accountConfigUpdate(body);
  if (e === "ACCOUNT_UPDATE") return accountUpdate(body, malformed);
  if (e === "listenKeyExpired") return { type: "listen_key_expired" };
  if (typeof e === "string") return { type: "ignored", event: e.slice(0, 40) };
  if (body.ping !== undefined) return { type: "ping" };
  return { type: "ignored", event: "" };
}

/** True when `v` has at most `decimals` decimals (up to binary residue). */
function withinDecimals(v: number, decimals: number): boolean {
  const scale = 10 ** decimals;
  return Math.abs(Math.round(v * scale) / scale - v) <= Math.abs(v) * 1e-12;
}

function orderUpdate(body: Record<string, unknown>): FrameResult {
  const o = body.o;
  if (!isRecord(o)) return malformed("ORDER_TRADE_UPDATE without an order object `o`");
  const id = idText(o.i);
  const cid = text(o.c, 40);
  const asset = text(o.s, 40);
  const status = normalizeStatus(o.X ?? (o.x === "NEW" ? "NEW" : undefined));
  const z = num(o.z);
  const ap = numOrZero(o.ap);
  const l = numOrZero(o.l);
  const L = numOrZero(o.L);
  const n = numOrZero(o.n);
  const time = num(body.E ?? o.T);
  const missing: string[] = [];
  if (!id) missing.push("i");
  if (!cid) missing.push("c");
  if (!asset) missing.push("s");
  if (!status) missing.push("X");
  if (z === undefined || z < 0) missing.push("z");
  if (ap === undefined || ap < 0) missing.push("ap");
  if (l === undefined || l < 0 || (z !== undefined && l > z) || !withinDecimals(l, QTY_DECIMALS_MAX)) missing.push("l");
  if (L === undefined || L < 0) missing.push("L");
  if (n === undefined || !feeBelievable(n, (z ?? 0) * Math.max(ap ?? 0, L ?? 0))) missing.push("n");
  if (time === undefined || time < 0) missing.push("E");
  if (missing.length > 0) {
    return malformed(`ORDER_TRADE_UPDATE with missing or invalid fields: ${missing.join(", ")}`, {
      fields: missing,
      order_id: id ?? null,
    });
  }
  return {
    type: "order",
    fact: {
      venue_order_id: id as string,
      client_order_id: cid as string,
      asset: asset as string,
      status: status as OrderFact["status"],
      filled_size_cumulative: z as number,
      avg_price: ap as number,
      avg_price_unit: writtenUnit(o.ap),
      last_fill_size: l as number,
      last_fill_price: L as number,
      fee_trade: Math.abs(n as number),
      venue_time_ms: time as number,
    },
  };
}

/** A pushed leverage: a whole number in 1..LEVERAGE_MAX (number or decimal text), else undefined. */
function leverageOf(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= LEVERAGE_MAX ? n : undefined;
}

/** `mt` in any case: cross (BingX's REST spells it "crossed") or isolated, else undefined. */
function marginModeOf(v: unknown): VenueLeverage["margin_mode"] | undefined {
  const mode = typeof v === "string" ? v.toLowerCase() : "";
  return mode === "cross" || mode === "crossed" ? "cross" : mode === "isolated" ? "isolated" : undefined;
}

function accountConfigUpdate(body: Record<string, unknown>): FrameResult {
  const ac = body.ac;
  if (!isRecord(ac)) return malformed("ACCOUNT_CONFIG_UPDATE without a configuration object `ac`");
  const asset = text(ac.s, 40);
  const long = leverageOf(ac.l);
  const short = leverageOf(ac.S);
  const mode = marginModeOf(ac.mt);
  const time = num(body.E);
  const missing: string[] = [];
  if (!asset) missing.push("s");
  if (long === undefined) missing.push("l");
  if (short === undefined) missing.push("S");
  if (mode === undefined) missing.push("mt");
  if (time === undefined || time < 0) missing.push("E");
  if (missing.length > 0) {
    return malformed(`ACCOUNT_CONFIG_UPDATE with missing or invalid fields: ${missing.join(", ")}`, {
      fields: missing,
      symbol: asset ?? null,
    });
  }
  return {
    type: "leverage",
    fact: {
      asset: asset as string,
      long: long as number,
      short: short as number,
      margin_mode: mode as VenueLeverage["margin_mode"],
      venue_time_ms: time as number,
    },
  };
}
