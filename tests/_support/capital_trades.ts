/**
 * Thousands of trades through the real kernel beside an exact ledger and a venue wallet, for the
 * capital property test (tests/property/capital_drift.test.ts). A plan of trades — LONG and SHORT,
 * on four markets with their real ticks and quantity steps (BTC 0.1 / 0.0001 … PEPE 1e-8 / 1, one
 * step up to 50 000 000 units), entries filled in parts and ended by a fill, a cancel or a reject,
 * exits in 1..4 legs filled in parts and ended by a fill, a cancel, a reject or a fill arriving
 * after the cancel's ack, a fee on every fill — runs on several slots at once, interleaved. Each
 * slot trades its own (market, side), as the auditor's per-step WALLET check needs (two trades on
 * one venue position are booked at a blended average).
 *
 * Every fill is booked three ways:
 *  - the kernel: cumulative venue events, each order's average price as the venue reports it (the
 *    nearest double of the exact VWAP, or, with `avgDecimals: 8`, rounded to 8 decimals as
 *    bingx-sim's stream `ap` is);
 *  - the venue's wallet: bingx-sim's account model (`Account.applyFill`, one fill at a time);
 *  - an exact ledger in BigInt: notional in 1e-16 (qty 1e-8 × price 1e-8), fees in 1e-8, so a
 *    closed trade's net is exactly dir × (exit notional − entry notional) − fees.
 *
 * Entry points: `runTrades`, `Trade`; re-exported: `tradePlans`, `TradePlan`, `RunOptions`,
 * `newStats`, `Stats`.
 */

import type { KernelInput } from "../../src/contracts/intents.ts";
import type { VenueEvent, VenueEventKind } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Account } from "../../src/sim/accounts.ts";
import { CapitalChecks, type Stats } from "./capital_checks.ts";
import {
  type ExitEnd,
  MARKETS,
  type Market,
  type OrderPlan,
  type RunOptions,
  type TradePlan,
} from "./capital_plans.ts";
import { num } from "./decimals_e8.ts";
import { freshKernel, T0 } from "./kernel.ts";

export { newStats, type Stats } from "./capital_checks.ts";
export { type RunOptions, type TradePlan, tradePlans } from "./capital_plans.ts";

/** One order at the venue: cumulative quantity (1e-8), notional (1e-16) and fee (1e-8). */
interface VenueOrder {
  cid: string;
  vid: string;
  size: bigint;
  q: bigint;
  n: bigint;
  fee: bigint;
  last: bigint;
  closing: boolean;
}

/** One trade's exact figures. */
export interface Trade {
  plan: TradePlan;
  market: Market;
  slot: number;
  position: bigint;
  entryQ: bigint;
  entryN: bigint;
  exitQ: bigint;
  exitN: bigint;
  fees: bigint;
  moveAt: number;
}

class Run {
  readonly k: ExecutionKernel;
  readonly wallet: Account;
  readonly checks: CapitalChecks;
  readonly trades: (Trade | null)[];
  private readonly prices: bigint[];
  private now = T0 + 1;
  private ids = 0;

  constructor(
    readonly o: RunOptions,
    stats: Stats,
  ) {
    this.k = freshKernel({ slots: o.slots, capital: num(o.seedE8) });
    this.wallet = new Account(num(o.seedE8));
    this.trades = new Array(o.slots).fill(null);
    this.prices = MARKETS.map((m) => ((m.lo + m.hi) / 2n / m.tick) * m.tick);
    this.checks = new CapitalChecks(this.k, this.wallet, this.trades, o, stats);
  }

  send(input: Record<string, unknown>): void {
    const full = { ...input, now_ms: ++this.now } as KernelInput;
    this.checks.after(full, this.k.apply(full));
  }

