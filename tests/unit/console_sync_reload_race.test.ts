/**
 * A reload of the whole state (`GET /status` after a `reset` event) does not put back older
 * figures than the events that overtook its answer: a control change (trading HALTED) or an
 * account change that reached the console while the status was on its way is newer than that
 * status (a higher version), and the console keeps it. Otherwise the header would say ACTIVE while
 * the kernel is HALTED, and the account would show figures the kernel has left, until their next
 * change.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { getState, update } from "../../src/console/ui/_store.ts";
import { SyncHarness, statusDoc, until } from "../_support/console_sync_harness.ts";

function account(version: number, equity: number) {
  return {
    capital: 1_000,
    peak_capital: 1_000,
    drawdown: 1_000 - equity,
    drawdown_ratio: (1_000 - equity) / 1_000,
    fees_paid: 0,
    realized_pnl_total: 0,
    unrealized_pnl: equity - 1_000,
    equity,
    trade_seq: 0,
    version,
    seeded: true,
  };
}

function status(run: string, version: number, trading_state: string, equity: number) {
  return statusDoc(run, { account: account(version, equity), control: { version, trading_state } });
}

let h: SyncHarness | null = null;

afterEach(async () => {
  await h?.stop();
  h = null;
  update({ status: null, account: null, control: null, slots: [] });
});

describe("console sync: a reload answered after newer events", () => {
  test("keeps the control and account the events brought, not the status's older ones", async () => {
    h = new SyncHarness();
    h.routes["/status"] = status("r1", 1, "ACTIVE", 1_000);
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    h.streams[0]!.send("reset", "e1-0", { reason: "a fresh connection" });
    await until(() => getState().status?.run === "r1", "the first status loaded");

    // The next reload's status was taken at version 2; versions 3 arrive before its answer.
    const waiting: Array<(r: Response) => void> = [];
    h.routes["/status"] = () => new Promise<Response>((r) => waiting.push(r));
    h.streams[0]!.send("reset", "e1-10", { reason: "events were lost: the client fell behind the ring" });
    await until(() => waiting.length > 0, "the reload asked for the status");
    h.streams[0]!.send("control", "e1-11", { version: 3, trading_state: "HALTED" });
    h.streams[0]!.send("account", "e1-12", { ...account(3, 900), at_ms: 5_000 });
    await until(() => getState().account?.version === 3, "the account event arrived");
    for (const answer of waiting) answer(Response.json(status("r1-reloaded", 2, "ACTIVE", 950)));
    await until(() => getState().status?.run === "r1-reloaded", "the reload answered");

    expect(getState().control?.trading_state).toBe("HALTED");
    expect(getState().control?.version).toBe(3);
    expect(getState().account?.equity).toBe(900);
  });

  test("takes the status's figures when no newer event came", async () => {
    h = new SyncHarness();
    h.routes["/status"] = status("r1", 4, "REDUCING", 990);
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    h.streams[0]!.send("reset", "e1-0", { reason: "a fresh connection" });
    await until(() => getState().status?.run === "r1", "the status loaded");
    expect(getState().control?.trading_state).toBe("REDUCING");
    expect(getState().account?.equity).toBe(990);
  });
});
