/**
 * A `reset` in the middle of a session means events never reached this console (it fell behind
 * the ring, or was too far behind to catch up, or serve restarted). The state is reloaded, but
 * the transitions and diagnostics lost are not in the live feed: the feed says so, with the
 * server's reason, so an operator reading it knows there is a gap. The first `reset` of a fresh
 * connection (reason "start") is no gap.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { getState, update } from "../../src/console/ui/_store.ts";
import { SyncHarness, statusDoc, until } from "../_support/console_sync_harness.ts";

const notes = () =>
  getState()
    .feed.filter((f) => f.kind === "note")
    .map((f) => (f.kind === "note" ? f.text : ""));

let h: SyncHarness | null = null;

afterEach(async () => {
  await h?.stop();
  h = null;
  update({ status: null, control: null, feed: [] });
});

describe("console live feed after a reset", () => {
  test("says events were lost, with the server's reason; a fresh connection's reset says nothing", async () => {
    update({ feed: [] });
    h = new SyncHarness();
    h.routes["/status"] = statusDoc("r1");
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    h.streams[0]!.send("reset", "e1-0", { reason: "start", last_seq: 0 });
    await until(() => getState().status?.run === "r1", "the state loaded");
    expect(notes()).toEqual([]);

    h.routes["/status"] = statusDoc("r2");
    h.streams[0]!.send("reset", "e1-900", {
      reason: "events were lost: the client fell behind the ring",
      last_seq: 900,
    });
    await until(() => getState().status?.run === "r2", "the state reloaded");
    expect(notes()).toEqual([
      "live feed gap (events did not reach this console): events were lost: the client fell behind the ring; state reloaded",
    ]);
  });
});
