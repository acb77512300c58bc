/**
 * What a strategy reads from the state and control regions, decoded from the kernel's images
 * (kernel/ABI.md SlotImage, OrderImage, AccountImage; ffi/README.md §6 ControlSnapshot) into
 * typed, camel-cased records. Every byte read from shared memory is validated: an enum outside
 * its range (the control snapshot's trading state too), a boolean byte other than 0 or 1, or a risk
 * limit outside its range is a `CorruptRegionError` naming the field, never a wrong value. Sizes are the double
 * nearest the kernel's i64 count of 1e-8 (rounded once, as the Python client does); above 2^53
 * units (about 9e7 base units) a double cannot hold every size, so a slot keeps its exact `sizeE8`.
 *
 * Entry points: `decodeSlot`, `decodeAccount`, `decodeControl`, the enum lists and types.
 */

import { fromE8 } from "./_decimal.ts";
import { CorruptRegionError } from "./errors.ts";

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
const STALE_REASONS = ["RESTART", "DIVERGENCE", "OPERATOR", "OVERFILL", "FOREIGN_ORDER"] as const;
const MODES = ["NORMAL", "DEBUG"] as const;
const VERBOSITIES = ["QUIET", "VERBOSE", "TRACE"] as const;
const BACKENDS = ["MOCK", "BINGX"] as const;
/** ACTIVE; REDUCING: exits and cancels only; HALTED: cancels only (ffi/README.md §6, byte 27). */
export const TRADING_STATES = ["ACTIVE", "REDUCING", "HALTED"] as const;
export type TradingState = (typeof TRADING_STATES)[number];
/** The risk limits at bytes 32..62: property, wire name, offset, width, range (0 = off), as src/contracts/control.ts. */
const RISK_LIMITS = [
  ["maxNotionalPerTrade", "max_notional_per_trade", 32, "f64", 1e15],
  ["maxGrossExposure", "max_gross_exposure", 40, "f64", 1e15],
  ["maxDrawdownRatio", "max_drawdown_ratio", 48, "f64", 1],
  ["maxOrdersPerMinute", "max_orders_per_minute", 56, "u32", 1200],
  ["maxLeverage", "max_leverage", 60, "u16", 125],
] as const;

export const SLOT_BYTES = 448;
export const ACCOUNT_BYTES = 96;
export const CONTROL_BYTES = 64;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface Order {
  role: "ENTRY" | "EXIT";
  side: "BUY" | "SELL";
  type: "MARKET" | "LIMIT";
  status: OrderStatus;
  leg: number;
  intendedSize: number;
  filledSize: number;
  avgFillPrice: number;
  limitPrice: number | null;
  fee: number;
  hung: boolean;
  venueOrderId: string;
  clientOrderId: string;
  createdAtMs: number;
  lastUpdateMs: number;
}

export interface Slot {
  slotId: number;
  stage: Stage;
  tradeId: string;
  asset: string;
  side: Side | null;
  size: number;
  entryPrice: number;
  leverage: number;
  isOpen: boolean;
  leg: number;
  realizedPnl: number;
  unrealizedPnl: number;
  markPrice: number;
  fees: number;
  exitReason: ExitReason | null;
  staleReason: (typeof STALE_REASONS)[number] | null;
  entryOrder: Order | null;
  exitOrder: Order | null;
  version: number;
  updatedAtMs: number;
  /** The position exactly, in 1e-8 units (always set by `decodeSlot`; absent on a Slot built by hand). */
  sizeE8?: bigint;
}

export interface Account {
  capital: number;
  peakCapital: number;
  drawdown: number;
  drawdownRatio: number;
  feesPaid: number;
  realizedPnlTotal: number;
  unrealizedPnl: number;
  equity: number;
  tradeSeq: number;
  version: number;
  seeded: boolean;
}

