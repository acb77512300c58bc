/**
 * The state-invariant checker: compares the kernel's belief with the exchange's truth once the
 * system is quiescent, and checks the kernel's own invariants. Pure: it reads records, returns
 * violations, changes nothing.
 *
 * Invariants (the `invariant` field of a violation):
 *  1. POSITION      per (asset, side) the kernel's slot sizes add up to the venue's position.
 *  2. ORPHAN_ORDER  every order open at the venue is a working order of some slot.
 *  3. STUCK_WORKING every slot in ENTRY_WORKING / EXIT_WORKING (after hung resolution) has its
 *                   order open at the venue with the same filled size.
 *  4. SIZE          sizes and fills are finite and non-negative, fills never exceed the order,
 *                   POSITION_OPEN / EXIT_WORKING hold a position.
 *  5. CAPITAL       capital = seed + Σ settlements of trades that reached CLOSED (capital changes
 *                   only by settlement), and trade_seq counts those settlements.
 *  6. STALE         no slot is left in STALE_STATE_RECONCILING (nothing diverged).
 *  7. ROUTING       the kernel never saw UNKNOWN_ORDER or OVERFILL (every event found its order).
 *  8. DUPLICATE     the venue placed at most one order per client order id.
 *  9. WALLET        the venue's wallet is the kernel's capital plus what its open trades already
 *                   booked (Σ realized − fees of slots holding an open trade: the venue books fills
 *                   at once, the kernel settles at the close), within fee rounding, after every
 *                   step — or, when two trades ever shared one venue position (the venue then
 *                   books against their blended average), once the venue is flat.
 * 10. QUANTITY, FILL_PRICE  quantity compliance and fill-price tracking against the venue's orders
 *                   and fill history (audit_fills.ts, numbered Q1, Q2, P1–P3 there).
 * 11. NEGATIVE_CAPITAL  capital and equity are finite and capital is never below zero.
 * 12. ILLEGAL_TRANSITION every transition the kernel reported since the last audit is a row of its
 *                   own transition table (from, trigger, to), or a RESTORE (a validated slot write).
 *
 * Entry points: `audit(input)`, `AuditInput`, `Violation`.
 */

import { isWorkingOrder } from "../contracts/order_status.ts";
import type {
  AccountRecord,
  DiagnosticRecord,
  OrderRecord,
  SlotRecord,
  TransitionRecord,
} from "../contracts/records.ts";
import { auditFills, everShared, type TradeInfo } from "./audit_fills.ts";
import type { Settlement } from "./harness.ts";
import type { VenueTruth } from "./truth.ts";

const QTY_EPS = 1e-9;
const MONEY_EPS = 1e-6;
/** Rounding of venue fee text (6–8 decimals) per settled trade, for the wallet comparison. */
const WALLET_EPS_PER_TRADE = 1e-3;

export interface AuditInput {
  slots: readonly SlotRecord[];
  account: AccountRecord;
  truth: VenueTruth;
  seededCapital: number;
  /** Settlements booked since `seededCapital` was seeded (this process's). */
  settlements: readonly Settlement[];
  /** Every settlement of the run, restarts included (checked against the fills); default `settlements`. */
  settledTrades?: readonly Settlement[];
  /** The trades the kernel opened, by lower-cased trade id (for the fill checks). */
  trades?: ReadonlyMap<string, TradeInfo>;
  diagnostics: readonly DiagnosticRecord[];
  /** Transitions reported since the last audit, and the legal `from trigger to` rows (`legalRows`). */
  transitions?: readonly TransitionRecord[];
  legal?: ReadonlySet<string>;
}

export interface Violation {
  invariant:
    | "POSITION"
    | "ORPHAN_ORDER"
    | "STUCK_WORKING"
    | "SIZE"
    | "CAPITAL"
    | "STALE"
    | "ROUTING"
    | "DUPLICATE"
    | "WALLET"
    | "QUANTITY"
    | "FILL_PRICE"
    | "NEGATIVE_CAPITAL"
    | "ILLEGAL_TRANSITION";
  message: string;
}

