/**
 * The hung-order query's "no such order" about an order the venue once acknowledged, in the fast tier
 * (src/launcher/_hung_query.ts `absentMeans`, `absentVerdict`, `resolveHung`; executor `resolveByQuery`).
 * Such an order ended at the venue unseen (purged from its history, or ended with its event lost), what
 * it filled unknown: one VENUE_MISMATCH naming it, the slot marked stale, and a live-reconciliation pass
 * at once (a second when the first did not take the slot; more after pauses, bounded, while it is still
 * stale). A PENDING_SUBMIT order the venue never took is still rejected (ABSENT_REJECTED); an order that
 * moved while the query was out, or whose query the venue answered about another order under its id, is
 * left alone. The end-to-end proof against bingx-sim is hung_query_forgotten_order_sim.test.ts.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord, OrderRecord, SlotRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { absentMeans, HUNG_QUERY_TRIES, type HungResult, resolveHung } from "../../src/launcher/_hung_query.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { mockVenue } from "../_support/executor.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  if (kernels.length === 0) return;
  await Bun.sleep(20); // the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

const acked: OrderRecord = {
  trade_id: "T1",
  venue_order_id: "1800000000000000001",
  client_order_id: "T1-E",
  role: "ENTRY",
  side: "BUY",
  order_type: "LIMIT",
  status: "ACKED",
  leg: 0,
  intended_size: 0.01,
  filled_size: 0,
  avg_fill_price: 0,
  limit_price: 60_000,
  fee: 0,
  hung: true,
  created_at_ms: T0,
  last_update_ms: T0 + 5,
};

describe("absentMeans: what 'no such order' means for the order asked about", () => {
  const cases: Array<[string, OrderRecord | null, "REJECT" | "ENDED" | null]> = [
    ["acknowledged, no word since: ENDED", acked, "ENDED"],
    [
      "a fill came while the query was out: left alone",
      { ...acked, status: "PARTIALLY_FILLED", filled_size: 0.004 },
      null,
    ],
    [
      "never acknowledged (PENDING_SUBMIT): REJECT",
      { ...acked, status: "PENDING_SUBMIT", venue_order_id: "" },
      "REJECT",
    ],
    ["an event came while the query was out: left alone", { ...acked, last_update_ms: T0 + 9 }, null],
    ["cancelled before any acknowledgement (no venue id): left alone", { ...acked, venue_order_id: "" }, null],
    ["the slot works another order now: left alone", { ...acked, client_order_id: "T2-E" }, null],
    ["the order ended meanwhile: left alone", { ...acked, status: "FILLED" }, null],
    ["the slot works none: left alone", null, null],
  ];
  for (const [name, now, means] of cases) {
    test(name, () => expect(absentMeans(acked, now)).toBe(means));
  }
  test("a partly filled order asked about as such, with no word since: ENDED", () => {
    const partly = { ...acked, status: "PARTIALLY_FILLED" as const, filled_size: 0.004 };
    expect(absentMeans(partly, partly)).toBe("ENDED");
  });
});

describe("the executor's hung-order query of an acknowledged order the venue no longer has", () => {
  test("is ABSENT_STALE: one VENUE_MISMATCH naming the slot and order, the slot STALE_STATE_RECONCILING, nothing booked", async () => {
    const clock = new ManualClock(T0);
    const mock = await mockVenue(3, clock);
    const venue: VenueAdapter = Object.create(mock, { queryOrder: { value: async () => null } });
    const kernel = freshKernel({ slots: 2, capital: 10_000 });
    kernels.push(kernel);
    const reported: DiagnosticRecord[] = [];
    const executor = new Executor(kernel, venue, clock, { afterApply: () => {}, report: (d) => reported.push(d) });
    executor.submitStrategy({ ...btcEntry("T1"), price: 60_000 }); // rests
    for (let i = 0; i < 50 && kernel.slot(0).entry_order?.status !== "ACKED"; i++) await Bun.sleep(2);
    const order = kernel.slot(0).entry_order!;
    expect(order.venue_order_id).not.toBe("");

    expect(await executor.resolveByQuery(0)).toBe("ABSENT_STALE");
    expect(reported.map((d) => [d.code, d.slot_id])).toEqual([["VENUE_MISMATCH", 0]]);
    expect(reported[0]!.message).toContain(`ENTRY order T1-E (venue id ${order.venue_order_id}, ACKED)`);
    expect(kernel.slot(0)).toMatchObject({ stage: "STALE_STATE_RECONCILING", size: 0 });
    expect(kernel.account().capital).toBe(10_000);

    expect(await executor.resolveByQuery(0)).toBe("NONE"); // asked again: the slot works no order any more
    expect(reported).toHaveLength(1);
  });
});

describe("the executor's hung-order query answered about another order holding the acknowledged order's id", () => {
  test("says nothing of this order (it is not 'no such order'): NONE, nothing reported, the slot still works it", async () => {
    const clock = new ManualClock(T0);
    const mock = await mockVenue(3, clock);
    // The venue answers the query by client id with another order under that (lower-cased) id: an old order of a
    // reused trade id, or a manual one. The adapter reports it under the venue's spelling (`lookUpOrder`: no answer).
    const another = async (asset: string, cid: string) => {
      const own = await mock.queryOrder(asset, cid);
      return own && { ...own, client_order_id: cid.toLowerCase(), venue_order_id: "1799999999999999999" };
    };
    const venue: VenueAdapter = Object.create(mock, { queryOrder: { value: another } });
    const kernel = freshKernel({ slots: 2, capital: 10_000 });
    kernels.push(kernel);
    const reported: DiagnosticRecord[] = [];
    const executor = new Executor(kernel, venue, clock, { afterApply: () => {}, report: (d) => reported.push(d) });
    executor.submitStrategy({ ...btcEntry("T1"), price: 60_000 }); // rests, acknowledged
    for (let i = 0; i < 50 && kernel.slot(0).entry_order?.status !== "ACKED"; i++) await Bun.sleep(2);
    expect(kernel.slot(0).entry_order?.venue_order_id).not.toBe("");

    expect(await executor.resolveByQuery(0)).toBe("NONE");
    expect(reported).toEqual([]);
    expect(kernel.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", entry_order: { status: "ACKED" } });
  });
});

/** The slot's stage after a pass that reconciled `took`: slot 0 taken to IDLE, else still stale. */
const stageAfter = (took: number[] | undefined) => (took?.includes(0) ? "IDLE" : "STALE_STATE_RECONCILING");