export interface ControlSnapshot {
  version: number;
  updatedAtMs: number;
  activeSlotLimit: number;
  mode: (typeof MODES)[number];
  verbosity: (typeof VERBOSITIES)[number];
  backend: (typeof BACKENDS)[number];
  debugClickhouseEnabled: boolean;
  traceTransitions: boolean;
  mirrorToHazelcast: boolean;
  reconcileOnRestart: boolean;
  /** ACTIVE; REDUCING: the kernel refuses entries; HALTED: it refuses everything but cancels. */
  tradingState: TradingState;
  /** The risk limits; 0 = off. */
  maxNotionalPerTrade: number;
  maxGrossExposure: number;
  maxDrawdownRatio: number;
  maxOrdersPerMinute: number;
  maxLeverage: number;
}

function u64(dv: DataView, at: number): number {
  return dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 4294967296;
}

/** An i64 count of 1e-8 as the double nearest its exact value (one rounding, never two). */
function qty(dv: DataView, at: number): number {
  return fromE8(dv.getBigInt64(at, true));
}

/** A 1-based enum value; `optional` lets 0 mean "none". */
function pick<T extends string>(list: readonly T[], v: number, what: string, optional: true): T | null;
function pick<T extends string>(list: readonly T[], v: number, what: string, optional: false): T;
function pick<T extends string>(list: readonly T[], v: number, what: string, optional: boolean): T | null {
  if (v === 0 && optional) return null;
  const name = list[v - 1];
  if (name === undefined) throw new CorruptRegionError(`${what} = ${v} is outside 1..${list.length}`);
  return name;
}

function text(bytes: Uint8Array, at: number, width: number, what: string): string {
  const raw = bytes.subarray(at, at + width);
  const end = raw.indexOf(0);
  try {
    return utf8.decode(end < 0 ? raw : raw.subarray(0, end));
  } catch {
    throw new CorruptRegionError(`${what} is not UTF-8`);
  }
}

/** A boolean byte: 0 or 1, anything else hostile bytes (never a wrong boolean). */
function flag(v: number, what: string): boolean {
  if (v > 1) throw new CorruptRegionError(`${what} = ${v} is not 0 or 1`);
  return v === 1;
}

function decodeOrder(bytes: Uint8Array, dv: DataView, at: number): Order | null {
  if (bytes[at] === 0) return null;
  const limit = dv.getFloat64(at + 32, true);
  return {
    side: pick(["BUY", "SELL"] as const, bytes[at + 1]!, "order side", false),
    status: pick(ORDER_STATUSES, bytes[at + 2]!, "order status", false),
    type: pick(["MARKET", "LIMIT"] as const, bytes[at + 3]!, "order type", false),
    role: pick(["ENTRY", "EXIT"] as const, bytes[at + 4]!, "order role", false),
    leg: bytes[at + 5]! + 256 * bytes[at + 136]!, // leg_lo + 256 × leg_hi
    hung: flag(bytes[at + 6]!, "order hung"),
    intendedSize: qty(dv, at + 8),
    filledSize: qty(dv, at + 16),
    avgFillPrice: dv.getFloat64(at + 24, true),
    limitPrice: limit === 0 ? null : limit,
    fee: dv.getFloat64(at + 40, true),
    lastUpdateMs: u64(dv, at + 48),
    createdAtMs: u64(dv, at + 56),
    venueOrderId: text(bytes, at + 64, 32, "venue_order_id"),
    clientOrderId: text(bytes, at + 96, 40, "client_order_id"),
  };
}

