/**
 * A close of a slot's whole remaining position (the kernel's exit for the full size, a flatten's
 * exit: `closes_position` on the order) is never refused locally for the venue's minimum quantity
 * or minimum notional: those are opening-order minimums, and a position that fell below them
 * (a partial fill, a cheap coin after a drop) must still be closable. It is floored to the
 * quantity step (never above the position), refused only when nothing of a step is left, and sent
 * as every exit is (hedge: the closing positionSide; one-way: BOTH with reduceOnly=true); the
 * venue decides, and its refusal comes back as a REJECT through the usual path. A partial exit
 * and an entry keep every minimum (src/venue/bingx/contract_rules.ts, _submit.ts, mock venue).
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { ContractRules, OrderRequest } from "../../src/contracts/venue.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { applyContractRules } from "../../src/venue/bingx/index.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { realTimeAdapter } from "../_support/bingx_sim.ts";

const RULES: ContractRules = {
  asset: "ETH-USDT",
  quantity_step: 0.001,
  price_step: 0.01,
  min_quantity: 0.01,
  min_notional: 5,
  max_leverage: 100,
};

describe("contract rules of an order that closes the whole position", () => {
  test("below the minimum quantity and the minimum notional: passes whole, refused as a partial exit", () => {
    // 0.005 ETH at 400 USDT: under the 0.01 minimum quantity and worth 2 USDT, under the 5 minimum.
    expect(applyContractRules(RULES, 0.005, undefined, 400, "SELL", true)).toEqual({
      ok: true,
      size: 0.005,
      quantity: "0.005",
    });
    expect(applyContractRules(RULES, 0.005, 400, 400, "SELL", true)).toMatchObject({ ok: true, price: "400.00" });
    const partial = applyContractRules(RULES, 0.005, undefined, 400, "SELL");
    expect(partial.ok === false && partial.rule).toBe("MIN_QUANTITY");
    const notional = applyContractRules({ ...RULES, min_quantity: 0.001 }, 0.005, undefined, 400, "SELL");
    expect(notional.ok === false && notional.rule).toBe("MIN_NOTIONAL");
  });

  test("off the quantity step: floored to the step, never above the position", () => {
    expect(applyContractRules(RULES, 0.0057, undefined, 400, "SELL", true)).toEqual({
      ok: true,
      size: 0.005,
      quantity: "0.005",
    });
    // Float residue is not a step: 0.3 stays 0.3.
    expect(applyContractRules({ ...RULES, quantity_step: 0.1 }, 0.3, undefined, 400, "SELL", true)).toMatchObject({
      ok: true,
      quantity: "0.3",
    });
    // As a partial exit the same size is refused, never rounded.
    const partial = applyContractRules({ ...RULES, min_quantity: 0.001 }, 0.0057, undefined, 400, "SELL");
    expect(partial.ok === false && partial.rule).toBe("OFF_STEP");
  });

  test("less than one quantity step: refused BELOW_STEP, naming the residue and the step", () => {
    const dust = applyContractRules(RULES, 0.0004, undefined, 400, "SELL", true);
    expect(dust.ok === false && dust.rule).toBe("BELOW_STEP");
    expect(dust.ok === false && dust.message).toContain("0.0004");
    expect(dust.ok === false && dust.message).toContain("0.001");
  });
});

const closeLong = (client_order_id: string, size: number, over: Partial<OrderRequest> = {}): OrderRequest => ({
  client_order_id,
  asset: "BTC-USDT",
  side: "SELL",
  position_side: "LONG",
  type: "LIMIT",
  price: 1_000,
  size,
  reduce_only: true,
  ...over,
});

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** The BingX adapter on bingx-sim in `mode`, with every placement's parameters recorded. */
async function bingxRig(positionMode: "hedge" | "oneway") {
  const placed: URLSearchParams[] = [];
  const network = (url: string, init: RequestInit) => {
    const u = new URL(url);
    if (init.method === "POST" && u.pathname.endsWith("/trade/order")) placed.push(u.searchParams);
    return fetch(url, init);
  };
  const v = await realTimeAdapter(stops, { seed: 5, positionMode, prices: { "BTC-USDT": 65_000 } }, network);
  return { ...v, placed };
}

