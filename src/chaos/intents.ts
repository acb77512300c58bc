/**
 * Adversarial intents, drawn from the run's seed against the kernel's current slots: rapid
 * entry/exit (an EXIT or CANCEL fired in the same tick as its ENTER), competing cancels (two in a
 * row, or a cancel racing a market fill), sizes at lot boundaries (exactly the minimum, half a step
 * above it, just below it, more than the position), resting LIMIT orders that a later price move
 * may cross, and price moves with the matching MARK_PRICE. A burst is fired without waiting: the
 * executor's venue calls overlap.
 *
 * Entry points: `drawBurst(rng, slots, ctx)`, `flattenIntents(slots)`, `ASSETS`.
 */

import type { SlotRecord } from "../contracts/records.ts";
import type { Rng } from "../contracts/rng.ts";

export type Intent = Record<string, unknown>;

interface AssetSpec {
  step: number;
  lots: readonly number[];
  tick: number;
}

/** Lot sizes straddle the minimum quantity and the step of each contract (bingx-sim catalog). */
export const ASSETS: Readonly<Record<string, AssetSpec>> = {
  "BTC-USDT": { step: 0.0001, lots: [0.0001, 0.00015, 0.00009, 0.001, 0.0123, 0.02], tick: 0.1 },
  "ETH-USDT": { step: 0.01, lots: [0.01, 0.015, 0.009, 0.1, 0.37], tick: 0.01 },
};

export interface BurstContext {
  /** Current venue price of an asset. */
  price(asset: string): number;
  /** A fresh trade id (unique for the run). */
  nextTrade(): string;
}

/** A step's actions: intents for the kernel and price moves for the venue, in firing order. */
export type Action = { intent: Intent } | { move: { asset: string; price: number } };

const round = (x: number, tick: number) => Number((Math.round(x / tick) * tick).toFixed(8));

function enterIntent(rng: Rng, slot: number, slots: readonly SlotRecord[], ctx: BurstContext): Intent {
  const asset = rng.pick(Object.keys(ASSETS));
  const spec = ASSETS[asset]!;
  const side = rng.pick(["LONG", "SHORT"] as const);
  const mark = ctx.price(asset);
  const kind = rng.int(1, 10);
  // 1–6 market, 7–8 resting limit (3% away), 9–10 marketable limit.
  const away = side === "LONG" ? 0.97 : 1.03;
  const cross = side === "LONG" ? 1.01 : 0.99;
  const price = kind <= 6 ? null : round(mark * (kind <= 8 ? away : cross), spec.tick);
  // Mostly the leverage the asset and side already trade at (the kernel refuses another one, as
  // the venue keeps one per symbol and side); one draw in ten keeps its own, to exercise that refusal.
  const drawn = rng.int(1, 10);
  const held = slots.find((x) => x.stage !== "IDLE" && x.stage !== "CLOSED" && x.asset === asset && x.side === side);
  return {
    type: "ENTER",
    slot_id: slot,
    trade_id: ctx.nextTrade(),
    asset,
    side,
    size: rng.pick(spec.lots),
    price,
    leverage: held !== undefined && held.leverage > 0 && drawn !== 10 ? held.leverage : drawn,
  };
}

function exitIntent(rng: Rng, s: SlotRecord, ctx: BurstContext): Intent {
  const spec = ASSETS[s.asset] ?? ASSETS["BTC-USDT"]!;
  const sizes = [s.size, round(s.size / 2, spec.step), spec.step, spec.step * 1.5, s.size + spec.step, spec.step / 2];
  const size = Math.max(rng.pick(sizes), 1e-8);
  const resting = rng.int(1, 10) <= 2;
  const away = s.side === "LONG" ? 1.03 : 0.97;
  const price = resting ? round(ctx.price(s.asset) * away, spec.tick) : null;
  return {
    type: "EXIT",
    slot_id: s.slot_id,
    size: Number(size.toFixed(8)),
    price,
    reason: rng.pick(["SIGNAL", "TP", "SL", "MANUAL"]),
  };
}

/** One burst of 1–4 actions against the slots as they are now. */
export function drawBurst(rng: Rng, slots: readonly SlotRecord[], ctx: BurstContext): Action[] {
  const out: Action[] = [];
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const s = rng.pick(slots);
    const roll = rng.int(1, 100);
    if (roll <= 35) {
      out.push({ intent: enterIntent(rng, s.slot_id, slots, ctx) });
      if (rng.int(1, 4) === 1)
        out.push({
          intent: rng.int(0, 1)
            ? { type: "CANCEL", slot_id: s.slot_id }
            : { type: "EXIT", slot_id: s.slot_id, size: 0.0001, price: null, reason: "SIGNAL" },
        });
    } else if (roll <= 65) {
      out.push({
        intent:
          s.size > 0
            ? exitIntent(rng, s, ctx)
            : { type: "EXIT", slot_id: s.slot_id, size: 0.0001, price: null, reason: "TP" },
      });
    } else if (roll <= 85) {
      out.push({ intent: { type: "CANCEL", slot_id: s.slot_id } });
      if (rng.int(0, 1)) out.push({ intent: { type: "CANCEL", slot_id: s.slot_id } });
    } else {
      const asset = rng.pick(Object.keys(ASSETS));
      const price = round(ctx.price(asset) * (1 + rng.int(-300, 300) / 10_000), ASSETS[asset]!.tick);
      out.push({ move: { asset, price } }, { intent: { type: "MARK_PRICE", asset, price } });
    }
  }
  return out;
}

/** Cancels for every working slot (first pass) and market exits for every open position (second). */
export function flattenIntents(slots: readonly SlotRecord[]): { cancels: Intent[]; exits: Intent[] } {
  const cancels: Intent[] = [];
  const exits: Intent[] = [];
  for (const s of slots) {
    if (s.stage === "ENTRY_WORKING" || s.stage === "EXIT_WORKING") cancels.push({ type: "CANCEL", slot_id: s.slot_id });
    if (s.stage === "POSITION_OPEN" && s.size > 0)
      exits.push({ type: "EXIT", slot_id: s.slot_id, size: s.size, price: null, reason: "MANUAL" });
  }
  return { cancels, exits };
}