/** Decodes one 448-byte slot image; an all-zero image (never written) is slot `index`, IDLE. */
export function decodeSlot(bytes: Uint8Array, index: number): Slot {
  if (bytes.byteLength !== SLOT_BYTES) throw new CorruptRegionError(`slot image is ${bytes.byteLength} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blank = bytes[4] === 0 && dv.getUint32(0, true) === 0 && u64(dv, 8) === 0;
  const slotId = dv.getUint32(0, true);
  if (!blank && slotId !== index) throw new CorruptRegionError(`slot ${index} image says slot_id ${slotId}`);
  return {
    slotId: index,
    stage: blank ? "IDLE" : pick(STAGES, bytes[4]!, `slot ${index} stage`, false),
    side: pick(SIDES, bytes[5]!, `slot ${index} side`, true),
    exitReason: pick(EXIT_REASONS, bytes[6]!, `slot ${index} exit_reason`, true),
    staleReason: pick(STALE_REASONS, bytes[7]!, `slot ${index} stale_reason`, true),
    version: u64(dv, 8),
    updatedAtMs: u64(dv, 16),
    size: qty(dv, 24),
    sizeE8: dv.getBigInt64(24, true),
    entryPrice: dv.getFloat64(32, true),
    leverage: dv.getUint16(40, true),
    isOpen: flag(bytes[42]!, `slot ${index} is_open`),
    leg: bytes[43]! + 256 * bytes[44]!, // leg_lo + 256 × leg_hi
    realizedPnl: dv.getFloat64(48, true),
    unrealizedPnl: dv.getFloat64(56, true),
    markPrice: dv.getFloat64(64, true),
    fees: dv.getFloat64(72, true),
    entryOrder: decodeOrder(bytes, dv, 80),
    exitOrder: decodeOrder(bytes, dv, 224),
    asset: text(bytes, 368, 24, `slot ${index} asset`),
    tradeId: text(bytes, 392, 32, `slot ${index} trade_id`),
  };
}

export function decodeAccount(bytes: Uint8Array): Account {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f = (at: number) => dv.getFloat64(at, true);
  return {
    capital: f(0),
    peakCapital: f(8),
    drawdown: f(16),
    drawdownRatio: f(24),
    feesPaid: f(32),
    realizedPnlTotal: f(40),
    unrealizedPnl: f(48),
    equity: f(56),
    tradeSeq: u64(dv, 64),
    version: u64(dv, 72),
    seeded: flag(bytes[80]!, "account seeded"),
  };
}

/** The risk limits, each checked against its range (a NaN too). */
function riskLimits(dv: DataView): Pick<ControlSnapshot, (typeof RISK_LIMITS)[number][0]> {
  const out = {} as Record<(typeof RISK_LIMITS)[number][0], number>;
  for (const [key, wire, at, width, max] of RISK_LIMITS) {
    const v =
      width === "f64" ? dv.getFloat64(at, true) : width === "u32" ? dv.getUint32(at, true) : dv.getUint16(at, true);
    if (!(v >= 0 && v <= max)) throw new CorruptRegionError(`control ${wire} = ${v} is outside 0..${max}`);
    out[key] = v;
  }
  return out;
}

/**
 * Decodes the 64-byte control snapshot (null when none was written yet). The reserved bytes
 * (28..32, 62..64) are not read: a newer kernel may use them for switches this client does not know.
 */
export function decodeControl(bytes: Uint8Array): ControlSnapshot | null {
  if (bytes.every((b) => b === 0)) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bool = (at: number, what: string) => {
    if (bytes[at]! > 1) throw new CorruptRegionError(`control ${what} = ${bytes[at]} is not 0 or 1`);
    return bytes[at] === 1;
  };
  return {
    version: u64(dv, 0),
    updatedAtMs: u64(dv, 8),
    activeSlotLimit: dv.getUint32(16, true),
    mode: pick(MODES, bytes[20]!, "control mode", false),
    verbosity: pick(VERBOSITIES, bytes[21]!, "control verbosity", false),
    backend: pick(BACKENDS, bytes[22]!, "control backend", false),
    debugClickhouseEnabled: bool(23, "debug_clickhouse_enabled"),
    traceTransitions: bool(24, "trace_transitions"),
    mirrorToHazelcast: bool(25, "mirror_to_hazelcast"),
    reconcileOnRestart: bool(26, "reconcile_on_restart"),
    tradingState: pick(TRADING_STATES, bytes[27]!, "control trading_state", false),
    ...riskLimits(dv),
  };
}