describe("BingX adapter: a whole-position close below the venue's minimum", () => {
  for (const mode of ["hedge", "oneway"] as const) {
    test(`${mode} mode: sent as a close and judged by the venue; a partial exit is refused locally, nothing sent`, async () => {
      const v = await bingxRig(mode);
      const entry = { ...closeLong("open1", 0.001), side: "BUY" as const, type: "MARKET" as const, reduce_only: false };
      delete entry.price;
      expect((await v.adapter.submit(entry)).status).toBe("ACCEPTED");
      v.sim.setPrice("BTC-USDT", 1_000); // 0.001 BTC is now worth 1 USDT, under the 2 USDT minimum

      const partial = await v.adapter.submit(closeLong("part1", 0.0005));
      expect(partial.status === "REJECTED" && partial.event.venue_code).toBe("LOCAL_RULE");
      expect(v.placed.length).toBe(1); // the entry only

      const whole = await v.adapter.submit(closeLong("whole1", 0.001, { closes_position: true }));
      expect(v.placed.length).toBe(2);
      const sent = v.placed[1]!;
      expect([sent.get("side"), sent.get("positionSide"), sent.get("quantity"), sent.get("reduceOnly")]).toEqual(
        mode === "hedge" ? ["SELL", "LONG", "0.0010", null] : ["SELL", "BOTH", "0.0010", "true"],
      );
      // bingx-sim applies BingX's minimum order value to closes too: the venue's refusal, as a REJECT.
      expect(whole.status).toBe("REJECTED");
      if (whole.status === "REJECTED")
        expect([whole.event.reject_reason, whole.event.venue_code]).toEqual(["VENUE", "101400"]);
      expect(v.events.some((e) => e.client_order_id === "whole1" && e.kind === "REJECT")).toBe(true);
    });
  }

  test("closes_position on an order whose sides open a position is refused locally, nothing sent", async () => {
    const v = await bingxRig("hedge");
    const opening = closeLong("bad1", 0.001, { side: "BUY", closes_position: true, price: 60_000 });
    const result = await v.adapter.submit(opening);
    expect(result.status === "REJECTED" && result.event.venue_code).toBe("LOCAL_RULE");
    expect(result.status === "REJECTED" && result.event.venue_message).toContain("closes_position");
    expect(v.placed.length).toBe(0);
  });
});

describe("mock venue: a whole-position close below the minimum", () => {
  test("is placed and leaves the venue flat; the same size without closes_position, or a partial exit, is refused LOCAL_RULE", async () => {
    const rules = { "ETH-USDT": RULES };
    const prices = { "ETH-USDT": 3_000 };
    const venue = new MockVenueAdapter({ seed: 4, clock: new SystemClock(), prices, balance: 10_000, rules });
    stops.push(() => venue.close());
    await venue.connect();
    const market = (client_order_id: string, side: "BUY" | "SELL", size: number): OrderRequest => ({
      client_order_id,
      asset: "ETH-USDT",
      side,
      position_side: "LONG",
      type: "MARKET",
      size,
      reduce_only: side === "SELL",
    });
    expect((await venue.submit(market("open0", "BUY", 0.005))).status).toBe("REJECTED"); // entries keep the minimum
    expect((await venue.submit(market("open1", "BUY", 0.01))).status).toBe("ACCEPTED");
    venue.setPrice("ETH-USDT", 400); // 0.01 ETH is now worth 4 USDT, under the 5 USDT minimum
    const refusedAs = async (o: OrderRequest) => {
      const r = await venue.submit(o);
      return r.status === "REJECTED" ? [r.event.venue_code, r.event.venue_message?.split(" ")[0]] : r.status;
    };
    expect(await refusedAs(market("part1", "SELL", 0.005))).toEqual(["LOCAL_RULE", "size"]);
    expect(await refusedAs(market("all0", "SELL", 0.01))).toEqual(["LOCAL_RULE", "notional"]);
    expect(await refusedAs({ ...market("all1", "SELL", 0.01), closes_position: true })).toBe("ACCEPTED");
    expect(await venue.positions()).toEqual([]);
  });
});
