/**
 * The console's sync loop keeps what it shows true:
 *
 * - a flatten it saw start is not shown running forever when its FINISHED event never reaches
 *   it: after a `reset` (the console fell behind the ring, or serve restarted) the reloaded status
 *   says whether that flatten answered (its report) or whether its serve is gone (a later start);
 *   until then the Flatten button stayed disabled ("Flattening N slots…") and the banner said a
 *   flatten was running;
 * - a stored token the server now refuses (serve restarted with a rotated token) is dropped, not
 *   kept as "token set": the console reads on without it where the server allows (loopback), and
 *   the token box asks for the current one.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { getState, update } from "../../src/console/ui/_store.ts";
import type { FlattenReport } from "../../src/contracts/flatten.ts";
import { SyncHarness, statusDoc, until } from "../_support/console_sync_harness.ts";
import { uiModule } from "../_support/console_vnode.ts";

const TOKEN_KEY = "dita-v2.operator-token";

function status(o: { started_at_ms: number; flatten: FlattenReport | null; run: string }) {
  return statusDoc(o.run, {
    started_at_ms: o.started_at_ms,
    control: { version: 1, trading_state: "HALTED" },
    flatten: o.flatten,
  });
}

function report(started_at_ms: number, finished_at_ms: number): FlattenReport {
  return {
    complete: true,
    trading_state: "HALTED",
    started_at_ms,
    finished_at_ms,
    slots: [],
    venue: { checked: true, positions: [], open_orders: [], balance: 1000, error: null },
    capital: 1000,
    attempts: { flatten_inputs: 1, after_refusal: 0 },
  };
}

const started = (started_at_ms: number) => ({
  phase: "STARTED",
  started_at_ms,
  timeout_ms: 30_000,
  slots_not_flat: [0, 1],
});

let h: SyncHarness | null = null;

afterEach(async () => {
  await h?.stop();
  h = null;
  update({ status: null, flattenRunning: null, flattenReport: null, hasToken: false, authMessage: null });
});

async function reset(harness: SyncHarness, id: string, run: string): Promise<void> {
  harness.streams[0]!.send("reset", id, { reason: "events were lost: the client fell behind the ring" });
  await until(() => getState().status?.run === run, `the status of ${run} loaded`);
}

describe("console sync: a flatten whose FINISHED event was lost", () => {
  test("after a reset, the reloaded status's report of that flatten ends 'flatten running'", async () => {
    h = new SyncHarness();
    h.routes["/status"] = status({ started_at_ms: 1_000, flatten: null, run: "r1" });
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    await reset(h, "e1-0", "r1");

    h.streams[0]!.send("flatten", "e1-1", started(5_000));
    await until(() => getState().flattenRunning !== null, "the flatten shown running");

    // FINISHED left the ring before this console read it; the reset reloads the status.
    h.routes["/status"] = status({ started_at_ms: 1_000, flatten: report(5_000, 6_000), run: "r1-reloaded" });
    await reset(h, "e1-9000", "r1-reloaded");
    expect(getState().flattenReport?.started_at_ms).toBe(5_000);
    expect(getState().flattenRunning).toBeNull();
  });

  test("after a reset from a restarted serve, a flatten of the old process is not shown running", async () => {
    h = new SyncHarness();
    h.routes["/status"] = status({ started_at_ms: 1_000, flatten: null, run: "r1" });
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    await reset(h, "e1-0", "r1");
    h.streams[0]!.send("flatten", "e1-1", started(5_000));
    await until(() => getState().flattenRunning !== null, "the flatten shown running");

    // serve restarted at 8000 (no flatten since): that flatten's process is gone.
    h.routes["/status"] = status({ started_at_ms: 8_000, flatten: null, run: "r2" });
    await reset(h, "e2-0", "r2");
    expect(getState().flattenRunning).toBeNull();
  });

  test("a reset while the flatten still runs keeps it shown running", async () => {
    h = new SyncHarness();
    h.routes["/status"] = status({ started_at_ms: 1_000, flatten: report(2_000, 3_000), run: "r1" });
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    await reset(h, "e1-0", "r1");
    h.streams[0]!.send("flatten", "e1-1", started(5_000));
    await until(() => getState().flattenRunning !== null, "the flatten shown running");

    h.routes["/status"] = status({ started_at_ms: 1_000, flatten: report(2_000, 3_000), run: "r1-again" });
    await reset(h, "e1-9000", "r1-again");
    expect(getState().flattenRunning).toEqual({ started_at_ms: 5_000, slots_not_flat: [0, 1] });
  });
});

describe("console sync: a stored token the server refuses", () => {
  test("is dropped, and the stream is opened again without it", async () => {
    h = new SyncHarness();
    h.storage.set(TOKEN_KEY, "old-token-0123456789");
    h.routes["/status"] = status({ started_at_ms: 1_000, flatten: null, run: "r1" });
    h.eventsAnswers.push({ status: 401, body: { error: "wrong bearer token (see <state dir>/operator.token)" } });
    await h.start();
    await until(() => h!.streams.length === 1 || getState().link.state === "auth", "the stream answered");
    await until(() => h!.streams.length === 1, "the event stream opened again");
    expect(h.streams[0]!.authorization).toBeNull();
    expect(h.storage.has(TOKEN_KEY)).toBe(false);
    expect(getState().hasToken).toBe(false);
    const notes = getState()
      .feed.filter((f) => f.kind === "note")
      .map((f) => (f.kind === "note" ? f.text : ""));
    expect(notes.some((t) => t.includes("token was refused") && t.includes("wrong bearer token"))).toBe(true);
  });
});

describe("console flatten: the answer ends what the console shows running", () => {
  test("a flatten that failed on the server (500) is not shown running any more", async () => {
    h = new SyncHarness();
    h.routes["/status"] = status({ started_at_ms: 1_000, flatten: null, run: "r1" });
    h.routes["/flatten"] = () => Response.json({ error: "internal error: venue adapter threw" }, { status: 500 });
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    h.storage.set(TOKEN_KEY, "token-0123456789abcdef");
    h.streams[0]!.send("flatten", "e1-1", started(5_000));
    await until(() => getState().flattenRunning !== null, "the flatten shown running");

    const { sendFlatten } = await uiModule<{ sendFlatten(): Promise<string | null> }>("_changes.ts");
    expect(await sendFlatten()).toBe("Not applied: internal error: venue adapter threw");
    expect(getState().flattenRunning).toBeNull();
  });
});

describe("console sync: a flatten the server says FAILED", () => {
  test("is no longer shown running, and the live feed says why", async () => {
    h = new SyncHarness();
    h.routes["/status"] = status({ started_at_ms: 1_000, flatten: null, run: "r1" });
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    await reset(h, "e1-0", "r1");
    h.streams[0]!.send("flatten", "e1-1", started(5_000));
    await until(() => getState().flattenRunning !== null, "the flatten shown running");
    h.streams[0]!.send("flatten", "e1-2", { phase: "FAILED", failed_at_ms: 5_100, error: "kernel image unreadable" });
    await until(() => getState().flattenRunning === null, "the flatten no longer shown running");
    const feed = getState().feed.map((f) => ("text" in f ? f.text : ""));
    expect(feed).toContain("flatten FAILED: kernel image unreadable; trading stays HALTED");
  });
});