export function audit(a: AuditInput): Violation[] {
  return [
    ...checkPositions(a),
    ...checkOrders(a),
    ...checkSizes(a.slots),
    ...checkCapital(a),
    ...checkDiagnostics(a),
    ...checkTransitions(a),
    ...auditFills({
      slots: a.slots,
      truth: a.truth,
      settlements: a.settledTrades ?? a.settlements,
      trades: a.trades ?? new Map(),
    }),
  ];
}

const near = (x: number, y: number, eps: number) => Math.abs(x - y) <= eps * Math.max(1, Math.abs(x), Math.abs(y));
/** Absolute: within `eps`, plus a few units of float rounding at the magnitude compared (money). */
const within = (x: number, y: number, eps: number) =>
  Math.abs(x - y) <= eps + 8 * Number.EPSILON * Math.max(Math.abs(x), Math.abs(y));

function checkPositions(a: AuditInput): Violation[] {
  const belief = new Map<string, number>();
  for (const s of a.slots) {
    if (s.size > 0 && s.side !== null)
      belief.set(`${s.asset}|${s.side}`, (belief.get(`${s.asset}|${s.side}`) ?? 0) + s.size);
  }
  const truth = new Map<string, number>();
  // Negative: a live run's part of a position the account held before, which the run ate into.
  for (const p of a.truth.positions) if (Math.abs(p.size) > QTY_EPS) truth.set(`${p.asset}|${p.side}`, p.size);
  const out: Violation[] = [];
  for (const key of new Set([...belief.keys(), ...truth.keys()])) {
    const k = belief.get(key) ?? 0;
    const v = truth.get(key) ?? 0;
    if (!near(k, v, QTY_EPS))
      out.push({ invariant: "POSITION", message: `${key}: kernel holds ${k}, venue holds ${v}` });
  }
  return out;
}

function workingOrder(s: SlotRecord): OrderRecord | null {
  if (s.stage === "ENTRY_WORKING") return s.entry_order;
  if (s.stage === "EXIT_WORKING") return s.exit_order;
  return null;
}

function checkOrders(a: AuditInput): Violation[] {
  const out: Violation[] = [];
  const venue = new Map(a.truth.open_orders.map((o) => [o.client_order_id, o]));
  const known = new Set<string>();
  for (const s of a.slots) {
    const o = workingOrder(s);
    if (o === null) continue;
    const cid = o.client_order_id.toLowerCase();
    known.add(cid);
    const v = venue.get(cid);
    if (!v || !isWorkingOrder(o.status)) {
      out.push({
        invariant: "STUCK_WORKING",
        message: `slot ${s.slot_id} is ${s.stage} with ${o.client_order_id} ${o.status}, but the venue has no such open order`,
      });
    } else if (!near(v.filled, o.filled_size, QTY_EPS)) {
      out.push({
        invariant: "STUCK_WORKING",
        message: `slot ${s.slot_id}: ${o.client_order_id} filled ${o.filled_size} in the kernel, ${v.filled} at the venue`,
      });
    }
  }
  for (const v of a.truth.open_orders) {
    if (!known.has(v.client_order_id))
      out.push({
        invariant: "ORPHAN_ORDER",
        message: `venue order ${v.client_order_id} (${v.asset}) is open but no slot works it`,
      });
  }
  return out;
}

function checkSizes(slots: readonly SlotRecord[]): Violation[] {
  const out: Violation[] = [];
  for (const s of slots) {
    const bad = (why: string) => out.push({ invariant: "SIZE", message: `slot ${s.slot_id} (${s.stage}): ${why}` });
    if (!(Number.isFinite(s.size) && s.size >= 0)) bad(`size ${s.size}`);
    if ((s.stage === "POSITION_OPEN" || s.stage === "EXIT_WORKING") && !(s.size > 0)) bad("holds no position");
    for (const o of [s.entry_order, s.exit_order]) {
      if (o && !(o.filled_size >= 0 && o.filled_size <= o.intended_size + QTY_EPS))
        bad(`${o.client_order_id} filled ${o.filled_size} of ${o.intended_size}`);
    }
  }
  return out;
}

