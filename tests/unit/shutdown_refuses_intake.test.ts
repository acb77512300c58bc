/**
 * Once shutdown begins (SIGTERM → `rt.shutdown`), every new intake is refused and starts no venue
 * work: a flatten (HTTP or the control mailbox) and an operator's control change, not only
 * `POST /intents`. The HTTP edge answers each with 503 and an `error` naming the shutdown. Shutdown is
 * held open in its drain (a venue placement still out) or while the venue closes, so the window in
 * which these requests still arrive is deterministic.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import type { InMemoryControlPlane } from "../../src/control/index.ts";
import { createHttp, type HttpDeps, IntakeClosedError } from "../../src/http/index.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import type { MockVenueAdapter } from "../../src/venue/index.ts";
import { until } from "../_support/runtime.ts";

const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A gate a held venue call waits on. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

const enter = (slot_id: number, asset: string, trade_id: string): Extract<StrategyIntent, { type: "ENTER" }> => ({
  type: "ENTER",
  slot_id,
  trade_id,
  asset,
  side: "LONG",
  size: asset === "BTC-USDT" ? 0.01 : 0.5,
  price: null,
  leverage: 3,
});

/**
 * A started runtime (journal on) with a position open on slot 0, and shutdown begun while a
 * placement (slot 1's entry) is held at the venue: the drain waits on it. `submits` lists every
 * order the venue was asked to place.
 */
async function shuttingDown(opts: { holdClose?: boolean; restingEth?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "dita-shutdown-intake-"));
  dirs.push(dir);
  const env = { DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0", DITA_V2_WARM_PATH_MS: "0" };
  const bundle = await buildBundle(loadConfig(env), new SystemClock(), {}, { journal: true, log: () => {} });
  const mock = bundle.venue;
  const submits: OrderRequest[] = [];
  const held = gate();
  const closing = gate();
  let hold = false;
  const submit = mock.submit.bind(mock);
  mock.submit = async (order) => {
    submits.push(order);
    if (hold) await held.wait;
    return submit(order);
  };
  const close = mock.close.bind(mock);
  const state = { closeCalled: false };
  mock.close = async () => {
    state.closeCalled = true;
    if (opts.holdClose) await closing.wait;
    return close();
  };
  const rt = new Runtime(bundle, () => {});
  await rt.start();
  expect(rt.submitStrategy(enter(0, "BTC-USDT", "SD0")).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  if (opts.restingEth) {
    expect(rt.submitStrategy({ ...enter(1, "ETH-USDT", "SDR"), price: 3000 }).accepted).toBe(true);
    await until(() => rt.b.kernel.slot(1).entry_order?.status === "ACKED");
  }
  const loops = rt.runLoops();
  let down: Promise<unknown> = Promise.resolve();
  if (!opts.holdClose) {
    hold = true;
    expect(rt.submitStrategy(enter(1, "ETH-USDT", "SD1")).accepted).toBe(true);
    await until(() => submits.length === 2 && rt.executor.inflightCount === 1);
  }
  down = rt.shutdown(4000);
  cleanups.push(async () => {
    held.open();
    closing.open();
    await down;
    await loops;
  });
  expect(rt.executor.accepting).toBe(false);
  return { rt, mock, dir, submits, held, closing, down, state };
}

describe("shutdown refuses new intake", () => {
  test("a flatten asked once shutdown began is refused (IntakeClosedError) and sends no order", async () => {
    const { rt, submits } = await shuttingDown();
    const before = submits.length;
    await expect(rt.flattener.run({ timeout_ms: 1000 })).rejects.toBeInstanceOf(IntakeClosedError);
    await Bun.sleep(20);
    expect(submits.length).toBe(before);
    expect(rt.b.kernel.slot(0).stage).toBe("POSITION_OPEN");
  });

  test("a mailbox flatten posted once shutdown began is answered REJECTED (shutting down) and sends no order", async () => {
    const { rt, submits } = await shuttingDown();
    const before = submits.length;
    const client = (rt.b.control as InMemoryControlPlane).client();
    expect(client.post({ flatten: true }, 41)).toBe("OK");
    await until(() => client.lastResult()?.requestId === 41);
    await Bun.sleep(20);
    expect(client.lastResult()).toMatchObject({ requestId: 41, status: "REJECTED", key: "flatten" });
    expect(client.lastResult()!.message).toContain("shutting down");
    expect(submits.length).toBe(before);
  });

  test("an operator's control change once shutdown began is refused (IntakeClosedError) and changes nothing", async () => {
    const { rt, closing, state } = await shuttingDown({ holdClose: true });
    await until(() => state.closeCalled); // past the drain: the venue is closing (before the fix: the journal was closed)
    const before = rt.b.control.snapshot();
    expect(() => rt.applyControl({ max_leverage: 7 })).toThrow(IntakeClosedError);
    expect(rt.b.control.snapshot()).toEqual(before);
    closing.open();
  });
});

describe("the HTTP edge answers a closed intake 503", () => {
  const closed = () => {
    throw new IntakeClosedError("shutting down: intake is closed");
  };
  const deps = {
    health: () => ({ ok: false, reasons: ["shutting down"] }),
    slotCount: () => 1,
    operatorToken: () => "tok",
    refuseIntent: closed,
    submitIntent: closed,
    control: closed,
    flatten: async () => closed(),
  } as unknown as HttpDeps;
  const http = createHttp(deps);
  const post = (path: string, body: string) =>
    new Request(`http://127.0.0.1${path}`, {
      method: "POST",
      body,
      headers: { Authorization: "Bearer tok", "Content-Type": "application/json" },
    });

  for (const [path, body] of [
    ["/flatten", ""],
    ["/control", '{"trading_state":"HALTED"}'],
  ] as const) {
    test(`POST ${path} while shutting down: 503 naming the shutdown, not a 500`, async () => {
      const res = await http.fetch(post(path, body));
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: "shutting down: intake is closed" });
    });
  }
});

