/**
 * A flatten answers by its bound (`timeout_ms`) even when the live reconciliation pass it asks
 * for (a stale slot needs the venue's truth) is slow: a pass waiting out venue rate limits could
 * otherwise hold the operator's emergency exit well past the bound they gave it. The pass goes on
 * by itself; the flatten answers with what is still open.
 */

import { expect, test } from "bun:test";
import type { FlattenRequest } from "../../src/contracts/flatten.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { Flattener } from "../../src/launcher/flatten.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, openPosition, T0 } from "../_support/kernel.ts";

test("a flatten whose reconciliation pass hangs still answers by its bound, naming the stale slot", async () => {
  const clock = new SystemClock();
  const venue = new MockVenueAdapter({ seed: 1, clock, prices: { "BTC-USDT": 100 } });
  await venue.connect();
  const kernel = freshKernel();
  openPosition(kernel, 0, 1, 100);
  expect(kernel.apply({ type: "MARK_STALE", slot_id: 0, reason: "OPERATOR", now_ms: T0 + 100 }).accepted).toBe(true);
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  let passes = 0;
  const flattener = new Flattener({
    kernel,
    executor,
    venue,
    clock,
    halt: () => {},
    reconcileNow: () => {
      passes++;
      return Bun.sleep(8_000); // a pass stuck waiting out the venue's rate limits
    },
    sleep: (ms) => Bun.sleep(ms),
    log: () => {},
  });
  const started = performance.now();
  const report = await flattener.run({ timeout_ms: 300 } as FlattenRequest);
  const tookMs = performance.now() - started;
  expect(passes).toBe(1);
  expect(tookMs).toBeLessThan(2_000); // the bound (300 ms) and the venue's confirmation, not the 8 s pass
  expect(report.complete).toBe(false);
  expect(report.slots.find((s) => s.slot_id === 0)?.result).toBe("STILL_OPEN");
  kernel.destroy();
  await venue.close();
}, 15_000);
