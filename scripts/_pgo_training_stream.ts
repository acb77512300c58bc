/**
 * The kernel's PGO training stream (`npm run pgo`): a production-like mix of inputs, generated
 * against a live kernel so each next input fits the slot's current stage the way a strategy and
 * a venue would send it. Deliberately not the benchmark's stream (bench/_kernel_stream.ts): other
 * slot count, four assets, random sizes, one leverage per asset and side, limit and market orders, one to four fills
 * per order, one to three exit legs, rejects, cancels (acknowledged and refused), duplicated and
 * reordered fills, hung orders found by TICK, operator MARK_STALE and RECONCILE, and a share of
 * refused inputs (bad numbers, unknown kinds, wrong stage, foreign orders).
 *
 * Deterministic: a seeded xorshift PRNG and a clock that only moves forward by the stream.
 */

import type { KernelInput } from "../src/contracts/index.ts";
import type { SlotRecord } from "../src/contracts/records.ts";
import { ExecutionKernel } from "../src/kernel/index.ts";

/** The kernel configuration the stream is generated for (and must be replayed with). */
export const TRAINING_CONFIG = { slotCount: 16, activeSlotLimit: 12, hungOrderMs: 5_000 } as const;
const { slotCount: SLOTS, activeSlotLimit: ACTIVE_LIMIT } = TRAINING_CONFIG;
const ASSETS = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "DOGE-USDT"];
const START_PRICES = [65_000, 3_400, 150, 0.16];

interface PlannedOrder {
  events: Array<Record<string, unknown>>;
}

