/**
 * A placement whose answer is lost (the venue executed it; the adapter says UNKNOWN) and whose fill
 * then arrives on the stream before, or while, the hung-order query runs: the fill is booked once, and
 * the query's answer (the same fact, or an older one) books nothing more. The trade's exit in the same
 * situation settles once. A restart in the middle (the fill executed while nobody listened) ends the
 * same way: the fill booked once, at its own price and fee (fast tier: real kernel, executor, mock venue).
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueAdapter, VenueOrderState } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { eventFromOrderState } from "../../src/launcher/_order_event.ts";
import { executorOver, fills, mockVenue, restartFrom, slotImages } from "../_support/executor.ts";
import { T0 } from "../_support/kernel.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

async function world() {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(21, clock);
  let hold: Promise<void> | null = null;
  let answerAt: VenueOrderState | null = null; // the state the venue answers with when the query left
  const venue: VenueAdapter = Object.create(mock, {
    queryOrder: {
      value: async (asset: string, cid: string) => {
        answerAt = await mock.queryOrder(asset, cid);
        if (hold) await hold;
        return answerAt;
      },
    },
  });
  const { kernel, executor, transitions, settle } = executorOver(venue, clock, kernels);
  await executor.setLeverage("BTC-USDT", "LONG", 3);
  const holdQueries = () => {
    let release = () => {};
    hold = new Promise<void>((r) => (release = r));
    return () => {
      hold = null;
      release();
    };
  };
  return { clock, mock, venue, kernel, executor, transitions, settle, holdQueries };
}

const entry = btcEntry("F0");

/** The entry, executed at the venue while its answer and its fill's stream frame were lost. */
async function enterUnheard(w: Awaited<ReturnType<typeof world>>): Promise<void> {
  w.mock.setKnobs({ drop_responses: { count: 1 }, stream_drop: { after: 0 } });
  w.executor.submitStrategy(entry);
  await w.settle();
  w.mock.clearKnobs();
}

describe("a lost placement answer, then the fill on the stream", () => {
  test("the fill arrives before the hung-order query: booked once, the query books nothing", async () => {
    const w = await world();
    w.mock.setKnobs({ drop_responses: { count: 1 } });
    w.executor.submitStrategy(entry);
    await w.settle();
    expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    const before = w.kernel.stateHashHex();
    expect(await w.executor.resolveByQuery(0)).toBe("NONE");
    expect(w.kernel.stateHashHex()).toBe(before);
    expect(fills(w.transitions)).toHaveLength(1);
  });

  test("the fill arrives while the query is out: the query's answer (the same fill) is not booked again", async () => {
    const w = await world();
    await enterUnheard(w);
    expect(w.kernel.slot(0).entry_order?.status).toBe("PENDING_SUBMIT");
    const release = w.holdQueries();
    const query = w.executor.resolveByQuery(0);
    await Bun.sleep(2);
    const filled = (await w.mock.queryOrder("BTC-USDT", "F0-E")) as VenueOrderState;
    // The stream's late frame of the fill (the same fact) reaches the kernel first.
    w.executor.onVenueEvent(eventFromOrderState(filled));
    expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    const capital = w.kernel.account().capital;
    release();
    expect(await query).toBe("EVENT");
    expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    expect(w.kernel.account().capital).toBe(capital);
    expect(fills(w.transitions)).toHaveLength(1);
  });

  test("the exit's answer lost, its fill on the stream, then the query: the trade settles once", async () => {
    const w = await world();
    w.executor.submitStrategy(entry);
    await w.settle();
    w.mock.setKnobs({ drop_responses: { count: 1 } });
    w.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SIGNAL" });
    await w.settle();
    expect(w.kernel.slot(0).stage).toBe("CLOSED");
    const account = w.kernel.account();
    expect(await w.executor.resolveByQuery(0)).toBe("NONE");
    expect(w.kernel.account()).toEqual(account);
    expect(fills(w.transitions)).toHaveLength(2);
  });

  test("a restart before the query (the fill executed while nobody listened): booked once, at its own price", async () => {
    const w = await world();
    await enterUnheard(w);
    const {
      kernel: second,
      executor,
      transitions,
      report,
    } = await restartFrom(slotImages(w.kernel), w.venue, w.clock, kernels);
    expect(report.orphans).toEqual([]);
    const venueOrder = (await w.mock.queryOrder("BTC-USDT", "F0-E")) as VenueOrderState;
    expect(second.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, entry_price: venueOrder.avg_price });
    expect(fills(transitions)).toHaveLength(1);
    expect(await executor.resolveByQuery(0)).toBe("NONE");
    expect(fills(transitions)).toHaveLength(1);
  });
});
