/**
 * One ring batch that opens an order and asks it cancelled (real kernel and executor over the mock
 * venue): when the batch's transitions are dispatched, the kernel already holds the new order
 * CANCEL_REQUESTED, so the order never leaves. The kernel is told it ended before it left (a
 * CANCEL_ACK, nothing filled) and the slot is free again at once, with no cancel sent for an order
 * the venue never had (its refusal would leave the order PENDING_SUBMIT until the hung-order path).
 */

import { afterEach, expect, test } from "bun:test";
import type { KernelInput } from "../../src/contracts/intents.ts";
import type { TransitionRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel } from "../_support/kernel.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(20);
  for (const k of kernels.splice(0)) k.destroy();
});

async function world() {
  const clock = new SystemClock();
  const mock = new MockVenueAdapter({ seed: 4, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  const calls: string[] = [];
  const noted =
    <A extends unknown[], R>(name: string, call: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(name);
      return call(...args);
    };
  const venue: VenueAdapter = Object.create(mock, {
    submit: { value: noted("submit", mock.submit.bind(mock)) },
    cancel: { value: noted("cancel", mock.cancel.bind(mock)) },
  });
  const kernel = freshKernel({ slots: 2, capital: 100_000 });
  kernels.push(kernel);
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {}, sleep: async () => {} });
  /** Applies inputs as one batch, then dispatches the batch's transitions (as the ring intake does). */
  const batch = (inputs: KernelInput[]) => {
    const transitions: TransitionRecord[] = [];
    for (const i of inputs) transitions.push(...kernel.apply(i).transitions);
    executor.dispatch(transitions);
  };
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await executor.drain(1_000);
      await Bun.sleep(2);
    }
  };
  return { kernel, executor, calls, batch, settle, clock };
}

test("an entry cancelled in the batch that opened it is never sent, and its slot is IDLE again", async () => {
  const w = await world();
  await w.executor.setLeverage("BTC-USDT", "LONG", 3); // the entry would be written in the batch's turn
  const now = w.clock.nowMs();
  w.batch([
    {
      type: "ENTER",
      slot_id: 0,
      trade_id: "B0",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: 60_000,
      leverage: 3,
      now_ms: now,
    },
    { type: "CANCEL", slot_id: 0, now_ms: now },
  ]);
  await w.settle();
  expect(w.kernel.slot(0).stage).toBe("IDLE");
  expect(w.kernel.slot(0).entry_order?.status).toBe("CANCELLED");
  expect(w.calls).toEqual([]);
});

test("an exit cancelled in the batch that opened it is never sent: the position stays open, whole", async () => {
  const w = await world();
  w.executor.submitStrategy({
    type: "ENTER",
    slot_id: 0,
    trade_id: "B1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price: null,
    leverage: 3,
  });
  await w.settle();
  expect(w.kernel.slot(0).stage).toBe("POSITION_OPEN");
  w.calls.length = 0;
  const now = w.clock.nowMs();
  w.batch([
    { type: "EXIT", slot_id: 0, size: 0.01, price: 70_000, reason: "SIGNAL", now_ms: now },
    { type: "CANCEL", slot_id: 0, now_ms: now },
  ]);
  await w.settle();
  expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  expect(w.kernel.slot(0).exit_order?.status).toBe("CANCELLED");
  expect(w.calls).toEqual([]);
});
