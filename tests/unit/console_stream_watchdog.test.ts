/**
 * The console's event stream reconnects after 12 s without data (the server pings every 5 s). That
 * silence watchdog belongs to one connection attempt: an attempt that failed (serve restarting,
 * 503 too many clients, a network error) must not leave its watchdog armed, or 12 s later it aborts
 * whichever connection is open then — the healthy one that followed — and the console says it lost
 * serve again right after reconnecting (once per failed attempt of the outage).
 *
 * The 12 s timers run on a virtual clock here (the test fires them); every other timer is real.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { getState, update } from "../../src/console/ui/_store.ts";
import { SyncHarness, until } from "../_support/console_sync_harness.ts";

const SILENCE_MS = 12_000;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const watchdogs = new Map<number, { due: number; fire: () => void }>();
let virtualNow = 0;
let nextId = 1_000_000;

function virtualWatchdogs(): void {
  globalThis.setTimeout = ((fn: () => void, ms?: number, ...args: unknown[]) => {
    if (ms !== SILENCE_MS) return realSetTimeout(fn, ms, ...args);
    const id = nextId++;
    watchdogs.set(id, { due: virtualNow + ms, fire: fn });
    return id;
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((id: unknown) => {
    if (!watchdogs.delete(id as number)) realClearTimeout(id as ReturnType<typeof setTimeout>);
  }) as typeof clearTimeout;
}

/** Moves the virtual clock to `ms`, firing the watchdogs due by then. */
function advanceTo(ms: number): void {
  virtualNow = ms;
  for (const [id, w] of [...watchdogs])
    if (w.due <= ms) {
      watchdogs.delete(id);
      w.fire();
    }
}

let h: SyncHarness | null = null;

afterEach(async () => {
  await h?.stop();
  h = null;
  globalThis.setTimeout = realSetTimeout;
  globalThis.clearTimeout = realClearTimeout;
  watchdogs.clear();
  virtualNow = 0;
  update({ control: null, feed: [], link: { state: "connecting", attempt: 0, reason: "", reconnectedAt: null } });
});

describe("console event stream: the silence watchdog of a failed attempt", () => {
  test("does not abort the healthy connection that followed it", async () => {
    virtualWatchdogs();
    h = new SyncHarness();
    h.eventsAnswers.push({ status: 503, body: { error: "too many event stream clients (at most 32)" } });
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened after the refused attempt");
    await until(() => getState().link.state === "live", "the console live again");

    // The server's pings keep the connection alive: data at 6 s re-arms its watchdog to 18 s.
    advanceTo(6_000);
    h.streams[0]!.send("control", "e1-1", { version: 8, trading_state: "ACTIVE" });
    await until(() => getState().control?.version === 8, "the first event arrived");

    // 12 s after the refused attempt: nothing of the open connection is due.
    advanceTo(SILENCE_MS);
    h.streams[0]!.send("control", "e1-2", { version: 9, trading_state: "ACTIVE" });
    await until(() => getState().control?.version === 9, "the next event arrived on the same connection");
    expect(getState().link.state).toBe("live");
    expect(h.streams.length).toBe(1);
  });
});
