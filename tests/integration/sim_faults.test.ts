/**
 * bingx-sim fault knobs, each set both directly on `handle.faults` and through
 * `POST /_sim/faults`: latency, dropped placement answers (executed, outcome unknown), injected
 * 5xx (not executed), injected and real rate limits, duplicated, reordered and disconnected
 * stream delivery, partial fill legs, and cancel rejects.
 */

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { call, type Harness, openStream, orderEvents, place, startSim } from "./fixtures/sim_client.ts";

let h: Harness;
beforeEach(async () => {
  h = await startSim();
});
afterEach(async () => {
  await h.sim.stop();
});

async function postFaults(patch: unknown): Promise<Response> {
  return fetch(`${h.sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify(patch) });
}

describe("bingx-sim faults", () => {
  test("latency_ms delays every answer", async () => {
    expect((await postFaults({ latency_ms: 80 })).status).toBe(200);
    const started = Bun.nanoseconds();
    await call(h, "GET", "/openApi/swap/v2/user/balance");
    expect((Bun.nanoseconds() - started) / 1e6).toBeGreaterThanOrEqual(75);
  });

  test("drop_responses executes the placement but the client gets no answer; a query finds it", async () => {
    h.sim.faults.drop_responses = 2;
    for (const id of ["drop-1", "drop-2"]) {
      let outcome: string;
      try {
        outcome = String((await place(h, { clientOrderID: id })).status);
      } catch {
        outcome = "reset";
      }
      expect(["504", "reset"]).toContain(outcome);
    }
    expect(h.sim.faults.drop_responses).toBe(0);
    const q = await call(h, "GET", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "drop-1" });
    expect(q.body.data.order.status).toBe("FILLED");
    expect(h.sim.state().counters.placed_by_client_id).toEqual({ "drop-1": 1, "drop-2": 1 });
    expect((await place(h, { clientOrderID: "after" })).body.code).toBe(0);
  });

  test("http_5xx answers 500 / 100500 without executing, then recovers", async () => {
    await postFaults({ http_5xx: 1 });
    const r = await place(h, { clientOrderID: "five" });
    expect(r.status).toBe(500);
    expect(r.body.code).toBe(100500);
    expect(h.sim.state().orders).toHaveLength(0);
    expect((await place(h, { clientOrderID: "five" })).body.code).toBe(0);
  });

  test("rate_limit answers 429 / 100410 with retry headers only when retry_hint is set", async () => {
    await postFaults({ rate_limit: { count: 1, retry_hint: true } });
    const hinted = await place(h, {});
    expect(hinted.status).toBe(429);
    expect(hinted.body.code).toBe(100410);
    expect(hinted.headers.get("X-RateLimit-Requests-Remain")).toBe("0");
    expect(Number(hinted.headers.get("X-RateLimit-Requests-Expire"))).toBeGreaterThan(h.clock.nowMs());
    h.sim.faults.rate_limit = { count: 1, retry_hint: false };
    const bare = await place(h, {});
    expect(bare.status).toBe(429);
    expect(bare.headers.get("X-RateLimit-Requests-Remain")).toBeNull();
    expect(h.sim.state().orders).toHaveLength(0);
  });

  test("order placement is limited to 10 per second of the sim clock", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await place(h, { quantity: "0.001" })).body.code);
    expect(codes.slice(0, 10).every((c) => c === 0)).toBe(true);
    expect(codes[10]).toBe(100410);
    h.clock.advance(1000);
    expect((await place(h, { quantity: "0.001" })).body.code).toBe(0);
  });

  test("partial_fill_legs splits a market fill into n TRADE events with growing cumulative quantity", async () => {
    const s = await openStream(h);
    h.sim.faults.partial_fill_legs = 3;
    await place(h, { quantity: "0.03" });
    await s.waitFor(() => orderEvents(s).length >= 4);
    const trades = orderEvents(s).filter((e) => e.o.x === "TRADE");
    expect(trades.map((e) => e.o.X)).toEqual(["PARTIALLY_FILLED", "PARTIALLY_FILLED", "FILLED"]);
    expect(trades.map((e) => Number(e.o.z))).toEqual([0.01, 0.02, 0.03]);
    expect(trades.map((e) => Number(e.o.l))).toEqual([0.01, 0.01, 0.01]);
    // `n` is the commission of each trade (not a running total): the legs add up to the order's.
    const perTrade = trades.map((e) => -Number(e.o.n));
    for (const [i, t] of trades.entries()) expect(perTrade[i]).toBeCloseTo(0.01 * Number(t.o.L) * 0.0005, 8);
    s.ws.close();
  });

  test("partial_fill_legs also applies when a resting limit order is crossed", async () => {
    h.sim.faults.partial_fill_legs = 2;
    const s = await openStream(h);
    await place(h, { type: "LIMIT", price: "64000", quantity: "0.05" });
    h.sim.setPrice("BTC-USDT", 63000);
    await s.waitFor(() => orderEvents(s).length >= 3);
    expect(orderEvents(s).map((e) => e.o.X)).toEqual(["NEW", "PARTIALLY_FILLED", "FILLED"]);
    s.ws.close();
  });

  test("duplicate_events sends every stream frame twice", async () => {
    const s = await openStream(h);
    await postFaults({ duplicate_events: true });
    await place(h, {});
    await s.waitFor(() => orderEvents(s).length >= 4);
    const [a, b, c, d] = orderEvents(s);
    expect(a).toEqual(b);
    expect(c).toEqual(d);
    s.ws.close();
  });

  test("reorder_events shuffles one order's events deterministically for the seed", async () => {
    const runOnce = async (): Promise<string[]> => {
      const local = await startSimSeeded(7);
      const s = await openStream(local);
      local.sim.faults.reorder_events = true;
      local.sim.faults.partial_fill_legs = 5;
      await place(local, { quantity: "0.05" });
      await s.waitFor(() => orderEvents(s).length >= 6);
      const seq = orderEvents(s).map((e) => `${e.o.X}:${e.o.z}`);
      s.ws.close();
      await local.sim.stop();
      return seq;
    };
    const first = await runOnce();
    const second = await runOnce();
    expect(first).toEqual(second);
    const inOrder = [
      "NEW:0.00000000",
      "PARTIALLY_FILLED:0.01000000",
      "PARTIALLY_FILLED:0.02000000",
      "PARTIALLY_FILLED:0.03000000",
      "PARTIALLY_FILLED:0.04000000",
      "FILLED:0.05000000",
    ];
    expect([...first].sort()).toEqual([...inOrder].sort());
    expect(first).not.toEqual(inOrder);
  });

  test("stream_disconnect drops the socket after n events; the rest of that burst is lost", async () => {
    const s = await openStream(h);
    await postFaults({ stream_disconnect: 1 });
    await place(h, { clientOrderID: "sd" });
    await Promise.race([s.closed, Bun.sleep(2000)]);
    expect(s.ws.readyState).toBe(WebSocket.CLOSED);
    expect(s.events.filter((e) => e.e !== undefined)).toHaveLength(1);
    expect(h.sim.state().stream_connections).toBe(0);
    const q = await call(h, "GET", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "sd" });
    expect(q.body.data.order.status).toBe("FILLED");
  });

  test("cancel_reject answers 80018 and leaves the order open", async () => {
    await place(h, { type: "LIMIT", price: "60000", clientOrderID: "cr" });
    await postFaults({ cancel_reject: true });
    const r = await call(h, "DELETE", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "cr" });
    expect(r.body.code).toBe(80018);
    expect(h.sim.state().orders[0]?.status).toBe("NEW");
  });

  test("an invalid faults patch answers 400 and changes nothing; GET /_sim/state shows the knobs", async () => {
    expect((await postFaults({ partial_fill_legs: 0 })).status).toBe(400);
    expect((await postFaults({ no_such_knob: 1 })).status).toBe(400);
    expect((await postFaults({ http_5xx: 2, latency_ms: "slow" })).status).toBe(400);
    const state = (await (await fetch(`${h.sim.url}/_sim/state`)).json()) as {
      faults: { http_5xx: number };
      seed: number;
    };
    expect(state.faults.http_5xx).toBe(0);
    expect(state.seed).toBe(42);
  });
});

async function startSimSeeded(seed: number): Promise<Harness> {
  return startSim({ seed });
}
