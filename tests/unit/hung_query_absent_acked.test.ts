/**
 * The hung-order query's "no such order" about an order the venue once acknowledged, in the fast tier
 * (src/launcher/_hung_query.ts `absentMeans`, `absentVerdict`, `resolveHung`; executor `resolveByQuery`).
 * Such an order ended at the venue unseen (purged from its history, or ended with its event lost), what
 * it filled unknown: one VENUE_MISMATCH naming it, the slot marked stale, and a live-reconciliation pass
 * at once (a second when the first did not take the slot, never more). A PENDING_SUBMIT order the venue
 * never took is still rejected (ABSENT_REJECTED); an order that moved while the query was out is left
 * alone. The end-to-end proof against bingx-sim is hung_query_forgotten_order_sim.test.ts.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord, OrderRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { absentMeans, type HungResult, resolveHung } from "../../src/launcher/_hung_query.ts";
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

describe("resolveHung: a slot the answer sent to reconcile takes the venue's truth at once", () => {
  function deps(result: HungResult, passes: number[][]) {
    const lines: string[] = [];
    let calls = 0;
    return {
      lines,
      calls: () => calls,
      d: {
        resolve: async () => result,
        sleep: async () => {},
        stopped: () => false,
        log: (l: string) => lines.push(l),
        reconcileNow: async () => passes[calls++] ?? [],
      },
    };
  }

  test("ABSENT_STALE: one pass when it takes the slot", async () => {
    const x = deps("ABSENT_STALE", [[0]]);
    expect(await resolveHung(0, x.d)).toBe("ABSENT_STALE");
    expect(x.calls()).toBe(1);
  });

  test("a pass already running (it read the venue before the mark) is followed by one more, never a third", async () => {
    const taken = deps("MISMATCH", [[], [0]]);
    await resolveHung(0, taken.d);
    expect(taken.calls()).toBe(2);
    const never = deps("ABSENT_STALE", [[], [], [0]]);
    await resolveHung(0, never.d);
    expect(never.calls()).toBe(2);
    expect(never.lines.at(-1)).toBe(
      "slot 0: the venue's truth not taken yet; live reconciliation's next pass tries again",
    );
  });

  test("an event, a rejection or nothing asks for no pass", async () => {
    for (const result of ["EVENT", "ABSENT_REJECTED", "NONE"] as const) {
      const x = deps(result, [[0]]);
      await resolveHung(0, x.d);
      expect(x.calls()).toBe(0);
    }
  });
});
