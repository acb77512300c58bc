/**
 * A slot whose position fell below the venue's minimums can still be closed through the kernel: a
 * real kernel and executor over the mock venue (ETH-USDT: step 0.001, minimum 0.01 ETH and 5 USDT).
 * The kernel's exit for the slot's whole remaining size, and a flatten's, go out as closes of the
 * whole position (`closes_position`, src/launcher/_order_event.ts) that the adapter does not hold
 * to the opening minimums; a partial exit still is. At the strategy edges (src/launcher/_size_rules.ts)
 * an EXIT of the slot's whole position passes the minimum quantity and the step; a partial one does not.
 */

import { afterEach, expect, test } from "bun:test";
import type { FlattenRequest } from "../../src/contracts/flatten.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { ContractRules, VenueEvent } from "../../src/contracts/venue.ts";
import { encodeInput, INPUT_SIZE } from "../../src/kernel/index.ts";
import { intentSizeRefusal, recordSizeRefusal } from "../../src/launcher/_size_rules.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { Flattener } from "../../src/launcher/flatten.ts";
import { LiveReconciler } from "../../src/launcher/live_reconcile.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { kernelsPerTest } from "../_support/kernel.ts";

const ETH: ContractRules = {
  asset: "ETH-USDT",
  quantity_step: 0.001,
  price_step: 0.01,
  min_quantity: 0.01,
  min_notional: 5,
  max_leverage: 100,
};

const kernelFor = kernelsPerTest({ slots: 2, capital: 10_000 });
const venues: MockVenueAdapter[] = [];
afterEach(async () => {
  await Bun.sleep(20); // the mock's last deliveries land before the kernels go
  for (const v of venues.splice(0)) await v.close();
});

async function world() {
  const clock = new SystemClock();
  const rules = { "ETH-USDT": ETH };
  const venue = new MockVenueAdapter({ seed: 8, clock, prices: { "ETH-USDT": 3_000 }, balance: 10_000, rules });
  venues.push(venue);
  await venue.connect();
  const kernel = kernelFor();
  const events: VenueEvent[] = [];
  venue.onEvent((e) => events.push(e));
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  const ops = { kernel, executor, venue, clock, log: () => {}, sleep: (ms: number) => Bun.sleep(ms) };
  const reconciler = new LiveReconciler({ ...ops, report: () => {} });
  const flattener = new Flattener({ ...ops, halt: () => {}, reconcileNow: () => reconciler.pass() });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await executor.drain(1_000);
      await Bun.sleep(2);
    }
  };
  return { venue, kernel, executor, flattener, events, settle };
}

type World = Awaited<ReturnType<typeof world>>;

/** Slot 0 holds 0.01 ETH long, then the price drops to 400: worth 4 USDT, under the 5 USDT minimum. */
async function positionBelowMinimum(w: World): Promise<void> {
  const enter: StrategyIntent = {
    type: "ENTER",
    slot_id: 0,
    trade_id: "M1",
    asset: "ETH-USDT",
    side: "LONG",
    size: 0.01,
    price: null,
    leverage: 3,
  };
  expect(w.executor.submitStrategy(enter).accepted).toBe(true);
  await w.settle();
  expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  w.venue.setPrice("ETH-USDT", 400);
}

const exit = (size: number): StrategyIntent => ({ type: "EXIT", slot_id: 0, size, price: null, reason: "SL" });

test("an EXIT of the slot's whole position below the minimum notional closes it; a partial EXIT is refused locally", async () => {
  const w = await world();
  await positionBelowMinimum(w);
  expect(w.executor.submitStrategy(exit(0.005)).accepted).toBe(true);
  await w.settle();
  const refused = w.events.filter((e) => e.kind === "REJECT").map((e) => [e.venue_code, e.venue_message]);
  expect(refused).toEqual([["LOCAL_RULE", "size 0.005 is below ETH-USDT's minimum quantity 0.01"]]);
  expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });

  expect(w.executor.submitStrategy(exit(0.01)).accepted).toBe(true);
  await w.settle();
  expect(w.kernel.slot(0)).toMatchObject({ stage: "CLOSED", size: 0 });
  expect(await w.venue.positions()).toEqual([]);
});

test("a flatten of a position below the minimum notional ends flat and complete", async () => {
  const w = await world();
  await positionBelowMinimum(w);
  const report = await w.flattener.run({ timeout_ms: 4_000 } as FlattenRequest);
  expect(report.venue.positions).toEqual([]);
  expect(report.complete).toBe(true);
  expect(w.kernel.slot(0).stage).toBe("CLOSED");
});

test("strategy edges: an EXIT of the slot's whole position below the minimum quantity passes; a partial EXIT is refused", async () => {
  const w = await world();
  const slotOf = () => ({ asset: "ETH-USDT", size: 0.005, side: "LONG" as const }); // the kernel's slot: 0.005 ETH left
  const refusal = (size: number) => intentSizeRefusal(w.venue, { ...exit(size) }, slotOf)?.message ?? null;
  expect(refusal(0.005)).toBeNull();
  expect(refusal(0.004)).toBe("EXIT: size 0.004 is below ETH-USDT's minimum quantity 0.01");
  expect(refusal(0.0045)).toBe("EXIT: size 0.0045 is below ETH-USDT's minimum quantity 0.01");
  // Less than one step left: refused at the edge, naming the residue.
  const dust = () => ({ asset: "ETH-USDT", size: 0.0004, side: "LONG" as const });
  expect(intentSizeRefusal(w.venue, exit(0.0004), dust)?.message).toContain("0.0004");
  // The ring's records are judged alike.
  const rec = (size: number) => {
    const bytes = new Uint8Array(INPUT_SIZE);
    encodeInput({ ...exit(size), now_ms: 1_700_000_000_000 } as never, bytes, 0);
    return bytes;
  };
  expect(recordSizeRefusal(w.venue, rec(0.005), slotOf)).toBeNull();
  expect(recordSizeRefusal(w.venue, rec(0.004), slotOf)?.message).toBe(
    "EXIT: size 0.004 is below ETH-USDT's minimum quantity 0.01",
  );
  // An ENTER keeps the minimum.
  const enter = { ...exit(0.005), type: "ENTER", trade_id: "E", asset: "ETH-USDT", side: "LONG", leverage: 2 };
  expect(intentSizeRefusal(w.venue, enter as StrategyIntent, slotOf)?.message).toContain("minimum quantity");
});
