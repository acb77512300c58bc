/**
 * Order lifecycle recovery (mock venue, real journal, in-process runtime): a hung order whose venue
 * query fails is queried again until the venue answers; a cancel whose answer is lost is sent
 * again by the executor and, once it gave up, by flatten or once the order is found hung; an entry whose placement waited for its
 * leverage is not sent after a flatten or a halt asked it away. Each test fails without its fix.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FlattenRequest } from "../../src/contracts/flatten.ts";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import { type HungResult, resolveHung } from "../../src/launcher/_hung_query.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import type { MockVenueAdapter } from "../../src/venue/index.ts";
import { btcEntry, until } from "../_support/runtime.ts";

const dirs: string[] = [];
const open: Runtime[] = [];
afterEach(async () => {
  for (const rt of open.splice(0)) await rt.shutdown(500);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function bundle() {
  const dir = mkdtempSync(join(tmpdir(), "dita-order-life-"));
  dirs.push(dir);
  const env = {
    DITA_V2_STATE_DIR: dir,
    DITA_V2_RECONCILE_INTERVAL_MS: "0",
    DITA_V2_WARM_PATH_MS: "0",
    DITA_V2_HUNG_ORDER_MS: "200",
  };
  return buildBundle(loadConfig(env), new SystemClock(), {}, { journal: true, log: () => {} });
}

async function start(b: Awaited<ReturnType<typeof bundle>>, logs: string[] = []) {
  const rt = new Runtime(b, (l) => logs.push(l));
  open.push(rt);
  await rt.start();
  return rt;
}

const tick = (rt: Runtime) => rt.executor.applySystem({ type: "TICK", now_ms: rt.b.clock.nowMs() });
const flatten = (rt: Runtime, timeout_ms: number) => rt.flattener.run({ timeout_ms } as FlattenRequest);
const limitEntry = { ...btcEntry("c1"), price: 60_000 };

test("a hung order whose one venue query failed is queried again: the slot learns the position", async () => {
  const b = await bundle();
  const on = b.venue.onEvent.bind(b.venue);
  b.venue.onEvent = (h) => on((e) => (e.client_order_id.startsWith("h1") ? undefined : h(e))); // stream loses h1
  const query = b.venue.queryOrder.bind(b.venue);
  let queries = 0;
  b.venue.queryOrder = async (a, c) => {
    if (++queries === 1) throw new Error("HTTP 503");
    return query(a, c);
  };
  const rt = await start(b);
  rt.submitStrategy(btcEntry("h1"));
  for (let i = 0; i < 30 && rt.b.kernel.slot(0).stage !== "POSITION_OPEN"; i++) {
    await Bun.sleep(100);
    tick(rt);
  }
  expect(rt.b.kernel.slot(0).stage).toBe("POSITION_OPEN");
  expect(rt.b.kernel.slot(0).size).toBe(0.01);
  expect(queries).toBeGreaterThanOrEqual(2);
});

test("live reconcile judges a hung order no venue call is running for: the slot takes the venue's position", async () => {
  const b = await bundle();
  const on = b.venue.onEvent.bind(b.venue);
  b.venue.onEvent = (h) => on((e) => (e.client_order_id.startsWith("r1") ? undefined : h(e))); // stream loses r1
  b.venue.queryOrder = async () => {
    throw new Error("HTTP 503"); // every hung-order query fails
  };
  const rt = await start(b);
  rt.submitStrategy(btcEntry("r1"));
  await Bun.sleep(250);
  tick(rt);
  expect(rt.b.kernel.slot(0).entry_order?.hung).toBe(true);
  expect(rt.b.kernel.slot(0).stage).toBe("ENTRY_WORKING");
  expect(await rt.reconciler.pass()).toEqual([0]);
  expect(rt.b.kernel.slot(0).stage).toBe("POSITION_OPEN");
  expect(rt.b.kernel.slot(0).size).toBe(0.01);
});

test("hung-order retries are bounded and stop at shutdown", async () => {
  const pauses: number[] = [];
  const deps = { sleep: async (ms: number) => void pauses.push(ms), log: () => {} };
  let calls = 0;
  const unknown = async (): Promise<HungResult> => {
    calls++;
    return "UNKNOWN";
  };
  expect(await resolveHung(0, { ...deps, resolve: unknown, stopped: () => false })).toBe("UNKNOWN");
  expect(calls).toBe(8);
  expect(pauses).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000]);
  calls = 0;
  expect(await resolveHung(0, { ...deps, resolve: unknown, stopped: () => calls >= 2 })).toBe("UNKNOWN");
  expect(calls).toBe(2);
});

test("a cancel whose answer was lost (5xx) is sent again: the resting entry ends cancelled", async () => {
  const b = await bundle();
  const mock = b.venue as unknown as MockVenueAdapter; // before the runtime wraps it in its log
  const rt = await start(b);
  rt.submitStrategy(limitEntry);
  await until(() => rt.b.kernel.slot(0).entry_order?.status === "ACKED");
  mock.setKnobs({ http_5xx: { count: 1 } });
  rt.submitStrategy({ type: "CANCEL", slot_id: 0 });
  await until(() => rt.b.kernel.slot(0).stage === "IDLE");
  expect(await rt.b.venue.openOrders()).toEqual([]);
});

/** A resting entry whose cancel the executor gave up on (every one of its 4 sends failed with a 5xx). */
async function cancelGivenUp() {
  const b = await bundle();
  const mock = b.venue as unknown as MockVenueAdapter;
  const logs: string[] = [];
  const rt = await start(b, logs);
  rt.submitStrategy(limitEntry);
  await until(() => rt.b.kernel.slot(0).entry_order?.status === "ACKED");
  mock.setKnobs({ http_5xx: { count: 4 } }); // every executor try fails
  rt.submitStrategy({ type: "CANCEL", slot_id: 0 });
  await until(() => logs.some((l) => l.includes("try 4 of 4")));
  await Bun.sleep(20);
  expect(rt.b.kernel.slot(0).entry_order?.status).toBe("CANCEL_REQUESTED");
  return { rt, logs };
}

