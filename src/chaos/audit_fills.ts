/**
 * Quantity compliance and fill-price tracking: the auditor's checks that the kernel's orders,
 * prices and PnL are the venue's, to the venue's precision. Pure: reads records, returns
 * violations.
 *
 * Invariants (the `invariant` field of a violation):
 *  Q1. QUANTITY    every kernel order the venue holds was placed for exactly the kernel's intended
 *                  size, and its filled size is the venue's (executed quantity and, where the venue
 *                  has a fill history, the sum of its fills).
 *  Q2. QUANTITY    per asset and side, the venue's position is what the fills of the run's trades
 *                  add up to (opening fills minus closing fills): a position that moved by more or
 *                  less than the fills reported is caught even when the kernel believes the reports.
 *  P1. FILL_PRICE  every kernel order's average fill price is the venue's (the order's average and
 *                  the VWAP of its fills), within the venue's price precision (8 decimals).
 *  P2. FILL_PRICE  a slot's entry price is the VWAP of its trade's entry fills; its realized PnL is
 *                  Σ exit fill × (price − entry VWAP) × direction; its fees are the trade's
 *                  commissions; each settled trade booked exactly realized − fees from the fills.
 *  P3. FILL_PRICE  when one trade alone opened the venue's position on its asset and side since
 *                  that position was last flat, the venue's average entry price (what the wallet
 *                  books against) equals the slot's entry price. This is what catches a venue that
 *                  reports fills at prices it did not book.
 *
 * Entry points: `auditFills(input)`, `everShared(fills, trades)`, `FillAuditInput`, `TradeInfo`.
 */

import type { OrderRecord, SlotRecord } from "../contracts/records.ts";
import type { PositionSide } from "../contracts/venue.ts";
import type { Settlement } from "./harness.ts";
import type { TruthFill, TruthOrder, VenueTruth } from "./truth.ts";

const QTY_EPS = 1e-9;
/** The venue reports prices with 8 decimals; two roundings may meet. */
const PRICE_EPS = 1e-8;
const MONEY_EPS = 1e-6;

/** A trade the kernel opened: where it trades, on which side. Keyed by lower-cased trade id. */
export interface TradeInfo {
  trade_id: string;
  asset: string;
  side: PositionSide;
}

export interface FillAuditInput {
  slots: readonly SlotRecord[];
  truth: VenueTruth;
  settlements: readonly Settlement[];
  trades: ReadonlyMap<string, TradeInfo>;
}

export interface FillViolation {
  invariant: "QUANTITY" | "FILL_PRICE";
  message: string;
}

/** Within `eps`, plus a few units of float rounding at the magnitude compared. */
const near = (a: number, b: number, eps: number) =>
  Math.abs(a - b) <= eps + 8 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b));

/** The fills of a trade's orders, grouped: entry fills and exit fills (every leg). */
interface TradeFills {
  entry: TruthFill[];
  exits: TruthFill[];
}

function tradeOf(cid: string): { trade: string; entry: boolean } | null {
  const m = /^(.*)-(e|x\d+)$/.exec(cid);
  return m ? { trade: m[1]!, entry: m[2] === "e" } : null;
}

function groupFills(fills: readonly TruthFill[]): Map<string, TradeFills> {
  const out = new Map<string, TradeFills>();
  for (const f of fills) {
    const t = tradeOf(f.client_order_id);
    if (!t) continue;
    const g = out.get(t.trade) ?? { entry: [], exits: [] };
    (t.entry ? g.entry : g.exits).push(f);
    out.set(t.trade, g);
  }
  return out;
}

const qtyOf = (fs: readonly TruthFill[]) => fs.reduce((s, f) => s + f.qty, 0);
const vwap = (fs: readonly TruthFill[]) => fs.reduce((s, f) => s + f.qty * f.price, 0) / qtyOf(fs);
const feesOf = (fs: readonly TruthFill[]) => fs.reduce((s, f) => s + f.fee, 0);

