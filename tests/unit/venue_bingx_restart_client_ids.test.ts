/**
 * The kernel's client ids after a restart, in the fast tier. BingX lower-cases client order ids; the BingX adapter maps
 * the venue's spelling back to the kernel's for the orders it knows (src/venue/bingx/_working_orders.ts `kernelId`,
 * `_forgotten_orders.ts`), and after a restart it knew none: an order of the kernel's landing then reached the kernel
 * under the venue's spelling (UNKNOWN_ORDER, or, routed by venue order id, not the order's own).
 *
 * What they state: recovery tells the adapter the orders the kernel's slots name (each slot's entry and exit, working or
 * ended; not an id another slot's order holds in another case) before any lookup (`restoredOrders`,
 * `rememberClientIds`), through the launcher's verbosity wrapper; the adapter then maps each to the kernel's id, while
 * another venue order under the lower-cased id (another venue order id or symbol, or created more than the clock margin
 * before the kernel created its order, judged on the venue's clock) keeps the venue's spelling, as an order forgotten as
 * absent now does too; bounded as that memory.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { RestoredOrder, VenueAdapter } from "../../src/contracts/venue.ts";
import { LoggedVenue } from "../../src/launcher/_venue_log.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { FORGOTTEN_MAX } from "../../src/venue/bingx/_forgotten_orders.ts";
import { OrderTracker } from "../../src/venue/bingx/_order_tracker.ts";
import { CREATED_MARGIN_MS } from "../../src/venue/bingx/_resolve.ts";
import { QUERY_LAG_MS, WorkingOrders } from "../../src/venue/bingx/_working_orders.ts";
import { mockVenue } from "../_support/executor.ts";
import { enter, event, exit, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4, capital: 10_000 });

/** The adapter's working set, as after a restart: nothing worked, nothing known. */
const restarted = () => new WorkingOrders(new OrderTracker(), () => 0);

/** A slot's order as recovery hands it over: Sp1-X1 on BTC-USDT, created at T0 (local ms), no venue order id. */
const named = (o: Partial<RestoredOrder> = {}): RestoredOrder => ({
  client_order_id: "Sp1-X1",
  venue_order_id: "",
  asset: "BTC-USDT",
  created_at_ms: T0,
  ...o,
});

test("after a restart, an order the kernel's slots name is reported under the kernel's client id, its stream frames and REST states alike", () => {
  const before = restarted();
  expect(before.kernelId("sp1-x1", "7001", "BTC-USDT", T0 + 1_000)).toBe("sp1-x1"); // the old behaviour
  const w = restarted();
  w.remember([named()], 0);
  expect(w.kernelId("sp1-x1", "7001", "BTC-USDT", T0 + 1_000)).toBe("Sp1-X1");
  const state = { client_order_id: "sp1-x1", venue_order_id: "7001", asset: "BTC-USDT", created_ms: T0 + 1_000 };
  expect(w.kernelIdOf(state)).toBe("Sp1-X1");
  expect(w.kernelId("sp1-x1", "7001")).toBe("Sp1-X1"); // a later frame: that venue order is known now
});

test("another venue order under a remembered id keeps the venue's spelling: another venue order id, another symbol, or created more than the margin before the kernel's order", () => {
  const w = restarted();
  w.remember([named({ venue_order_id: "7001" })], 0);
  expect(w.kernelId("sp1-x1", "7002", "BTC-USDT", T0 + 1_000)).toBe("sp1-x1");
  expect(w.kernelId("sp1-x1", "7001", "BTC-USDT", T0 + 1_000)).toBe("Sp1-X1");

  const bySymbol = restarted();
  bySymbol.remember([named()], 0);
  expect(bySymbol.kernelId("sp1-x1", "7003", "ETH-USDT", T0 + 1_000)).toBe("sp1-x1");

  const byAge = restarted();
  byAge.remember([named()], 0);
  expect(byAge.kernelId("sp1-x1", "7004", "BTC-USDT", T0 - CREATED_MARGIN_MS - 1)).toBe("sp1-x1"); // a reused id's old order
  expect(byAge.kernelId("sp1-x1", "7005", "BTC-USDT", T0 - CREATED_MARGIN_MS + 1_000)).toBe("Sp1-X1"); // clock error
});