describe("resolveHung: a slot the answer sent to reconcile takes the venue's truth at once", () => {
  /** `stages`: the slot's stage after each pass (default: IDLE after a pass that took it, else still stale); `passes`: what each pass reconciled. */
  function deps(result: HungResult, passes: number[][], stages: string[] = []) {
    const lines: string[] = [];
    const pauses: number[] = [];
    let calls = 0;
    return {
      lines,
      pauses,
      calls: () => calls,
      d: {
        resolve: async () => result,
        sleep: async (ms: number) => void pauses.push(ms),
        stopped: () => false,
        log: (l: string) => lines.push(l),
        reconcileNow: async () => passes[calls++] ?? [],
        kernel: {
          slot: () => ({ stage: (stages[calls - 1] ?? stageAfter(passes[calls - 1])) as SlotRecord["stage"] }),
        },
      },
    };
  }

  test("ABSENT_STALE: one pass when it takes the slot", async () => {
    const x = deps("ABSENT_STALE", [[0]]);
    expect(await resolveHung(0, x.d)).toBe("ABSENT_STALE");
    expect(x.calls()).toBe(1);
  });

  test("a pass already running (it read the venue before the mark) is followed by one more at once", async () => {
    const taken = deps("MISMATCH", [[], [0]]);
    await resolveHung(0, taken.d);
    expect(taken.calls()).toBe(2);
    expect(taken.pauses).toEqual([]);
  });

  test("while the slot is still stale (a pass failed: the venue down), passes go on after growing pauses, bounded", async () => {
    const later = deps("ABSENT_STALE", [[], [], [], [0]]);
    await resolveHung(0, later.d);
    expect(later.calls()).toBe(4);
    expect(later.pauses).toEqual([250, 500]);
    const never = deps("ABSENT_STALE", []);
    await resolveHung(0, never.d);
    expect(never.calls()).toBe(HUNG_QUERY_TRIES);
    expect(never.pauses).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000]);
    expect(never.lines.at(-1)).toStartWith(`slot 0: the venue's truth not taken after ${HUNG_QUERY_TRIES} passes; `);
  });

  test("a pass that took the slot before it went stale again (an order's late fill landed meanwhile) is followed by one more", async () => {
    const x = deps("ABSENT_STALE", [[0], [0]], ["STALE_STATE_RECONCILING", "POSITION_OPEN"]);
    await resolveHung(0, x.d);
    expect(x.calls()).toBe(2);
    expect(x.pauses).toEqual([]);
  });

  test("a slot no longer stale after a pass (another pass took it, or it was never marked) asks for no more", async () => {
    const x = deps("MISMATCH", [[]], ["ENTRY_WORKING"]);
    await resolveHung(0, x.d);
    expect(x.calls()).toBe(1);
  });

  test("an event, a rejection or nothing asks for no pass", async () => {
    for (const result of ["EVENT", "ABSENT_REJECTED", "NONE"] as const) {
      const x = deps(result, [[0]]);
      await resolveHung(0, x.d);
      expect(x.calls()).toBe(0);
    }
  });
});
