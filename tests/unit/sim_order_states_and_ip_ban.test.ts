/**
 * bingx-sim produces every order status BingX lists besides the common ones (PENDING, REJECTED)
 * and its HTTP 418 IP ban, each on a fault knob (none is the normal path):
 * - `pending_ms`: a placement is accepted with status PENDING (listed, queryable, cancellable, no
 *   stream event, nothing filled) until that much sim time has passed, then it runs as usual;
 * - `reject_orders`: the next n placements are accepted (an orderId comes back) and then rejected
 *   by the engine: status REJECTED, nothing filled, stream NEW then REJECTED;
 * - `ip_ban`: the next request starts an IP ban ("auto-banned for continuing to send requests
 *   after receiving 429 codes"): it and every request for BingX's 5 minutes answer HTTP 418 and
 *   execute nothing; with `retry_hint` the answers say until when (`X-RateLimit-Requests-Expire`).
 */

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { call, type Harness, openStream, orderEvents, place, startSim } from "../integration/fixtures/sim_client.ts";

let h: Harness;
beforeEach(async () => {
  h = await startSim();
});
afterEach(async () => {
  await h.sim.stop();
});

const query = (cid: string) =>
  call(h, "GET", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: cid });

async function postFaults(patch: unknown): Promise<Response> {
  return fetch(`${h.sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify(patch) });
}

describe("bingx-sim order statuses PENDING and REJECTED", () => {
  test("pending_ms holds a placement in PENDING (listed, nothing filled, no stream event) until the sim clock passes it", async () => {
    const stream = await openStream(h);
    expect((await postFaults({ pending_ms: 500 })).status).toBe(200);
    const placed = await place(h, { clientOrderID: "pend-1" });
    expect(placed.body.code).toBe(0);
    expect(placed.body.data.order.status).toBe("PENDING");
    expect((await query("pend-1")).body.data.order).toMatchObject({ status: "PENDING", executedQty: "0" });
    const open = await call(h, "GET", "/openApi/swap/v2/trade/openOrders", { symbol: "BTC-USDT" });
    expect(open.body.data.orders.map((o: { status: string }) => o.status)).toEqual(["PENDING"]);
    expect(h.sim.state().positions).toEqual([]);
    h.clock.advance(499);
    expect((await query("pend-1")).body.data.order.status).toBe("PENDING");
    expect(orderEvents(stream)).toEqual([]);
    h.clock.advance(1);
    expect((await query("pend-1")).body.data.order).toMatchObject({ status: "FILLED", executedQty: "0.01" });
    await stream.waitFor(() => orderEvents(stream).some((e) => e.o.X === "FILLED"));
    expect(orderEvents(stream).map((e) => e.o.X)).toEqual(["NEW", "FILLED"]);
    stream.ws.close();
  });

  test("a PENDING order can be cancelled and then never runs", async () => {
    h.sim.faults.pending_ms = 1_000;
    await place(h, { clientOrderID: "pend-2" });
    const cancelled = await call(h, "DELETE", "/openApi/swap/v2/trade/order", {
      symbol: "BTC-USDT",
      clientOrderId: "pend-2",
    });
    expect(cancelled.body.code).toBe(0);
    h.clock.advance(2_000);
    expect((await query("pend-2")).body.data.order).toMatchObject({ status: "CANCELLED", executedQty: "0" });
    expect(h.sim.state().positions).toEqual([]);
  });

  test("reject_orders: the next placement gets an orderId, then is REJECTED with nothing filled (stream NEW, REJECTED)", async () => {
    const stream = await openStream(h);
    expect((await postFaults({ reject_orders: 1 })).status).toBe(200);
    const placed = await place(h, { clientOrderID: "rej-1" });
    expect(placed.body.code).toBe(0);
    expect(String(placed.body.data.order.orderId)).toMatch(/^\d{19}$/);
    expect((await query("rej-1")).body.data.order).toMatchObject({ status: "REJECTED", executedQty: "0" });
    await stream.waitFor(() => orderEvents(stream).length >= 2);
    expect(orderEvents(stream).map((e) => [e.o.x, e.o.X, e.o.z])).toEqual([
      ["NEW", "NEW", "0.00000000"],
      ["REJECTED", "REJECTED", "0.00000000"],
    ]);
    expect(h.sim.state().positions).toEqual([]);
    expect(h.sim.faults.reject_orders).toBe(0);
    expect((await place(h, { clientOrderID: "rej-2" })).body.data.order.status).toBe("FILLED");
    stream.ws.close();
  });

  test("bad knob values are refused with a sentence and change nothing", async () => {
    for (const patch of [
      { pending_ms: -1 },
      { pending_ms: 60_001 },
      { reject_orders: 1.5 },
      { ip_ban: { count: "x" } },
    ]) {
      const r = await postFaults(patch);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/pending_ms|reject_orders|ip_ban/);
    }
    expect([h.sim.faults.pending_ms, h.sim.faults.reject_orders, h.sim.faults.ip_ban]).toEqual([
      0,
      0,
      { count: 0, retry_hint: false },
    ]);
  });
});

describe("bingx-sim IP ban (HTTP 418)", () => {
  test("ip_ban answers 418 to every request for 5 minutes of sim clock, executes nothing, then recovers", async () => {
    expect((await postFaults({ ip_ban: { count: 1, retry_hint: true } })).status).toBe(200);
    const first = await place(h, { clientOrderID: "ban-1" });
    expect(first.status).toBe(418);
    expect(Number(first.headers.get("X-RateLimit-Requests-Expire"))).toBe(h.clock.nowMs() + 300_000);
    h.clock.advance(299_999);
    const during = await call(h, "GET", "/openApi/swap/v2/user/balance");
    const market = await fetch(`${h.sim.url}/openApi/swap/v2/server/time`);
    expect([during.status, market.status]).toEqual([418, 418]);
    expect(h.sim.state().orders).toEqual([]);
    expect(h.sim.state().counters.ip_banned).toBe(3);
    h.clock.advance(1);
    expect((await place(h, { clientOrderID: "ban-2" })).body.code).toBe(0);
    expect(h.sim.faults.ip_ban).toEqual({ count: 0, retry_hint: true });
  });

  test("without retry_hint the 418 carries no expiry", async () => {
    h.sim.faults.ip_ban = { count: 1, retry_hint: false };
    const r = await call(h, "GET", "/openApi/swap/v2/user/balance");
    expect(r.status).toBe(418);
    expect(r.headers.get("X-RateLimit-Requests-Expire")).toBeNull();
  });
});
