/**
 * The mock venue is no more lenient than BingX (and bingx-sim, src/sim/order_rules.ts): a close is
 * held to the position less what working closes already reserve; a reduce-only order never opens;
 * a limit price rests on the tick the adapter would send; a LIMIT needs a price; a client order
 * id already taken by another order is refused; a marketable limit takes the venue's price.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { OrderRequest, VenueEvent } from "../../src/contracts/venue.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";

const PRICE = 65_000;
let n = 0;

function req(over: Partial<OrderRequest> = {}): OrderRequest {
  n++;
  return {
    client_order_id: `s${n}`,
    asset: "BTC-USDT",
    side: "BUY",
    position_side: "LONG",
    type: "MARKET",
    size: 0.02,
    reduce_only: false,
    ...over,
  };
}

async function venue(): Promise<{ m: MockVenueAdapter; events: VenueEvent[] }> {
  const m = new MockVenueAdapter({ seed: 5, clock: new ManualClock(1_000), prices: { "BTC-USDT": PRICE } });
  const events: VenueEvent[] = [];
  m.onEvent((e) => events.push(e));
  await m.connect();
  return { m, events };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("mock venue closes", () => {
  test("a close beyond the position less the working closes is refused 101400, and a resting close never fills a position already gone", async () => {
    const { m, events } = await venue();
    expect((await m.submit(req())).status).toBe("ACCEPTED");
    const tp = req({ side: "SELL", type: "LIMIT", price: 70_000, reduce_only: true, closes_position: true });
    expect((await m.submit(tp)).status).toBe("ACCEPTED");
    const sl = req({ side: "SELL", reduce_only: true, closes_position: true });
    const res = await m.submit(sl);
    expect(res.status).toBe("REJECTED");
    if (res.status === "REJECTED") expect(res.event.venue_code).toBe("101400");
    expect((await m.positions("BTC-USDT"))[0]?.size).toBe(0.02);
    m.setPrice("BTC-USDT", 70_000);
    await settle();
    expect((await m.positions("BTC-USDT")).length).toBe(0);
    expect(events.filter((e) => e.kind === "FULL_FILL").length).toBe(2);
  });

  test("a close of the part no working close reserves is accepted", async () => {
    const { m } = await venue();
    await m.submit(req());
    await m.submit(req({ side: "SELL", type: "LIMIT", price: 70_000, size: 0.01, reduce_only: true }));
    expect((await m.submit(req({ side: "SELL", size: 0.01, reduce_only: true }))).status).toBe("ACCEPTED");
    expect((await m.positions("BTC-USDT"))[0]?.size).toBe(0.01);
  });

  test("a reduce-only order whose sides open a position is refused 101400 and opens nothing", async () => {
    const { m } = await venue();
    const res = await m.submit(req({ reduce_only: true }));
    expect(res.status).toBe("REJECTED");
    if (res.status === "REJECTED") expect(res.event.venue_code).toBe("101400");
    expect(await m.positions("BTC-USDT")).toEqual([]);
  });
});

describe("mock venue limit prices", () => {
  test("a BUY limit off the tick rests on the tick below it, as the adapter sends it", async () => {
    const { m, events } = await venue();
    const o = req({ type: "LIMIT", price: 64_999.97 });
    expect((await m.submit(o)).status).toBe("ACCEPTED");
    m.setPrice("BTC-USDT", 64_999.95);
    await settle();
    expect(events.filter((e) => e.kind === "FULL_FILL")).toEqual([]);
    m.setPrice("BTC-USDT", 64_999.9);
    await settle();
    const fill = events.find((e) => e.kind === "FULL_FILL");
    expect(fill?.last_fill_price).toBe(64_999.9);
  });

  test("a LIMIT order without a price is refused with a LOCAL_RULE saying why, leaving no order", async () => {
    const { m } = await venue();
    const o = req({ type: "LIMIT" });
    const res = await m.submit(o);
    expect(res.status).toBe("REJECTED");
    if (res.status === "REJECTED") expect(res.event.venue_message).toContain("price");
    expect(await m.queryOrder("BTC-USDT", o.client_order_id)).toBeNull();
  });

  test("a marketable limit fills at the venue's price, not at its limit", async () => {
    const { m, events } = await venue();
    await m.submit(req({ type: "LIMIT", price: 70_000 }));
    await settle();
    expect(events.find((e) => e.kind === "FULL_FILL")?.last_fill_price).toBe(PRICE);
    expect((await m.positions("BTC-USDT"))[0]?.avg_price).toBe(PRICE);
  });
});

describe("mock venue client order ids", () => {
  test("a client order id taken by another order is refused, the first order untouched", async () => {
    const { m } = await venue();
    const first = req();
    await m.submit(first);
    const other = {
      ...req({ side: "SELL", position_side: "SHORT", size: 0.05 }),
      client_order_id: first.client_order_id,
    };
    const res = await m.submit(other);
    expect(res.status).toBe("REJECTED");
    if (res.status === "REJECTED") expect(res.event.venue_message).toContain("already exists");
    expect((await m.queryOrder("BTC-USDT", first.client_order_id))?.side).toBe("BUY");
    expect((await m.positions("BTC-USDT")).map((p) => p.side)).toEqual(["LONG"]);
  });

  test("a client order id differing only in case names the same order (BingX lower-cases ids): another order under it is refused", async () => {
    const { m } = await venue();
    const first = { ...req(), client_order_id: "CaseId-1" };
    await m.submit(first);
    const res = await m.submit({ ...req({ size: 0.03 }), client_order_id: "caseid-1" });
    expect(res.status).toBe("REJECTED");
    expect((await m.positions("BTC-USDT"))[0]?.size).toBe(0.02);
    expect((await m.queryOrder("BTC-USDT", "caseid-1"))?.client_order_id).toBe("CaseId-1");
  });

  test("the same order sent again keeps answering its first placement", async () => {
    const { m } = await venue();
    const o = req();
    const a = await m.submit(o);
    expect(await m.submit({ ...o })).toEqual(a);
  });
});