/** `inputs` inputs from `seed`, and how many of them the kernel accepted. */
export function trainingStream(inputs: number, seed: number): { inputs: unknown[]; accepted: number } {
  let x = seed >>> 0 || 1;
  const rand = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const k = ExecutionKernel.open({ ...TRAINING_CONFIG, applyThread: false });
  const out: unknown[] = [];
  const prices = [...START_PRICES];
  const plans = new Map<number, PlannedOrder>();
  const recent: Array<Record<string, unknown>> = []; // the last 50 venue events, which the venue may repeat
  let now = 1_750_000_000_000;
  let trades = 0;
  let orders = 0;
  let events = 0;
  let accepted = 0;
  const send = (input: Record<string, unknown>) => {
    out.push(input);
    if (k.applyQuiet(input as KernelInput)) accepted++; // generated to the kernel's wire shapes
    if (input.type === "VENUE_EVENT" && recent.push(input) > 50) recent.shift();
  };
  const event = (
    kind: string,
    o: { voi: string; coid: string },
    cum: number,
    avg: number,
    extra: Record<string, unknown> = {},
  ) => ({
    type: "VENUE_EVENT",
    slot_id: null,
    now_ms: 0,
    event: {
      kind,
      event_id: `${o.voi}:${kind}:${++events}`,
      venue_order_id: o.voi,
      client_order_id: o.coid,
      filled_size_cumulative: cum,
      avg_price: avg,
      last_fill_size: 0,
      last_fill_price: 0,
      fee_cumulative: +(cum * avg * 0.0005).toFixed(8),
      ...extra,
    },
  });
  /** The venue's answers to a new order of `size` at about `price`, in the order it sends them. */
  const plan = (coid: string, size: number, price: number): PlannedOrder => {
    const o = { voi: String(1_800_000_000_000_000_000n + BigInt(++orders)), coid };
    const r = rand();
    if (r < 0.05)
      return {
        events: [
          event("REJECT", o, 0, 0, { reject_reason: rand() < 0.5 ? "VENUE" : "RATE_LIMITED", retry_after_ms: 1000 }),
        ],
      };
    const evs: Array<Record<string, unknown>> = [event("ACK", o, 0, 0)];
    const fills = 1 + Math.floor(rand() * 4);
    for (let f = 1; f <= fills; f++) {
      const cum = f === fills ? size : round(size * (f / fills));
      evs.push(
        event(
          f === fills ? "FULL_FILL" : "PARTIAL_FILL",
          o,
          cum,
          +(price * (1 + (rand() - 0.5) * 1e-3)).toPrecision(8),
        ),
      );
    }
    if (fills > 2 && rand() < 0.1) [evs[1], evs[2]] = [evs[2]!, evs[1]!]; // fills arrive reordered
    if (r < 0.12) {
      // The strategy cancels while the order works; the venue confirms (no more fills) or
      // refuses (the order goes on filling).
      const cut = 1 + Math.floor(rand() * (evs.length - 1));
      const rest = evs.splice(cut);
      if (rand() < 0.7) evs.push({ type: "CANCEL" }, event("CANCEL_ACK", o, 0, 0));
      else evs.push({ type: "CANCEL" }, event("CANCEL_REJECT", o, 0, 0), ...rest);
    }
    return { events: evs };
  };
  const advance = (id: number, s: SlotRecord) => {
    const p = plans.get(id);
    if (s.stage === "IDLE" || s.stage === "CLOSED") {
      // A strategy mostly respects active_slot_limit; now and then it asks anyway (refused).
      if (rand() < 0.9 && k.slots().filter((x) => x.stage !== "IDLE" && x.stage !== "CLOSED").length >= ACTIVE_LIMIT)
        return;
      const a = Math.floor(rand() * ASSETS.length);
      const size = round(0.001 + rand() * 2);
      const limit = rand() < 0.3;
      const trade = `T${seed}-${++trades}`;
      const side = rand() < 0.5 ? "LONG" : "SHORT";
      // One leverage per asset and side, as the kernel requires; now and then another (refused).
      const leverage = rand() < 0.97 ? 1 + ((a * 7 + (side === "LONG" ? 3 : 11)) % 20) : 1 + Math.floor(rand() * 20);
      send({
        type: "ENTER",
        slot_id: id,
        trade_id: trade,
        asset: ASSETS[a],
        side,
        size,
        price: limit ? +(prices[a]! * 0.999).toPrecision(8) : null,
        leverage,
        now_ms: ++now,
      });
      const after = k.slot(id);
      if (after.trade_id === trade && after.entry_order)
        plans.set(id, plan(after.entry_order.client_order_id, size, prices[a]!));
    } else if (s.stage === "POSITION_OPEN") {
      if (rand() < 0.01) return send({ type: "MARK_STALE", slot_id: id, reason: "DIVERGENCE", now_ms: ++now });
      const legs = 1 + Math.floor(rand() * 3);
      const size = s.leg + 1 >= legs ? s.size : round(s.size / 2);
      send({
        type: "EXIT",
        slot_id: id,
        size,
        price: null,
        reason: pick(["SIGNAL", "TP", "SL", "MANUAL"]),
        now_ms: ++now,
      });
      const after = k.slot(id);
      if (after.exit_order && after.exit_order.client_order_id !== s.exit_order?.client_order_id)
        plans.set(id, plan(after.exit_order.client_order_id, size, prices[ASSETS.indexOf(s.asset)]!));
    } else if (s.stage === "STALE_STATE_RECONCILING") {
      const flat = rand() < 0.5 || s.size === 0;
      send({
        type: "RECONCILE",
        slot_id: id,
        truth: flat ? { side: null, size: 0, avg_price: 0 } : { side: s.side, size: s.size, avg_price: s.entry_price },
        now_ms: ++now,
      });
      plans.delete(id);
    } else if (p && p.events.length > 0) {
      const next = p.events.shift()!;
      send({ ...next, ...(next.type === "CANCEL" ? { slot_id: id } : {}), now_ms: ++now });
    } else if (rand() < 0.5) {
      now += 6_000; // no answer left: the order hangs
      send({ type: "TICK", now_ms: now });
    } else {
      send({ type: "MARK_STALE", slot_id: id, reason: "OPERATOR", now_ms: ++now }); // the operator steps in
    }
  };
  const hostile = () => {
    const id = Math.floor(rand() * SLOTS);
    const bad: Array<Record<string, unknown>> = [
      {
        type: "ENTER",
        slot_id: id,
        trade_id: `T${seed}-bad`,
        asset: "BTC-USDT",
        side: "LONG",
        size: Number.NaN,
        leverage: 5,
      },
      { type: "EXIT", slot_id: id, size: -1, reason: "TP" },
      { type: "CANCEL", slot_id: id },
      { type: "ENTER", slot_id: SLOTS + 3, trade_id: "X", asset: "BTC-USDT", side: "LONG", size: 1, leverage: 5 },
      { type: "MARK_PRICE", asset: "BTC-USDT", price: Number.POSITIVE_INFINITY },
      { type: "BOGUS" },
      event("PARTIAL_FILL", { voi: "999", coid: `FOREIGN-${++orders}` }, 1, 100),
    ];
    send({ ...pick(bad), now_ms: ++now });
  };
  send({ type: "SEED_CAPITAL", capital: 250_000, now_ms: now });
  while (out.length < inputs) {
    const r = rand();
    if (r < 0.4) {
      const a = Math.floor(rand() * ASSETS.length);
      prices[a] = +(prices[a]! * (1 + (rand() - 0.5) * 2e-3)).toPrecision(8);
      send({ type: "MARK_PRICE", asset: ASSETS[a], price: prices[a], now_ms: ++now });
    } else if (r < 0.42) send({ type: "TICK", now_ms: ++now });
    else if (r < 0.44) hostile();
    else if (r < 0.46 && recent.length > 0)
      send({ ...recent[recent.length - 1 - Math.floor(rand() * recent.length)]!, now_ms: ++now }); // the venue repeats a recent event
    else {
      const id = Math.floor(rand() * SLOTS);
      advance(id, k.slot(id));
    }
  }
  k.destroy();
  return { inputs: out, accepted };
}

function round(size: number): number {
  return Math.max(0.001, Math.round(size * 1000) / 1000);
}
