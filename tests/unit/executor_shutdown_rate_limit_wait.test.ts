/**
 * A rate-limited venue during a cancel or a hung-order query, and shutdown in the middle of the wait
 * (fast tier: a real kernel and executor over the mock venue, the executor's timer in the test's hand).
 *
 * The cancel waits the venue's hint and is sent again (never dropped while its sends last, never a tight
 * loop); shutdown's bounded drain does not wait for the pause, and the kernel is destroyed while the
 * cancel still sleeps. When the pause ends, the cancel must end quietly (one log line): no exception
 * escapes a venue call's continuation, and nothing more is sent. The hung-order query's retries likewise
 * end at shutdown with an answer (UNKNOWN, logged), never a rejection nobody handles.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { KernelError } from "../../src/kernel/index.ts";
import { resolveHung } from "../../src/launcher/_hung_query.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { executorOver, mockVenue } from "../_support/executor.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";
import { btcEntry } from "../_support/runtime.ts";

const live: ExecutionKernel[] = [];
afterEach(() => {
  for (const k of live.splice(0)) k.destroy();
});

/** A timer whose pauses end only when the test says so. */
function heldTimer() {
  const pauses: number[] = [];
  const waiting: Array<() => void> = [];
  return {
    pauses,
    sleep: (ms: number) => {
      pauses.push(ms);
      return new Promise<void>((r) => waiting.push(r));
    },
    release: () => {
      for (const r of waiting.splice(0)) r();
    },
  };
}

describe("a cancel refused for the rate limit", () => {
  test("waits the venue's hint and is sent again until the venue takes it", async () => {
    const clock = new ManualClock(T0);
    const mock = await mockVenue(4, clock);
    const timer = heldTimer();
    const { kernel, executor } = executorOver(mock, clock, live, { sleep: timer.sleep });
    await executor.setLeverage("BTC-USDT", "LONG", 3);
    executor.submitStrategy({ ...btcEntry("W0"), price: 60_000 });
    await executor.drain(1_000);
    await Bun.sleep(2);
    expect(kernel.slot(0).entry_order?.status).toBe("ACKED");
    mock.setKnobs({ rate_limit: { retry_after_ms: 1_500, count: 2 } });
    executor.submitStrategy({ type: "CANCEL", slot_id: 0 });
    await Bun.sleep(2);
    expect(timer.pauses).toEqual([1_500]); // the hint, not a tight loop
    timer.release();
    await Bun.sleep(2);
    expect(timer.pauses).toEqual([1_500, 1_500]);
    timer.release();
    expect(await executor.drain(1_000)).toBe(0);
    await Bun.sleep(2);
    expect(kernel.slot(0).stage).toBe("IDLE");
    expect(await mock.openOrders()).toEqual([]);
  });

  test("shutdown during the wait: the drain is bounded, and the cancel ends quietly once the kernel is gone", async () => {
    const clock = new ManualClock(T0);
    const mock = await mockVenue(4, clock);
    const kernel = freshKernel({ slots: 2, capital: 10_000 });
    const timer = heldTimer();
    const logs: string[] = [];
    const executor = new Executor(kernel, mock, clock, {
      afterApply: () => {},
      sleep: timer.sleep,
      log: (l) => logs.push(l),
    });
    await executor.setLeverage("BTC-USDT", "LONG", 3);
    executor.submitStrategy({ ...btcEntry("W1"), price: 60_000 });
    await executor.drain(1_000);
    await Bun.sleep(2);
    mock.setKnobs({ rate_limit: { retry_after_ms: 5_000 } });
    executor.submitStrategy({ type: "CANCEL", slot_id: 0 });
    await Bun.sleep(2);
    expect(timer.pauses).toEqual([5_000]);
    // Shutdown: intake stops, the drain gives up after its bound, the kernel is destroyed.
    executor.stopIntake();
    expect(await executor.drain(20)).toBe(1);
    kernel.destroy();
    mock.clearKnobs();
    timer.release(); // the pause ends after the kernel is gone
    expect(await executor.drain(1_000)).toBe(0);
    await Bun.sleep(5);
    expect(logs.some((l) => l.includes("ExecutionKernel used after destroy()"))).toBe(true);
    expect(await mock.openOrders()).toHaveLength(1); // nothing sent after the kernel was gone
  });
});

describe("a hung-order query refused for the rate limit", () => {
  test("waits the venue's hint and asks again: the fill is booked once the venue answers", async () => {
    const clock = new ManualClock(T0);
    const mock = await mockVenue(6, clock);
    let refusals = 2;
    const venue: VenueAdapter = Object.create(mock, {
      queryOrder: {
        value: async (asset: string, cid: string) => {
          if (refusals-- > 0) throw Object.assign(new Error("HTTP 429"), { rate_limited: true, retry_after_ms: 700 });
          return mock.queryOrder(asset, cid);
        },
      },
    });
    const pauses: number[] = [];
    const { kernel, executor } = executorOver(venue, clock, live, { sleep: async (ms) => void pauses.push(ms) });
    await executor.setLeverage("BTC-USDT", "LONG", 3);
    mock.setKnobs({ drop_responses: { count: 1 }, stream_drop: { after: 0 } }); // executed, nothing heard
    executor.submitStrategy(btcEntry("W2"));
    await executor.drain(1_000);
    mock.clearKnobs();
    expect(await executor.resolveByQuery(0)).toBe("EVENT");
    expect(pauses).toEqual([700, 700]);
    expect(kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  });
});

describe("a hung-order query at shutdown", () => {
  test("whose attempt throws (the kernel destroyed under it) ends with UNKNOWN, logged, never a rejection", async () => {
    const logs: string[] = [];
    let calls = 0;
    const result = await resolveHung(0, {
      resolve: async () => {
        calls++;
        throw new KernelError("ExecutionKernel used after destroy()");
      },
      sleep: async () => {},
      stopped: () => true,
      log: (l) => logs.push(l),
    });
    expect(result).toBe("UNKNOWN");
    expect(calls).toBe(1);
    expect(logs.join("\n")).toContain("ExecutionKernel used after destroy()");
  });
});