  /** The trade of `p` on the first (market, side) no other slot trades, from the plan's choice on. */
  begin(p: TradePlan): Trade {
    const busy = new Set(this.trades.filter((t) => t !== null).map((t) => `${t.market.asset}|${t.plan.side}`));
    for (let i = 0; i < MARKETS.length * 2; i++) {
      const market = MARKETS[(p.market + (i >> 1)) % MARKETS.length]!;
      const side = (i & 1) === 0 ? p.side : p.side === "LONG" ? "SHORT" : "LONG";
      if (busy.has(`${market.asset}|${side}`)) continue;
      const t: Trade = {
        plan: { ...p, side },
        market,
        slot: p.slot,
        ...{ position: 0n, entryQ: 0n, entryN: 0n, exitQ: 0n, exitN: 0n, fees: 0n, moveAt: 0 },
      };
      this.trades[p.slot] = t;
      return t;
    }
    throw new Error("test setup: no free (market, side) for a slot");
  }

  order(cid: string, size: bigint, closing: boolean): VenueOrder {
    return {
      cid,
      vid: String(7_000_000_000_000_000n + BigInt(++this.ids)),
      size,
      q: 0n,
      n: 0n,
      fee: 0n,
      last: 0n,
      closing,
    };
  }

  /** The venue fills `order` up to `cum` at the market's next price; the wallet books it at once. */
  fill(t: Trade, o: VenueOrder, cum: bigint): void {
    const q = cum - o.q;
    if (q <= 0n) return;
    const p = this.movePrice(t);
    const fee = (q * p * BigInt(t.plan.feeBps) + 5n * 10n ** 11n) / 10n ** 12n; // notional × bps, in 1e-8
    Object.assign(o, { q: cum, n: o.n + q * p, fee: o.fee + fee, last: p });
    if (o.closing) Object.assign(t, { position: t.position - q, exitQ: t.exitQ + q, exitN: t.exitN + q * p });
    else Object.assign(t, { position: t.position + q, entryQ: t.entryQ + q, entryN: t.entryN + q * p });
    t.fees += fee;
    this.wallet.applyFill(t.market.asset, t.plan.side, o.closing, num(q), num(p), num(fee));
    this.checks.walletFill(q, p, fee);
  }

  event(t: Trade, o: VenueOrder, kind: VenueEventKind): void {
    const event: VenueEvent = {
      kind,
      event_id: `cap-${++this.ids}`,
      venue_order_id: o.vid,
      client_order_id: o.cid,
      asset: t.market.asset,
      filled_size_cumulative: num(o.q),
      avg_price: o.q === 0n ? 0 : this.average(o),
      last_fill_size: 0,
      last_fill_price: 0,
      fee_cumulative: num(this.o.plant === "KERNEL_FEE_TWICE" ? 2n * o.fee : o.fee),
      venue_time_ms: this.now,
      ...(kind === "REJECT" ? { reject_reason: "VENUE" as const } : {}),
    };
    this.send({ type: "VENUE_EVENT", slot_id: null, event });
  }

  mark(t: Trade): void {
    this.send({ type: "MARK_PRICE", asset: t.market.asset, price: num(this.prices[MARKETS.indexOf(t.market)]!) });
  }

  /** The order's average price as the venue reports it. */
  private average(o: VenueOrder): number {
    if (this.o.plant === "KERNEL_LAST_PRICE") return num(o.last);
    if (this.o.avgDecimals === 8) return num((2n * o.n + o.q) / (2n * o.q)); // 1e-8, half up
    const digits = (o.n * 10n ** 20n) / o.q; // 1e-28 units: far below a double's resolution
    const t = digits.toString().padStart(29, "0");
    return Number(`${t.slice(0, -28)}.${t.slice(-28)}`);
  }

  private movePrice(t: Trade): bigint {
    const i = MARKETS.indexOf(t.market);
    const bps = BigInt(t.plan.moves[t.moveAt++ % t.plan.moves.length]!);
    const m = t.market;
    const moved = ((this.prices[i]! + (this.prices[i]! * bps) / 10_000n) / m.tick) * m.tick;
    this.prices[i] = moved < m.lo ? m.lo : moved > m.hi ? m.hi : moved;
    return this.prices[i]!;
  }
}

/** The cumulative sizes the plan's cuts give inside (0, size), on the step, rising. */
function points(size: bigint, step: bigint, cutsPerMille: number[]): bigint[] {
  const steps = size / step;
  const at = cutsPerMille.map((c) => ((steps * BigInt(c)) / 1000n) * step).filter((q) => q > 0n && q < size);
  return [...new Set(at)].sort((a, b) => (a < b ? -1 : 1));
}

