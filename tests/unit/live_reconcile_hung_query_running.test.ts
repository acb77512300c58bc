/**
 * Live reconciliation leaves alone a hung order whose venue query is still out (fast tier: a real
 * kernel and executor over the mock venue).
 *
 * An entry's placement answer and its stream events are lost; the kernel marks the order hung and
 * the executor asks the venue about it (`resolveByQuery`), slowly. A live pass that runs meanwhile
 * must not converge the slot on its own: the query's answer (the fill) would then land on an order
 * the reconcile already ended — a needless CRITICAL OVERFILL, the slot stale and reconciled a
 * second time. The running query counts like a running placement or cancel (`callRunning`).
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { QueriesOut } from "../../src/launcher/_hung_query.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { mockVenue } from "../_support/executor.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

test("a live pass while a hung order's query is out leaves the slot alone: the answer lands, no OVERFILL", async () => {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(9, clock);
  let answer = () => {};
  const slowAnswer = new Promise<void>((r) => (answer = r));
  let queriesOut = 0;
  const venue: VenueAdapter = Object.create(mock, {
    queryOrder: {
      value: async (asset: string, cid: string) => {
        queriesOut++;
        await slowAnswer; // the hung-order query takes its time
        return mock.queryOrder(asset, cid);
      },
    },
  });
  const kernel = freshKernel({ slots: 2, capital: 10_000, hungMs: 1_000 });
  kernels.push(kernel);
  const diags: DiagnosticRecord[] = [];
  const executor = new Executor(kernel, venue, clock, {
    afterApply: (_input, outcome) => diags.push(...outcome.diagnostics),
  });
  const reconciler = testReconciler({ kernel, executor, venue, clock }, diags);

  mock.setKnobs({ drop_responses: { count: 1 }, stream_drop: { after: 0 } }); // executed, nothing heard
  executor.submitStrategy(btcEntry("H0"));
  await executor.drain(1_000);
  clock.advance(2_000);
  executor.applySystem({ type: "TICK", now_ms: clock.nowMs() });
  expect(kernel.slot(0).entry_order).toMatchObject({ status: "PENDING_SUBMIT", hung: true });

  const query = executor.resolveByQuery(0); // out at the venue, not answered yet
  expect(queriesOut).toBe(1);
  expect(await reconciler.pass()).toEqual([]); // the query will settle the slot: not judged now
  expect(kernel.slot(0).stage).toBe("ENTRY_WORKING");

  answer();
  expect(await query).toBe("EVENT");
  expect(kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", side: "LONG", size: 0.01 });
  expect(diags.filter((d) => d.code === "OVERFILL" || d.severity === "CRITICAL")).toEqual([]);
  expect(executor.callRunning("H0-E")).toBe(false); // the query's mark ends with it
  expect(await reconciler.pass()).toEqual([]);
});

test("two overlapping queries of one order: the order stays marked until the last one's answer is applied", async () => {
  const out = new QueriesOut();
  let first = () => {};
  let second = () => {};
  const a = out.during("X-E", () => new Promise<void>((r) => (first = r)));
  const b = out.during("X-E", () => new Promise<void>((r) => (second = r)));
  first();
  await a;
  expect(out.has("X-E")).toBe(true);
  second();
  await b;
  expect(out.has("X-E")).toBe(false);
  await expect(out.during("X-E", async () => Promise.reject(new Error("applying failed")))).rejects.toThrow();
  expect(out.has("X-E")).toBe(false); // a failure never leaves the order marked (it would never be judged again)
});
