/**
 * Entries whose placement waits for the venue's leverage call (real kernel and executor over the
 * mock venue, the leverage call held open by the test): one failing call shared by two entries on
 * the same asset and side rejects both, neither sent; and a shutdown (intake stopped) while they
 * wait withdraws them at once (the kernel told, each slot IDLE again), and none leaves afterwards.
 */

import { expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { OrderRequest, PositionSide, VenueAdapter } from "../../src/contracts/venue.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { kernelsPerTest } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 3, capital: 100_000 });

const entry = (slot_id: number, leverage: number): StrategyIntent => ({
  type: "ENTER",
  slot_id,
  trade_id: `LW${slot_id}`,
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  price: null,
  leverage,
});

async function world() {
  const clock = new SystemClock();
  const mock = new MockVenueAdapter({ seed: 5, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  const calls: { leverage: number; answer: (error?: Error) => void }[] = [];
  const sent: OrderRequest[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    setLeverage: {
      value: (_a: string, _s: PositionSide, leverage: number) =>
        new Promise<void>((resolve, reject) => calls.push({ leverage, answer: (e) => (e ? reject(e) : resolve()) })),
    },
    submit: {
      value: (order: OrderRequest) => {
        sent.push(order);
        return mock.submit(order);
      },
    },
  });
  const k = kernel();
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {} });
  const turns = async () => {
    for (let i = 0; i < 5; i++) await Bun.sleep(1);
  };
  return { kernel: k, executor, calls, sent, turns };
}

test("a failing leverage call shared by two entries on one asset and side rejects both, neither sent", async () => {
  const w = await world();
  w.executor.submitStrategy(entry(0, 5));
  w.executor.submitStrategy(entry(1, 5));
  for (let attempt = 0; attempt < 3; attempt++) {
    await w.turns();
    expect(w.calls).toHaveLength(attempt + 1); // one call for both, tried again after each failure
    w.calls[attempt]!.answer(new Error("leverage refused"));
  }
  await w.executor.drain(1_000);
  expect(w.sent).toEqual([]);
  for (const slot of [0, 1]) {
    expect(w.kernel.slot(slot).stage).toBe("IDLE");
    expect(w.kernel.slot(slot).entry_order?.status).toBe("REJECTED");
  }
});

test("a shutdown while entries wait for their leverage withdraws them at once, and none is sent after", async () => {
  const w = await world();
  w.executor.submitStrategy(entry(0, 5));
  w.executor.submitStrategy(entry(1, 5));
  await w.turns();
  expect(w.calls).toHaveLength(1);
  w.executor.stopIntake();
  for (const slot of [0, 1]) {
    expect(w.kernel.slot(slot).stage).toBe("IDLE"); // the kernel no longer holds them working
    expect(w.kernel.slot(slot).entry_order?.status).toBe("CANCELLED");
  }
  w.calls[0]!.answer();
  await w.executor.drain(1_000);
  await w.turns();
  expect(w.sent).toEqual([]);
  expect(w.kernel.slot(0).stage).toBe("IDLE");
});