/** Fills and ends one order as its plan says; one kernel input per yield. */
function* work(r: Run, t: Trade, o: VenueOrder, plan: OrderPlan<ExitEnd>): Generator<void, void, void> {
  r.event(t, o, "ACK");
  yield;
  const at = points(o.size, t.market.step, plan.cuts);
  const sent = plan.end === "FULL" ? at : plan.end === "LATE" || plan.carried ? at.slice(0, -1) : at;
  for (const cum of sent) {
    r.fill(t, o, cum);
    r.event(t, o, "PARTIAL_FILL");
    yield;
  }
  if (plan.end === "FULL") {
    r.fill(t, o, o.size);
    r.event(t, o, "FULL_FILL");
    yield;
    return;
  }
  if (plan.end !== "REJECT") {
    r.send({ type: "CANCEL", slot_id: t.slot });
    yield;
  }
  if (plan.end !== "LATE") r.fill(t, o, at.at(-1) ?? 0n);
  r.event(t, o, plan.end === "REJECT" ? "REJECT" : "CANCEL_ACK");
  yield;
  if (plan.end !== "LATE") return;
  // A fill the venue made before the cancel took effect, delivered after its ack.
  r.fill(t, o, at.at(-1) ?? o.size);
  r.event(t, o, o.q === o.size ? "FULL_FILL" : "PARTIAL_FILL");
  yield;
}

/** One trade from ENTER to its settlement (or to IDLE when its entry filled nothing). */
function* trade(r: Run, p: TradePlan, id: string): Generator<void, void, void> {
  const t = r.begin(p);
  const m = t.market;
  const size = BigInt(Math.max(1, Math.round(m.stepsMax ** (p.sizeLog / 1000)))) * m.step;
  r.send({
    type: "ENTER",
    slot_id: t.slot,
    trade_id: id,
    asset: m.asset,
    side: t.plan.side,
    size: num(size),
    price: null,
    leverage: 5,
  });
  yield;
  const entry = r.order(r.k.slot(t.slot).entry_order!.client_order_id, size, false);
  yield* work(r, t, entry, p.entry);
  for (let leg = 0; t.position > 0n; leg++) {
    if (p.mark) {
      r.mark(t);
      yield;
    }
    const last = leg >= p.legs.length - 1;
    const plan = p.legs[Math.min(leg, p.legs.length - 1)]!;
    const steps = (t.position / m.step) * BigInt(plan.part);
    const legSize = last ? t.position : (steps / 1000n > 0n ? steps / 1000n : 1n) * m.step;
    r.send({ type: "EXIT", slot_id: t.slot, size: num(legSize), price: null, reason: "SIGNAL" });
    yield;
    const exit = r.order(r.k.slot(t.slot).exit_order!.client_order_id, legSize, true);
    yield* work(r, t, exit, last ? { ...plan, end: "FULL" } : plan);
  }
  r.trades[t.slot] = null;
}

/** Runs `plans` on `o.slots` slots, interleaved by `o.picks`, checking capital after every input. */
export function runTrades(plans: TradePlan[], o: RunOptions, stats: Stats): void {
  const r = new Run(o, stats);
  try {
    const queues = Array.from({ length: o.slots }, (_, s) => plans.filter((p) => p.slot === s));
    const live: (Generator<void, void, void> | null)[] = new Array(o.slots).fill(null);
    let started = 0;
    for (let turn = 0; ; turn++) {
      // A trade takes at most ~50 inputs (an entry, four exit legs, their fills and marks).
      if (turn > plans.length * 100) throw new Error("Invariant: the trades end within 100 inputs each");
      const want = o.picks[turn % o.picks.length]!;
      let s = -1;
      for (let i = 0; i < o.slots && s < 0; i++) {
        const c = (want + i) % o.slots;
        if (live[c] || queues[c]!.length > 0) s = c;
      }
      if (s < 0) break;
      live[s] ??= trade(r, queues[s]!.shift()!, `c${++started}`);
      if (live[s]!.next().done) live[s] = null;
    }
    r.checks.atEnd();
  } finally {
    r.k.destroy();
  }
}
