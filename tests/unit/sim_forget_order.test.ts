/**
 * bingx-sim's out-of-band `forget_order` (src/sim/out_of_band.ts): the venue forgets an order, as BingX
 * does when it purges one from its history or its risk engine ends one and the stream event is lost. An
 * open order is ended first (nothing more fills, its margin reservation released); from then on query and
 * cancel answer 80016 and no list shows it, while what it filled stays booked and its client id stays
 * taken. Bad input answers 400 with a sentence and changes nothing.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { SimHandle } from "../../src/sim/index.ts";
import { adapterOnSim, restingBuy } from "../_support/bingx_sim.ts";
import { marketBuy } from "../_support/venue_data.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** POST /_sim/out_of_band with `body`: its HTTP status and answer. */
async function outOfBand(sim: SimHandle, body: unknown): Promise<{ status: number; answer: Record<string, unknown> }> {
  const r = await fetch(`${sim.url}/_sim/out_of_band`, { method: "POST", body: JSON.stringify(body) });
  return { status: r.status, answer: (await r.json()) as Record<string, unknown> };
}

describe("forget_order", () => {
  test("a resting order forgotten (its client id in any case) ends unseen: query and cancel answer 80016, no list shows it, its margin is released, its id stays taken", async () => {
    const { sim, adapter } = await adapterOnSim(41, stops);
    expect((await adapter.submit(restingBuy("Fg1-E"))).status).toBe("ACCEPTED");
    expect(sim.state().balance.freezed_margin).toBeGreaterThan(0);

    const forgot = await outOfBand(sim, { action: "forget_order", clientOrderId: "FG1-E" });
    expect(forgot).toEqual({ status: 200, answer: { done: "forgot fg1-e (NEW, 0 filled)" } });

    expect(await adapter.queryOrder("BTC-USDT", "Fg1-E")).toBeNull(); // the venue has no such order
    const cancel = await adapter.cancel("BTC-USDT", "Fg1-E");
    expect(cancel.status === "REJECTED" && cancel.event.venue_code).toBe("80016");
    expect(await adapter.openOrders("BTC-USDT")).toEqual([]);
    expect(sim.state().orders).toEqual([]);
    expect(sim.state().balance.freezed_margin).toBe(0);
    const again = await adapter.submit(restingBuy("Fg1-E")); // a second after: the id is still taken
    expect(again.status === "REJECTED" && again.event.venue_code).toBe("80014");
  });

  test("a filled order forgotten leaves its position, wallet and fill history as they were", async () => {
    const { sim, adapter } = await adapterOnSim(42, stops);
    expect((await adapter.submit(marketBuy("Fg2-E"))).status).toBe("ACCEPTED");
    const before = sim.state();
    expect(before.orders.map((o) => o.status)).toEqual(["FILLED"]);

    expect((await outOfBand(sim, { action: "forget_order", clientOrderId: "Fg2-E" })).status).toBe(200);
    const after = sim.state();
    expect(after.orders).toEqual([]);
    expect(after.positions).toEqual(before.positions);
    expect(after.balance.wallet).toBe(before.balance.wallet);
    expect(after.fills).toEqual(before.fills);
    expect(await adapter.queryOrder("BTC-USDT", "Fg2-E")).toBeNull();
  });

  test("bad input answers 400 with a sentence and forgets nothing", async () => {
    const { sim, adapter } = await adapterOnSim(43, stops);
    expect((await adapter.submit(restingBuy("Fg3-E"))).status).toBe("ACCEPTED");
    const orders = sim.state().orders;
    for (const clientOrderId of [undefined, "", 7, "no-such-order", "x".repeat(65)]) {
      const r = await outOfBand(sim, { action: "forget_order", clientOrderId });
      expect(r.status).toBe(400);
      expect(String(r.answer.error)).toStartWith("no order with clientOrderId");
    }
    const unknown = await outOfBand(sim, { action: "forget" });
    expect(unknown.status).toBe(400);
    expect(String(unknown.answer.error)).toContain("forget_order");
    expect(sim.state().orders).toEqual(orders);
  });
});