/** What a trade's fills say it realized and paid. */
function fromFills(g: TradeFills, side: PositionSide): { entry: number; realized: number; fees: number } {
  const entry = g.entry.length > 0 ? vwap(g.entry) : 0;
  const dir = side === "LONG" ? 1 : -1;
  const realized = g.exits.reduce((s, f) => s + f.qty * (f.price - entry) * dir, 0);
  return { entry, realized, fees: feesOf(g.entry) + feesOf(g.exits) };
}

export function auditFills(a: FillAuditInput): FillViolation[] {
  const out: FillViolation[] = [];
  const orders = new Map((a.truth.orders ?? []).map((o) => [o.client_order_id, o]));
  const fills = a.truth.fills;
  const byOrder = new Map<string, TruthFill[]>();
  for (const f of fills ?? []) byOrder.set(f.client_order_id, [...(byOrder.get(f.client_order_id) ?? []), f]);
  for (const s of a.slots) {
    for (const o of [s.entry_order, s.exit_order]) {
      // The venue lower-cases client ids; an order it never took (a local reject: no venue id) is not paired.
      const v = o?.venue_order_id ? orders.get(o.client_order_id.toLowerCase()) : undefined;
      if (o && v) out.push(...checkOrder(s, o, v, fills ? (byOrder.get(v.client_order_id) ?? []) : null));
    }
  }
  if (fills) {
    const grouped = groupFills(fills);
    for (const s of a.slots) out.push(...checkTrade(s, grouped));
    out.push(...checkSettlements(a.settlements, a.trades, grouped));
    out.push(...checkVenueEntry(a, fills));
  }
  return out;
}

function checkOrder(s: SlotRecord, o: OrderRecord, v: TruthOrder, fills: TruthFill[] | null): FillViolation[] {
  const out: FillViolation[] = [];
  const id = `slot ${s.slot_id} ${o.client_order_id}`;
  const q = (message: string) => out.push({ invariant: "QUANTITY", message: `${id}: ${message}` });
  const p = (message: string) => out.push({ invariant: "FILL_PRICE", message: `${id}: ${message}` });
  if (!near(v.size, o.intended_size, QTY_EPS))
    q(`the venue holds it for ${v.size}, the kernel asked for ${o.intended_size}`);
  if (o.status === "PENDING_SUBMIT") return out;
  if (!near(v.filled, o.filled_size, QTY_EPS)) q(`filled ${o.filled_size} in the kernel, ${v.filled} at the venue`);
  if (fills && !near(qtyOf(fills), v.filled, QTY_EPS))
    q(`the venue's fills add up to ${qtyOf(fills)}, its order says ${v.filled}`);
  if (o.filled_size > 0 && v.avg_price !== undefined && !near(o.avg_fill_price, v.avg_price, PRICE_EPS))
    p(`average ${o.avg_fill_price} in the kernel, ${v.avg_price} at the venue`);
  if (o.filled_size > 0 && fills && fills.length > 0 && !near(o.avg_fill_price, vwap(fills), PRICE_EPS))
    p(`average ${o.avg_fill_price} in the kernel, ${vwap(fills)} by the venue's fills`);
  return out;
}

function checkTrade(s: SlotRecord, grouped: Map<string, TradeFills>): FillViolation[] {
  if (s.side === null || s.trade_id === "" || !s.entry_order || s.entry_order.filled_size <= 0) return [];
  const g = grouped.get(s.trade_id.toLowerCase());
  if (!g || g.entry.length === 0) return [];
  const f = fromFills(g, s.side);
  const out: FillViolation[] = [];
  const p = (message: string) =>
    out.push({ invariant: "FILL_PRICE", message: `slot ${s.slot_id} trade ${s.trade_id}: ${message}` });
  if (!near(s.entry_price, f.entry, PRICE_EPS)) p(`entry price ${s.entry_price}, the venue's entry fills ${f.entry}`);
  const tradeQty = qtyOf(g.entry) + qtyOf(g.exits);
  if (!near(s.realized_pnl, f.realized, MONEY_EPS * (1 + tradeQty)))
    p(`realized PnL ${s.realized_pnl}, the venue's fills give ${f.realized}`);
  if (!near(s.fees, f.fees, MONEY_EPS)) p(`fees ${s.fees}, the venue's commissions ${f.fees}`);
  return out;
}

