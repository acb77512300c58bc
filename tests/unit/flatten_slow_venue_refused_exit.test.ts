/**
 * Flatten after a refused exit, on a venue that answers slowly (each positions and open-orders read
 * takes 1 s on the clock, as an exchange under stress may: the moment a flatten is for). A refused
 * exit makes the flatten take the venue's truth (a live reconciliation pass) before it sends FLATTEN
 * again, and it takes that truth at most every 2 s. That interval counted from the pass's start: a
 * pass of 2 s or more was due again the moment it ended, so the flatten only ever reconciled and never
 * placed the exit again (INCOMPLETE at the bound, the position left open). Counted from the pass's
 * end, the slot's FLATTEN comes between two passes.
 *
 * A real kernel, executor, live reconciler and flattener over the mock venue, on a ManualClock.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { FlattenRequest } from "../../src/contracts/flatten.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Flattener } from "../../src/launcher/flatten.ts";
import { LiveReconciler } from "../../src/launcher/live_reconcile.ts";
import { executorOver, mockVenue } from "../_support/executor.ts";
import { T0 } from "../_support/kernel.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(20); // the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

test("a flatten whose exit was refused, on a venue whose reads take 1 s each, sends FLATTEN again between reconcile passes: complete", async () => {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(7, clock);
  const slow = (read: () => Promise<unknown>) => async () => {
    clock.advance(1_000);
    return read();
  };
  const venue: VenueAdapter = Object.create(mock, {
    positions: { value: slow(() => mock.positions()) },
    openOrders: { value: slow(() => mock.openOrders()) },
  });
  const { kernel, executor, settle } = executorOver(venue, clock, kernels);
  executor.submitStrategy(btcEntry("SV"));
  await settle();
  expect(kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });

  const ops = {
    kernel,
    executor,
    venue,
    clock,
    log: () => {},
    // Pauses pass on the clock; the flatten's wait for a pass (up to its bound) ends when the pass does.
    sleep: async (ms: number) => {
      if (ms >= 10_000) return new Promise<void>(() => {});
      clock.advance(ms);
      await Bun.sleep(1);
    },
  };
  const reconciler = new LiveReconciler({ ...ops, report: () => {} });
  const flattener = new Flattener({ ...ops, halt: () => {}, reconcileNow: () => reconciler.pass() });
  mock.setKnobs({ rate_limit: { count: 1 } }); // the flatten's first exit is refused
  const report = await flattener.run({ timeout_ms: 30_000 } as FlattenRequest);
  expect(report.attempts).toEqual({ flatten_inputs: 2, after_refusal: 1 });
  expect(report.slots.find((s) => s.slot_id === 0)?.result).toBe("CLOSED");
  expect(report.complete).toBe(true);
  expect(await mock.positions()).toEqual([]);
}, 15_000);
