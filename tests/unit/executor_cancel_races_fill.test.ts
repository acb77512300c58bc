/**
 * A cancel that races a fill (fast tier: real kernel and executor over the mock venue, its stream frames
 * held by the test): the venue answers the cancel "already filled" (80018) while the fill's frame is
 * still queued, or answers it OK though a fill frame for the whole size is queued. Either way the
 * position ends at what the venue filled, an exit's fill closes the trade (settled once), and the
 * cancel is sent once: a refusal that is not a rate limit is not sent again. A restart between the
 * refusal and the frame (the frame lost) ends the same way: recovery applies the venue's FILLED.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { CancelResult, VenueAdapter, VenueEvent, VenueEventListener } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { executorOver, mockVenue, restartFrom, slotImages } from "../_support/executor.ts";
import { T0 } from "../_support/kernel.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

async function world(cancelAnswer?: () => Promise<CancelResult>) {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(31, clock);
  const queued: VenueEvent[] = [];
  let holding = false;
  let deliver: VenueEventListener = () => {};
  const cancels: string[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    onEvent: {
      value: (h: VenueEventListener) => {
        deliver = h;
        return mock.onEvent((e) => (holding ? void queued.push(e) : h(e)));
      },
    },
    cancel: {
      value: (asset: string, cid: string) => {
        cancels.push(cid);
        return cancelAnswer ? cancelAnswer() : mock.cancel(asset, cid);
      },
    },
  });
  const { kernel, executor, transitions, settle } = executorOver(venue, clock, kernels, { sleep: async () => {} });
  await executor.setLeverage("BTC-USDT", "LONG", 3);
  const hold = () => {
    holding = true;
  };
  const release = () => {
    holding = false;
    for (const e of queued.splice(0)) deliver(e);
  };
  return { clock, mock, venue, kernel, executor, transitions, settle, hold, release, cancels, queued };
}

const restingEntry = { ...btcEntry("C0"), price: 64_000 };

/** The resting entry ACKED; then the venue fills it (its frame held) and a CANCEL goes out and is answered. */
async function cancelWhileFillHeld(w: Awaited<ReturnType<typeof world>>): Promise<void> {
  w.executor.submitStrategy(restingEntry);
  await w.settle();
  expect(w.kernel.slot(0).entry_order?.status).toBe("ACKED");
  w.hold();
  w.mock.setPrice("BTC-USDT", 63_900); // the resting BUY fills; its frame waits in the queue
  w.executor.submitStrategy({ type: "CANCEL", slot_id: 0 });
  await w.settle();
}

describe("a cancel racing the entry's fill", () => {
  test("answered 80018 (filled) while the fill frame is queued: the position is the whole fill, one cancel sent", async () => {
    const w = await world();
    await cancelWhileFillHeld(w);
    expect(w.cancels).toEqual(["C0-E"]);
    expect(w.kernel.slot(0).stage).toBe("ENTRY_WORKING");
    w.release();
    await w.settle();
    expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, entry_price: 64_000 });
    expect(w.cancels).toEqual(["C0-E"]);
  });

  test("answered OK while a fill frame for the whole size is queued: the position is the whole fill", async () => {
    const w = await world(async () => ({ status: "REQUESTED" }));
    await cancelWhileFillHeld(w);
    expect(w.kernel.slot(0).entry_order?.status).toBe("CANCEL_REQUESTED");
    w.release();
    await w.settle();
    expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    expect(w.cancels).toEqual(["C0-E"]);
  });

  test("restart between the 80018 and the (lost) fill frame: recovery books the fill, the same position", async () => {
    const w = await world();
    await cancelWhileFillHeld(w);
    const images = slotImages(w.kernel);
    w.queued.length = 0; // the process died: the frame is lost
    const { kernel: second, report } = await restartFrom(images, w.mock, w.clock, kernels);
    expect(report.orphans).toEqual([]);
    expect(second.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, entry_price: 64_000 });
  });
});

describe("a cancel racing the exit's fill", () => {
  test("answered 80018 while the exit's fill frame is queued: the trade closes and settles once", async () => {
    const w = await world();
    w.executor.submitStrategy({ ...restingEntry, price: null });
    await w.settle();
    expect(w.kernel.slot(0).stage).toBe("POSITION_OPEN");
    w.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: 66_000, reason: "TP" });
    await w.settle();
    expect(w.kernel.slot(0).exit_order?.status).toBe("ACKED");
    w.hold();
    w.mock.setPrice("BTC-USDT", 66_100); // the resting SELL fills
    w.executor.submitStrategy({ type: "CANCEL", slot_id: 0 });
    await w.settle();
    w.release();
    await w.settle();
    expect(w.kernel.slot(0)).toMatchObject({ stage: "CLOSED", size: 0 });
    expect(w.transitions.filter((t) => t.to === "CLOSED")).toHaveLength(1);
    expect(w.kernel.account().trade_seq).toBe(1);
    expect(w.cancels).toEqual(["C0-X1"]);
  });
});
