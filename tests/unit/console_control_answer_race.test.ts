/**
 * The answer to the console's own control change (`POST /control`) can reach it after the event
 * stream brought a newer snapshot (the kernel moved trading to REDUCING by itself right after the
 * operator set ACTIVE: DRAWDOWN_LIMIT). The console keeps the newer snapshot, as a reloaded status
 * does, instead of showing ACTIVE while the kernel is REDUCING.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { getState, update } from "../../src/console/ui/_store.ts";
import { SyncHarness, until } from "../_support/console_sync_harness.ts";
import { uiModule } from "../_support/console_vnode.ts";

let h: SyncHarness | null = null;

afterEach(async () => {
  await h?.stop();
  h = null;
  update({ control: null, feed: [] });
});

describe("console control change answered after a newer control event", () => {
  test("keeps the newer snapshot the event stream brought", async () => {
    h = new SyncHarness();
    let answer: ((r: Response) => void) | null = null;
    h.routes["/control"] = () =>
      new Promise<Response>((resolve) => {
        answer = resolve;
      });
    await h.start();
    await until(() => h!.streams.length === 1, "the event stream opened");
    h.storage.set("dita-v2.operator-token", "token-0123456789abcdef");
    h.streams[0]!.send("control", "e1-1", { version: 5, trading_state: "REDUCING" });
    await until(() => getState().control?.version === 5, "the control shown");

    const { sendControl } = await uiModule<{
      sendControl(key: string, from: string, to: unknown): Promise<string | null>;
    }>("_changes.ts");
    const sent = sendControl("trading_state", "REDUCING", "ACTIVE");
    await until(() => answer !== null, "the change reached serve");
    h.streams[0]!.send("control", "e1-2", { version: 6, trading_state: "ACTIVE" });
    h.streams[0]!.send("control", "e1-3", { version: 7, trading_state: "REDUCING" });
    await until(() => getState().control?.version === 7, "the kernel's own change shown");

    answer!(Response.json({ version: 6, trading_state: "ACTIVE" }));
    expect(await sent).toBeNull();
    expect(getState().control).toEqual({ version: 7, trading_state: "REDUCING" } as never);
  });
});
