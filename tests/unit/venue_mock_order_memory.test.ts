/**
 * The mock venue's order memory over a long run (src/venue/mock/mock_adapter.ts): a serve process
 * on the mock venue (the default DITA_V2_VENUE) places thousands of orders a day for weeks. The
 * venue keeps at most ORDERS_MAX (100 000) orders: past that it forgets its oldest finished ones,
 * as a venue's order history ends, and never an order still working. Without that, order 100 001
 * and every later one was refused "too many orders" (80013) although none of them was working.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { OrderRequest, VenueEvent } from "../../src/contracts/venue.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { marketBuy } from "../_support/venue_data.ts";

const ORDERS_MAX = 100_000;

const buy = (cid: string): OrderRequest => marketBuy(cid, 0.001);

async function venue(): Promise<{ m: MockVenueAdapter; events: VenueEvent[] }> {
  // 105 000 buys of 0.001 open 105 BTC (~683 000 USDT of margin at 10x): the account must hold it,
  // since the venue refuses an opening order beyond the available margin (101204).
  const clock = new ManualClock(1_000);
  const m = new MockVenueAdapter({ seed: 11, clock, prices: { "BTC-USDT": 65_000 }, balance: 1_000_000_000 });
  const events: VenueEvent[] = [];
  m.onEvent((e) => events.push(e));
  await m.connect();
  return { m, events };
}

/** The venue's own memory: orders and the venue order ids it keeps unique. */
function memory(m: MockVenueAdapter): { orders: number; ids: number } {
  const inner = m as unknown as { orders: Map<string, unknown>; orderIds: Set<string> };
  return { orders: inner.orders.size, ids: inner.orderIds.size };
}

test("past 100 000 finished orders the mock venue still accepts orders, and its memory stays at the bound", async () => {
  const { m } = await venue();
  for (let i = 0; i < ORDERS_MAX; i++) expect((await m.submit(buy(`F${i}`))).status).toBe("ACCEPTED");
  expect(memory(m)).toEqual({ orders: ORDERS_MAX, ids: ORDERS_MAX });
  for (let i = 0; i < 5_000; i++) {
    const r = await m.submit(buy(`G${i}`));
    if (r.status !== "ACCEPTED") throw new Error(`order G${i} refused: ${JSON.stringify(r)}`);
  }
  expect(memory(m)).toEqual({ orders: ORDERS_MAX, ids: ORDERS_MAX });
  // The oldest finished orders were forgotten first; the newest are still queryable (and idempotent).
  expect(await m.queryOrder("BTC-USDT", "F0")).toBeNull();
  expect((await m.queryOrder("BTC-USDT", "G4999"))?.status).toBe("FILLED");
  const again = await m.submit(buy("G4999"));
  expect(again).toEqual({
    status: "ACCEPTED",
    venue_order_id: (await m.queryOrder("BTC-USDT", "G4999"))!.venue_order_id,
  });
  m.close();
}, 60_000);

test("an order still working is never forgotten: the oldest resting limit survives 100 000 later orders and fills", async () => {
  const { m, events } = await venue();
  await m.submit({ ...buy("REST"), type: "LIMIT", price: 60_000 });
  for (let i = 0; i < ORDERS_MAX + 1_000; i++) {
    const r = await m.submit(buy(`F${i}`));
    if (r.status !== "ACCEPTED") throw new Error(`order F${i} refused: ${JSON.stringify(r)}`);
  }
  expect((await m.queryOrder("BTC-USDT", "REST"))?.status).toBe("NEW");
  m.setPrice("BTC-USDT", 59_000);
  await Bun.sleep(5);
  expect((await m.queryOrder("BTC-USDT", "REST"))?.status).toBe("FILLED");
  expect(events.filter((e) => e.client_order_id === "REST").map((e) => e.kind)).toContain("FULL_FILL");
  m.close();
}, 60_000);

test("with every remembered order working, the venue refuses a new one (80013) and forgets none of them", async () => {
  const { m } = await venue();
  for (let i = 0; i < ORDERS_MAX; i++) await m.submit({ ...buy(`W${i}`), type: "LIMIT", price: 60_000 });
  const r = await m.submit(buy("ONE_MORE"));
  expect(r.status).toBe("REJECTED");
  expect(r.status === "REJECTED" && r.event.venue_code).toBe("80013");
  expect((await m.queryOrder("BTC-USDT", "W0"))?.status).toBe("NEW");
  expect(memory(m).orders).toBe(ORDERS_MAX);
  m.close();
}, 60_000);