test("flatten sends again a cancel the executor gave up on: the order is cancelled, flatten complete", async () => {
  const { rt } = await cancelGivenUp();
  const report = await flatten(rt, 2_000);
  expect(report.complete).toBe(true);
  expect(report.venue.open_orders).toEqual([]);
  expect(rt.b.kernel.slot(0).stage).toBe("IDLE");
});

test("a cancel the executor gave up on is sent again once its order is found hung: cancelled without a flatten", async () => {
  const { rt, logs } = await cancelGivenUp();
  for (let i = 0; i < 30 && rt.b.kernel.slot(0).stage !== "IDLE"; i++) {
    await Bun.sleep(100);
    tick(rt); // past DITA_V2_HUNG_ORDER_MS the kernel reports the order hung
  }
  expect(rt.b.kernel.slot(0).stage).toBe("IDLE");
  expect(logs).toContain("slot 0: cancel of c1-E sent again");
  expect(await rt.b.venue.openOrders()).toEqual([]);
});

/** A runtime whose leverage call takes 400 ms and whose venue notes every order it receives. */
async function slowLeverage() {
  const b = await bundle();
  const setLeverage = b.venue.setLeverage.bind(b.venue);
  b.venue.setLeverage = async (...a) => {
    await Bun.sleep(400);
    return setLeverage(...a);
  };
  const sent: { order: OrderRequest; trading: string }[] = [];
  const submit = b.venue.submit.bind(b.venue);
  b.venue.submit = (order) => {
    sent.push({ order, trading: b.control.snapshot().trading_state });
    return submit(order);
  };
  return { rt: await start(b), sent };
}

test.each([300, 3_000])(
  "flatten during an entry's leverage wait: the entry is never sent (bound %d ms)",
  async (bound) => {
    const { rt, sent } = await slowLeverage();
    rt.submitStrategy(btcEntry("f1"));
    const report = await flatten(rt, bound);
    expect(report.complete).toBe(true);
    expect(report.venue.positions).toEqual([]);
    await Bun.sleep(500); // past the leverage call
    expect(sent).toEqual([]);
    expect(rt.b.kernel.slot(0).stage).toBe("IDLE");
    expect(await rt.b.venue.positions()).toEqual([]);
  },
);

test("an entry whose leverage wait ends under HALTED is not sent: the slot returns to IDLE", async () => {
  const { rt, sent } = await slowLeverage();
  rt.submitStrategy(btcEntry("t1"));
  rt.applyControl({ trading_state: "HALTED" });
  await until(() => rt.b.kernel.slot(0).stage === "IDLE");
  await Bun.sleep(50);
  expect(sent).toEqual([]);
});