test("the kernel's creation time is judged on the venue's clock: its local ms plus the measured offset", () => {
  const offsetMs = 60_000; // the venue's clock runs a minute ahead of this host's
  const old = restarted();
  old.remember([named()], offsetMs);
  expect(old.kernelId("sp1-x1", "7006", "BTC-USDT", T0 - 1_000)).toBe("sp1-x1"); // 61 s before, on the venue's clock
  const own = restarted();
  own.remember([named()], offsetMs);
  expect(own.kernelId("sp1-x1", "7007", "BTC-USDT", T0 + offsetMs - 1_000)).toBe("Sp1-X1");
});

test("an accepted order forgotten as absent: another venue order under its lower-cased id keeps the venue's spelling, its own maps to the kernel's", () => {
  let nowMs = 0;
  const w = new WorkingOrders(new OrderTracker(), () => nowMs);
  expect(w.track("Ab1-E", "BTC-USDT", true)).toBeNull();
  w.placed("Ab1-E", "5001");
  nowMs = QUERY_LAG_MS + 1;
  w.forgetAbsent("Ab1-E");
  w.forgetAbsent("Ab1-E"); // the second "no such order" past the lag: forgotten
  expect(w.all()).toEqual([]);
  expect(w.kernelId("ab1-e", "5002", "BTC-USDT")).toBe("ab1-e");
  expect(w.kernelId("ab1-e", "5001", "BTC-USDT")).toBe("Ab1-E");
});

test("the remembered spellings are bounded: past FORGOTTEN_MAX the oldest is dropped; a blank client id is skipped", () => {
  const w = restarted();
  const orders = Array.from({ length: FORGOTTEN_MAX + 1 }, (_, i) => named({ client_order_id: `Sp${i}-E` }));
  w.remember([named({ client_order_id: "" }), ...orders], 0);
  expect(w.kernelId("sp0-e", "8000", "BTC-USDT")).toBe("sp0-e");
  expect(w.kernelId("sp1-e", "8001", "BTC-USDT")).toBe("Sp1-E");
  expect(w.kernelId(`sp${FORGOTTEN_MAX}-e`, "8002", "BTC-USDT")).toBe(`Sp${FORGOTTEN_MAX}-E`);
  expect(w.kernelId("", "8003", "BTC-USDT")).toBe("");
});

test("recovery tells the adapter every slot's entry and exit, working or ended, before any lookup; ids two slots hold in different case are left out", async () => {
  const k = kernel();
  expect(enter(k, 0, { trade: "Re1" }).accepted).toBe(true);
  feed(k, event("REJECT", "Re1-E", 0, 0, { reject_reason: "VENUE" })); // slot 0 IDLE, its entry REJECTED
  openPosition(k, 1); // T1-E filled
  expect(exit(k, 1).accepted).toBe(true);
  feed(k, event("ACK", "T1-X1", 0, 0, { venue_order_id: "6001" }), T0 + 101); // working
  expect(enter(k, 2, { trade: "cc" }).accepted).toBe(true);
  expect(enter(k, 3, { trade: "CC" }).accepted).toBe(true); // refused at BingX as CLIENT_ID_CASE; either may be there
  expect(k.slot(0)).toMatchObject({ stage: "IDLE", entry_order: { client_order_id: "Re1-E", status: "REJECTED" } });

  const clock = new ManualClock(T0 + 60_000);
  const mock = await mockVenue(5, clock);
  const calls: Array<string | RestoredOrder[]> = [];
  const inner: VenueAdapter = Object.create(mock, {
    rememberClientIds: { value: (orders: readonly RestoredOrder[]) => void calls.push([...orders]) },
    queryOrder: {
      value: async (_asset: string, cid: string) => {
        calls.push(cid);
        return null; // the venue has no such order
      },
    },
  });
  const venue = new LoggedVenue(
    inner,
    () => true,
    () => {},
  ); // as the runtime wraps it
  const log = () => {};
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {}, log });
  await recover(
    { kernel: k, executor, venue, nowMs: () => clock.nowMs(), log },
    { source: "journal", images: [] },
    false,
  );

  const [told, ...after] = calls;
  expect(after.every((c) => typeof c === "string")).toBe(true); // the lookups come after
  expect(after).toContain("T1-X1");
  const ids = (told as RestoredOrder[]).map((o) => o.client_order_id);
  expect(ids).toEqual(["Re1-E", "T1-E", "T1-X1"]);
  const exitOrder = k.slot(1).exit_order!;
  expect((told as RestoredOrder[])[2]).toEqual({
    client_order_id: "T1-X1",
    venue_order_id: "6001",
    asset: "BTC-USDT",
    created_at_ms: exitOrder.created_at_ms,
  });
});