describe("work accepted before shutdown is finished or reported", () => {
  test("a venue fill arriving while the venue closes is journaled (the restart finds it), not thrown", async () => {
    const { rt, mock, dir, closing, down, state } = await shuttingDown({ holdClose: true, restingEth: true });
    await until(() => state.closeCalled); // drained, loops stopped: the venue is closing
    (mock as MockVenueAdapter).setPrice("ETH-USDT", 2900); // crosses slot 1's resting entry: its fill is delivered
    await until(() => rt.b.kernel.slot(1).stage === "POSITION_OPEN"); // an exception here is uncaught
    closing.open();
    await down;
    const env = { DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_ON_RESTART: "0", DITA_V2_RECONCILE_INTERVAL_MS: "0" };
    const again = await buildBundle(loadConfig(env), new SystemClock(), {}, { journal: true, log: () => {} });
    const rt2 = new Runtime(again, () => {});
    cleanups.push(() => rt2.shutdown(500));
    await rt2.start();
    expect(rt2.b.kernel.slot(1).stage).toBe("POSITION_OPEN");
  });

  test("a flatten running when shutdown begins answers its report (slot still open named) before shutdown returns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dita-shutdown-flatten-"));
    dirs.push(dir);
    const env = { DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0", DITA_V2_WARM_PATH_MS: "0" };
    const bundle = await buildBundle(loadConfig(env), new SystemClock(), {}, { journal: true, log: () => {} });
    const mock = bundle.venue as MockVenueAdapter;
    const rt = new Runtime(bundle, () => {});
    await rt.start();
    expect(rt.submitStrategy(enter(0, "BTC-USDT", "SDF")).accepted).toBe(true);
    await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
    mock.setKnobs({ reject: { code: 80001, message: "exits refused for this test" } });
    let settled = "open" as "open" | "resolved" | "rejected";
    const flatten = rt.flattener.run({ timeout_ms: 20_000 });
    const outcome = flatten.then(
      (r) => {
        settled = "resolved";
        return r;
      },
      (e: unknown) => {
        settled = "rejected";
        return e;
      },
    );
    await until(() => rt.b.kernel.slot(0).exit_order?.status === "REJECTED");
    await rt.shutdown(2000);
    expect(settled).toBe("resolved");
    const report = (await outcome) as Awaited<typeof flatten>;
    expect(report.complete).toBe(false);
    expect(report.slots[0]).toMatchObject({ slot_id: 0, result: "STILL_OPEN" });
  });
});
