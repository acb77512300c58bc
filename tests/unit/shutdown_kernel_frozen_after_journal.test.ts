/**
 * Shutdown and venue answers that outlive the executor's bounded drain: the journal is the recovery
 * authority, so once shutdown closes it nothing may change the kernel (nor produce a projection row).
 * A hung-order query or a cancel still running when `journal.close()` runs answers only afterwards
 * (here: while shutdown awaits the projection's close); the answer must not be applied, one line
 * names the order and says the next start's recovery takes it from the venue, and no exception escapes.
 * Inputs before the journal closes are applied as ever.
 */

import { describe, expect, test } from "bun:test";
import type { VenueOrderState } from "../../src/contracts/venue.ts";
import type { Runtime } from "../../src/launcher/runtime.ts";
import { btcEntry, startedRuntime, tempDirsPerTest, until } from "../_support/runtime.ts";

const stateDir = tempDirsPerTest("dita-shutdown-frozen-");

/** A started runtime with a resting limit entry on slot 0 (ACKED at the venue), and that entry's client id. */
async function runtimeWithRestingEntry() {
  const { rt, lines } = await startedRuntime(stateDir());
  rt.submitStrategy({ ...btcEntry("frozen1"), price: 1_000 }); // far below the market: it rests
  await until(() => rt.b.kernel.slot(0).entry_order?.status === "ACKED");
  await rt.executor.drain(1_000);
  return { rt, lines, cid: rt.b.kernel.slot(0).entry_order!.client_order_id };
}

/** Exactly one log line names order `cid` as not applied, and it points to the next start's recovery. */
function expectOneNotAppliedLine(lines: readonly string[], cid: string): void {
  const notApplied = lines.filter((l) => l.includes(cid) && l.includes("not applied"));
  expect(notApplied).toHaveLength(1);
  expect(notApplied[0]).toContain("recovery");
}

/**
 * Watches shutdown: notes when the journal closes, then (while shutdown awaits the projection's
 * close) lets `answerLate` land and records the kernel's slot 0 and the projection rows made since.
 */
function watchShutdown(rt: Runtime, answerLate: () => Promise<unknown>) {
  const seen = { journalClosed: false, rowsAfterClose: 0, stageAfter: "", entryStatusAfter: "", inputsAfter: -1 };
  const inputsAtClose = { n: -1 };
  const closeJournal = rt.journal.close.bind(rt.journal);
  rt.journal.close = () => {
    inputsAtClose.n = rt.b.inputs.entries;
    closeJournal();
    seen.journalClosed = true;
  };
  const onOutcome = rt.b.projection.onOutcome.bind(rt.b.projection);
  rt.b.projection.onOutcome = (o) => {
    if (seen.journalClosed) seen.rowsAfterClose++;
    onOutcome(o);
  };
  const closeProjection = rt.b.projection.close.bind(rt.b.projection);
  rt.b.projection.close = async () => {
    await answerLate();
    const slot = rt.b.kernel.slot(0);
    seen.stageAfter = slot.stage;
    seen.entryStatusAfter = slot.entry_order?.status ?? "";
    seen.inputsAfter = rt.b.inputs.entries;
    return closeProjection();
  };
  return { seen, inputsAtClose };
}

/** Catches unhandled rejections during a test. */
function watchRejections() {
  const rejections: unknown[] = [];
  const on = (e: unknown) => rejections.push(e);
  process.on("unhandledRejection", on);
  return { rejections, off: () => process.off("unhandledRejection", on) };
}

describe("no venue answer changes the kernel once the journal closed at shutdown", () => {
  test("a hung-order query answering after the journal closed is not applied, not projected, and logged", async () => {
    const { rt, lines, cid } = await runtimeWithRestingEntry();
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const state = { asking: false };
    const filled: VenueOrderState = {
      ...(await rt.b.venue.queryOrder("BTC-USDT", cid))!,
      status: "FILLED",
      filled_size_cumulative: 0.01,
      avg_price: 1_000,
    };
    rt.b.venue.queryOrder = async () => {
      state.asking = true;
      await held;
      return filled; // the venue filled it meanwhile
    };
    const query = rt.executor.resolveByQuery(0);
    await until(() => state.asking);
    const watch = watchRejections();
    const { seen, inputsAtClose } = watchShutdown(rt, async () => {
      release();
      await query;
    });
    await rt.shutdown(200);
    watch.off();
    await query; // its answer came, after the journal closed
    expect(seen.journalClosed).toBe(true);
    expect(seen.entryStatusAfter).toBe("ACKED"); // not FILLED: the journal never recorded it
    expect(seen.stageAfter).toBe("ENTRY_WORKING");
    expect(seen.inputsAfter).toBe(inputsAtClose.n);
    expect(seen.rowsAfterClose).toBe(0);
    expect(watch.rejections).toEqual([]);
    expectOneNotAppliedLine(lines, cid);
  });

  test("a cancel answered after the journal closed is not applied, not projected, and no exception escapes", async () => {
    const { rt, lines, cid } = await runtimeWithRestingEntry();
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const state = { cancelling: false };
    const answered = { done: false };
    rt.b.venue.cancel = async (asset, id) => {
      state.cancelling = true;
      await held;
      answered.done = true;
      const event = {
        kind: "CANCEL_REJECT" as const,
        event_id: `CR:${id}`,
        venue_order_id: "",
        client_order_id: id,
        asset,
        filled_size_cumulative: 0,
        avg_price: 0,
        last_fill_size: 0,
        last_fill_price: 0,
        fee_cumulative: 0,
        venue_time_ms: rt.b.clock.nowMs(),
        reject_reason: "VENUE" as const,
      };
      return { status: "REJECTED" as const, event };
    };
    expect(rt.submitStrategy({ type: "CANCEL", slot_id: 0 }).accepted).toBe(true);
    await until(() => state.cancelling);
    expect(rt.b.kernel.slot(0).entry_order?.status).toBe("CANCEL_REQUESTED");
    const watch = watchRejections();
    const { seen, inputsAtClose } = watchShutdown(rt, async () => {
      release();
      await until(() => answered.done);
      await Bun.sleep(5);
    });
    const left = await rt.shutdown(200);
    watch.off();
    expect(left.inflight_left).toBe(1); // the drain's bound passed with the cancel still out
    expect(seen.journalClosed).toBe(true);
    expect(seen.entryStatusAfter).toBe("CANCEL_REQUESTED"); // the CANCEL_REJECT was not applied
    expect(seen.inputsAfter).toBe(inputsAtClose.n);
    expect(seen.rowsAfterClose).toBe(0);
    expect(watch.rejections).toEqual([]);
    expectOneNotAppliedLine(lines, cid);
    expect(lines.filter((l) => l.includes("ended in error"))).toEqual([]);
  });
});
