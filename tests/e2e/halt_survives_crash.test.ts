/**
 * What an operator relies on after an emergency exit, through the built executable (mock venue):
 * `POST /flatten` halts trading; the process then dies (SIGKILL, as a crash would) and is started
 * again on the same state directory, as supervisord does. The new process is still HALTED — its
 * log says the state was carried over from the last run — and refuses a strategy's ENTER with
 * TRADING_HALTED, until the operator sets ACTIVE; then the ENTER goes through. The environment
 * said ACTIVE throughout.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { scratch } from "./_exe.ts";
import { type Served, startServe } from "./_serve.ts";

const stateDir = scratch("dita-halt-crash-");
const env = { DITA_V2_TRADING_STATE: "ACTIVE", DITA_V2_RECONCILE_INTERVAL_MS: "0" };
const running: Served[] = [];
afterAll(async () => {
  for (const s of running) if (s.proc.exitCode === null) await s.kill9();
  rmSync(stateDir, { recursive: true, force: true });
});

const enter = (s: Served, trade_id: string) =>
  s.call("/intents", {
    body: {
      type: "ENTER",
      slot_id: 0,
      trade_id,
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: null,
      leverage: 2,
    },
  });

describe("a halt across a crash", () => {
  test("flatten, SIGKILL, restart: still HALTED and an ENTER is refused until the operator sets ACTIVE", async () => {
    const first = await startServe(env, stateDir);
    running.push(first);
    expect((await first.call("/flatten", { body: { timeout_ms: 5_000 } })).status).toBe(200);
    expect((await first.call("/control")).body.trading_state).toBe("HALTED");
    await first.kill9();

    const next = await startServe(env, stateDir);
    running.push(next);
    expect(next.stderr()).toContain("trading HALTED carried over from the last run");
    expect((await next.call("/control")).body.trading_state).toBe("HALTED");
    const refused = await enter(next, "AfterCrash1");
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain("TRADING_HALTED");

    expect((await next.call("/control", { body: { trading_state: "ACTIVE" } })).status).toBe(200);
    expect((await enter(next, "AfterCrash2")).status).toBe(200);
    expect(await next.stop()).toBe(0);
  }, 60_000);
});
