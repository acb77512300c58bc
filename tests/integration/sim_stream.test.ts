/**
 * bingx-sim user-data stream: gzip binary frames, "Ping"/"Pong" heartbeat, ORDER_TRADE_UPDATE
 * and ACCOUNT_UPDATE shapes, and the listen-key life cycle (create, extend, close, lapse on the
 * injected clock with `listenKeyExpired`).
 */

import { afterEach, describe, expect, test } from "bun:test";
import { call, type Harness, openStream, orderEvents, place, startSim } from "./fixtures/sim_client.ts";

const STREAM = "/openApi/user/auth/userDataStream";
let h: Harness;
afterEach(async () => {
  await h.sim.stop();
});

describe("bingx-sim user stream", () => {
  test("every frame is binary gzip and the server pings with Ping", async () => {
    h = await startSim({ pingIntervalMs: 30 });
    const s = await openStream(h);
    await s.waitFor((f) => f.includes("Ping"));
    await place(h, {});
    await s.waitFor(() => orderEvents(s).length >= 2);
    expect(s.binary.every((b) => b)).toBe(true);
    s.ws.close();
  });

  test("a client that never answers Pong is disconnected after three pings", async () => {
    h = await startSim({ pingIntervalMs: 20 });
    const s = await openStream(h, { pong: false });
    await Promise.race([s.closed, Bun.sleep(2000)]);
    expect(s.frames.filter((f) => f === "Ping")).toHaveLength(3);
    expect(s.ws.readyState).toBe(WebSocket.CLOSED);
  });

  test("a client answering Pong stays connected", async () => {
    h = await startSim({ pingIntervalMs: 15 });
    const s = await openStream(h);
    await s.waitFor((f) => f.filter((x) => x === "Ping").length >= 6);
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    s.ws.close();
  });

  test("a market order streams NEW then TRADE/FILLED with BingX's field names", async () => {
    h = await startSim();
    const s = await openStream(h);
    const placed = await place(h, { quantity: "0.02", clientOrderID: "stream-1" });
    await s.waitFor(() => orderEvents(s).length >= 2);
    const [created, filled] = orderEvents(s);
    expect(created.o).toMatchObject({
      x: "NEW",
      X: "NEW",
      c: "stream-1",
      s: "BTC-USDT",
      S: "BUY",
      ps: "LONG",
      o: "MARKET",
    });
    expect(filled.o).toMatchObject({ x: "TRADE", X: "FILLED", N: "USDT" });
    for (const k of ["s", "c", "i", "S", "o", "q", "p", "ap", "x", "X", "z", "l", "L", "n", "N", "ps", "rp", "T"])
      expect(filled.o).toHaveProperty(k);
    expect(filled.o.i).toBe(placed.body.data.order.orderId);
    expect(Number(filled.o.z)).toBe(0.02);
    expect(Number(filled.o.l)).toBe(0.02);
    // The best ask is one tick (0.1) above the 65000 mark.
    expect(Number(filled.o.L)).toBe(65000.1);
    expect(Number(filled.o.ap)).toBe(65000.1);
    expect(Number(filled.o.n)).toBeCloseTo(-0.02 * 65000.1 * 0.0005, 8);
    expect(typeof filled.E).toBe("number");
    const raw = s.frames.find((f) => f.includes('"x":"TRADE"')) as string;
    expect(raw).toContain(`"i":${placed.body.data.order.orderId},`);
    s.ws.close();
  });

  test("fills publish ACCOUNT_UPDATE with the USDT wallet and the position", async () => {
    h = await startSim();
    const s = await openStream(h);
    await place(h, { quantity: "0.1" });
    await s.waitFor(() => s.events.some((e) => e.e === "ACCOUNT_UPDATE"));
    const acct = s.events.find((e) => e.e === "ACCOUNT_UPDATE");
    expect(acct.a.B[0]).toMatchObject({ a: "USDT" });
    expect(Number(acct.a.B[0].wb)).toBeCloseTo(10000 - 6500.01 * 0.0005, 6);
    expect(acct.a.P[0]).toMatchObject({ s: "BTC-USDT", ps: "LONG" });
    expect(Number(acct.a.P[0].pa)).toBe(0.1);
    expect(Number(acct.a.P[0].ep)).toBe(65000.1);
    s.ws.close();
  });

  test("a cancel streams CANCELED", async () => {
    h = await startSim();
    const s = await openStream(h);
    await place(h, { type: "LIMIT", price: "60000", clientOrderID: "c-1" });
    await call(h, "DELETE", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "c-1" });
    await s.waitFor(() => orderEvents(s).length >= 2);
    expect(orderEvents(s)[1].o).toMatchObject({ x: "CANCELED", X: "CANCELED" });
    s.ws.close();
  });

  test("a listen key lapses after 60 minutes on the injected clock and the socket gets listenKeyExpired", async () => {
    h = await startSim();
    const s = await openStream(h);
    h.clock.advance(59 * 60_000);
    expect(h.sim.state().listen_keys).toBe(1);
    h.clock.advance(2 * 60_000);
    expect(h.sim.state().listen_keys).toBe(0);
    await Promise.race([s.closed, Bun.sleep(2000)]);
    expect(s.events.map((e) => e.e)).toContain("listenKeyExpired");
    const reconnect = new WebSocket(s.ws.url);
    const outcome = await new Promise<string>((resolve) => {
      reconnect.onopen = () => resolve("open");
      reconnect.onerror = () => resolve("refused");
    });
    expect(outcome).toBe("refused");
  });

  test("PUT extends a listen key; DELETE closes it; unknown keys answer 404", async () => {
    h = await startSim();
    const created = await call(h, "POST", STREAM);
    const key = created.body.listenKey as string;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    h.clock.advance(50 * 60_000);
    expect((await call(h, "PUT", STREAM, { listenKey: key })).status).toBe(200);
    h.clock.advance(50 * 60_000);
    expect(h.sim.state().listen_keys).toBe(1);
    expect((await call(h, "DELETE", STREAM, { listenKey: key })).status).toBe(200);
    expect((await call(h, "PUT", STREAM, { listenKey: key })).status).toBe(404);
  });

  test("the listen key can be created with only the API key header", async () => {
    h = await startSim();
    const res = await fetch(`${h.sim.url}${STREAM}`, { method: "POST", headers: { "X-BX-APIKEY": "test-api-key" } });
    expect(((await res.json()) as { listenKey: string }).listenKey).toHaveLength(64);
    const bad = await fetch(`${h.sim.url}${STREAM}`, { method: "POST", headers: { "X-BX-APIKEY": "wrong" } });
    expect(((await bad.json()) as { code: number }).code).toBe(100413);
  });
});
