/**
 * The status document is read again after changes and every 5 s (venue, projection sinks, spool
 * backlog, reconciliation: what has no event). When that read fails while the event stream is still
 * live, what the system panel shows has stopped updating: the banner says so (and stops saying so
 * once a read succeeds), rather than the old figures passing for current ones.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { type ConsoleState, getState, update } from "../../src/console/ui/_store.ts";
import { SyncHarness, statusDoc, until } from "../_support/console_sync_harness.ts";
import { textOf, uiModule } from "../_support/console_vnode.ts";

const { Banner } = await uiModule<{ Banner: (p: { s: ConsoleState; nowMs: number }) => unknown }>("banner.ts");

const transition = {
  input_index: 1,
  slot_id: 0,
  from: "IDLE",
  to: "ENTRY_PENDING",
  trigger: "ENTER",
  row: null,
  version: 2,
  now_ms: 2_000,
};

let h: SyncHarness | null = null;

afterEach(async () => {
  await h?.stop();
  h = null;
  update({ status: null, loadError: null, control: null });
});

describe("console sync: the status read again fails while the stream is live", () => {
  test("the banner says what is shown may be stale, until a read succeeds", async () => {
    h = new SyncHarness();
    h.routes["/status"] = statusDoc("r1");
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    h.streams[0]!.send("reset", "e1-0", { reason: "a fresh connection" });
    await until(() => getState().status?.run === "r1", "the status loaded");

    const reads = () => h!.requests.filter((r) => r.path === "/status").length;
    const before = reads();
    h.routes["/status"] = () => Response.json({ error: "status unavailable: projection stats threw" }, { status: 500 });
    h.streams[0]!.send("transition", "e1-1", transition);
    await until(() => reads() > before, "the status read again after the transition");
    await until(() => getState().loadError !== null, "the failed read noted");
    const text = textOf(Banner({ s: getState(), nowMs: 0 }));
    expect(text).toContain("status unavailable: projection stats threw");
    expect(text).toContain("What you see may be stale.");

    h.routes["/status"] = statusDoc("r1-again");
    h.streams[0]!.send("transition", "e1-2", { ...transition, version: 3 });
    await until(() => getState().status?.run === "r1-again", "the status read again");
    expect(textOf(Banner({ s: getState(), nowMs: 0 }))).toBe("");
  });
});