function checkCapital(a: AuditInput): Violation[] {
  const out: Violation[] = [];
  const expected = a.settlements.reduce((sum, s) => sum + s.amount, a.seededCapital);
  // Both sides sum the same settlements in f64: a relative tolerance (× capital) hid lost fees.
  if (!within(a.account.capital, expected, MONEY_EPS)) {
    out.push({ invariant: "CAPITAL", message: `capital ${a.account.capital} but seed + settlements = ${expected}` });
  }
  if (a.account.trade_seq !== a.settlements.length) {
    out.push({
      invariant: "CAPITAL",
      message: `trade_seq ${a.account.trade_seq} but ${a.settlements.length} trades settled`,
    });
  }
  const acc = a.account;
  if (!(Number.isFinite(acc.capital) && Number.isFinite(acc.equity) && acc.capital >= 0))
    out.push({ invariant: "NEGATIVE_CAPITAL", message: `capital ${acc.capital}, equity ${acc.equity}` });
  const flat =
    a.truth.positions.every((p) => Math.abs(p.size) <= QTY_EPS) &&
    a.truth.open_orders.length === 0 &&
    a.slots.every((s) => !s.is_open);
  const open = a.slots.filter((s) => s.is_open);
  const booked = open.reduce((sum, s) => sum + s.realized_pnl - s.fees, 0);
  const comparable = flat || (a.truth.fills !== undefined && !everShared(a.truth.fills, a.trades ?? new Map()));
  const eps = WALLET_EPS_PER_TRADE * (a.settlements.length + open.length + 1);
  if (comparable && a.truth.wallet !== null && Math.abs(a.account.capital + booked - a.truth.wallet) > eps) {
    out.push({
      invariant: "WALLET",
      message: `the venue wallet is ${a.truth.wallet}, kernel capital ${a.account.capital} + open trades' booked ${booked}`,
    });
  }
  return out;
}

function checkDiagnostics(a: AuditInput): Violation[] {
  const out: Violation[] = [];
  for (const s of a.slots) {
    if (s.stage === "STALE_STATE_RECONCILING")
      out.push({ invariant: "STALE", message: `slot ${s.slot_id} is STALE_STATE_RECONCILING (${s.stale_reason})` });
  }
  for (const d of a.diagnostics) {
    if (d.code === "UNKNOWN_ORDER" || d.code === "OVERFILL")
      out.push({ invariant: "ROUTING", message: `${d.code} on slot ${d.slot_id}: ${d.message}` });
  }
  if (a.truth.placements_max !== null && a.truth.placements_max > 1) {
    out.push({
      invariant: "DUPLICATE",
      message: `the venue placed ${a.truth.placements_max} orders under one client order id`,
    });
  }
  return out;
}

/** The kernel's transition table (`ExecutionKernel.fsmTable()` text) as a set of `from trigger to`. */
export function legalRows(table: string): Set<string> {
  const out = new Set<string>();
  for (const line of table.split("\n")) {
    const [from, trigger, , to] = line.trim().split(/\s+/);
    if (from && trigger && to) out.add(`${from} ${trigger} ${to}`);
  }
  return out;
}

function checkTransitions(a: AuditInput): Violation[] {
  if (!a.transitions || !a.legal) return [];
  const out: Violation[] = [];
  for (const t of a.transitions) {
    if (t.trigger === "RESTORE" || a.legal.has(`${t.from} ${t.trigger} ${t.to}`)) continue;
    out.push({
      invariant: "ILLEGAL_TRANSITION",
      message: `slot ${t.slot_id}: ${t.from} --${t.trigger}--> ${t.to} is no row of the transition table`,
    });
  }
  return out;
}