function checkSettlements(
  settlements: readonly Settlement[],
  trades: ReadonlyMap<string, TradeInfo>,
  grouped: Map<string, TradeFills>,
): FillViolation[] {
  const out: FillViolation[] = [];
  for (const st of settlements) {
    const info = trades.get(st.trade_id.toLowerCase());
    const g = grouped.get(st.trade_id.toLowerCase());
    if (!info || !g || g.entry.length === 0) continue;
    const f = fromFills(g, info.side);
    if (!near(st.amount, f.realized - f.fees, MONEY_EPS * (1 + qtyOf(g.entry))))
      out.push({
        invariant: "FILL_PRICE",
        message: `trade ${st.trade_id} settled ${st.amount}, its fills give realized ${f.realized} − fees ${f.fees}`,
      });
  }
  return out;
}

/**
 * True when two trades ever held one venue position (asset and side) at the same time: the venue
 * then books realized PnL against their blended average, which no single slot's figures show, so
 * the wallet can be compared with the kernel only once everything is flat.
 */
export function everShared(fills: readonly TruthFill[], trades: ReadonlyMap<string, TradeInfo>): boolean {
  const open = new Map<string, Map<string, number>>();
  for (const f of fills) {
    const t = tradeOf(f.client_order_id);
    const info = t ? trades.get(t.trade) : undefined;
    if (!t || !info) continue;
    const key = `${info.asset}|${info.side}`;
    const held = open.get(key) ?? new Map<string, number>();
    const left = (held.get(t.trade) ?? 0) + (t.entry ? f.qty : -f.qty);
    if (left > QTY_EPS) held.set(t.trade, left);
    else held.delete(t.trade);
    open.set(key, held);
    if (held.size > 1) return true;
  }
  return false;
}

/**
 * Q2 and P3: walks the venue's fills per asset and side; the walk's size is the venue's position,
 * and a position opened by one trade alone since it was last flat has that trade's entry price.
 */
function checkVenueEntry(a: FillAuditInput, fills: readonly TruthFill[]): FillViolation[] {
  const walk = new Map<string, { size: number; opened: Set<string> }>();
  for (const f of fills) {
    const t = tradeOf(f.client_order_id);
    const info = t ? a.trades.get(t.trade) : undefined;
    if (!t || !info) continue;
    const key = `${info.asset}|${info.side}`;
    const w = walk.get(key) ?? { size: 0, opened: new Set<string>() };
    w.size = t.entry ? w.size + f.qty : w.size - f.qty;
    if (t.entry) w.opened.add(t.trade);
    if (Math.abs(w.size) <= QTY_EPS) w.opened.clear();
    walk.set(key, w);
  }
  const out: FillViolation[] = [];
  const held = new Map(a.truth.positions.map((p) => [`${p.asset}|${p.side}`, p.size]));
  for (const [key, w] of walk) {
    const venue = held.get(key) ?? 0;
    if (!near(w.size, venue, QTY_EPS))
      out.push({
        invariant: "QUANTITY",
        message: `${key}: the venue's fills add up to a position of ${w.size}, the venue holds ${venue}`,
      });
  }
  for (const pos of a.truth.positions) {
    const w = walk.get(`${pos.asset}|${pos.side}`);
    const trade = w?.opened.size === 1 ? [...w.opened][0] : undefined;
    if (trade === undefined || pos.avg_price === undefined || pos.size <= QTY_EPS) continue;
    const slot = a.slots.find((s) => s.trade_id.toLowerCase() === trade && s.size > 0);
    if (slot && !near(slot.entry_price, pos.avg_price, PRICE_EPS))
      out.push({
        invariant: "FILL_PRICE",
        message: `${pos.asset} ${pos.side}: the venue booked the position at ${pos.avg_price}, slot ${slot.slot_id} entered at ${slot.entry_price}`,
      });
  }
  return out;
}
