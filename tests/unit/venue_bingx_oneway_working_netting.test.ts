/**
 * One-way accounts (positionSide BOTH) hold one net position per symbol, while the kernel keeps a
 * slot per trade. An opening order of one side must not go out while this adapter works an opening
 * order of the other side on that asset (resting, or its placement still running): if both fill,
 * the venue nets them and holds less (or nothing) while the kernel believes a LONG and a SHORT.
 * It is refused locally (LOCAL_RULE ONE_WAY_NETTING) and nothing is sent. Closes, reduce-only
 * orders, same-side entries, other assets and hedge-mode accounts are not held back
 * (src/venue/bingx/_submit.ts, _working_orders.ts).
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { OrderRequest, SubmitResult } from "../../src/contracts/venue.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { realTimeAdapter, SIM_API_KEY, SIM_SECRET } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function rig(positionMode: "hedge" | "oneway") {
  let placements = 0;
  const network = (url: string, init: RequestInit) => {
    if (init.method === "POST" && new URL(url).pathname.endsWith("/trade/order")) placements++;
    return fetch(url, init);
  };
  const prices = { "BTC-USDT": 65_000, "ETH-USDT": 3_000 };
  const v = await realTimeAdapter(stops, { seed: 7, positionMode, prices }, network);
  return { ...v, placed: () => placements };
}

/** An opening order of `side` (LONG: BUY, SHORT: SELL); a LIMIT away from the market rests. */
function opening(cid: string, side: "LONG" | "SHORT", over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    client_order_id: cid,
    asset: "BTC-USDT",
    side: side === "LONG" ? "BUY" : "SELL",
    position_side: side,
    type: "LIMIT",
    price: side === "LONG" ? 60_000 : 70_000,
    size: 0.01,
    reduce_only: false,
    ...over,
  };
}

const nettingRule = (r: SubmitResult) =>
  r.status === "REJECTED" ? [r.event.venue_code, r.event.venue_message?.includes("working opening")] : r.status;

describe("BingX one-way account: an opening order against a working opening order of the other side", () => {
  test("an opening SHORT while this adapter's opening LONG LIMIT rests is refused ONE_WAY_NETTING, nothing sent", async () => {
    const v = await rig("oneway");
    expect((await v.adapter.submit(opening("long1", "LONG"))).status).toBe("ACCEPTED");
    const before = v.placed();
    const short = await v.adapter.submit(opening("short1", "SHORT", { type: "MARKET", price: undefined }));
    expect(nettingRule(short)).toEqual(["LOCAL_RULE", true]);
    expect(v.diagnostics.some((d) => d.code === "LOCAL_RULE" && d.details?.rule === "ONE_WAY_NETTING")).toBe(true);
    expect(v.placed()).toBe(before);
    expect(v.sim.state().positions).toEqual([]);
    // The refusal left no state: once the LONG is cancelled, the same SHORT goes out.
    expect((await v.adapter.cancel("BTC-USDT", "long1")).status).toBe("REQUESTED");
    expect((await v.adapter.submit(opening("short1", "SHORT"))).status).toBe("ACCEPTED");
  });

  test("two opposite resting opening limits: the second is refused ONE_WAY_NETTING", async () => {
    const v = await rig("oneway");
    expect((await v.adapter.submit(opening("short2", "SHORT"))).status).toBe("ACCEPTED");
    expect(nettingRule(await v.adapter.submit(opening("long2", "LONG")))).toEqual(["LOCAL_RULE", true]);
    expect(v.placed()).toBe(1);
  });

  test("opposite opening orders submitted together (placement still running): exactly one goes out", async () => {
    const v = await rig("oneway");
    const [a, b] = await Promise.all([
      v.adapter.submit(opening("long3", "LONG")),
      v.adapter.submit(opening("short3", "SHORT")),
    ]);
    expect([a.status, b.status].sort()).toEqual(["ACCEPTED", "REJECTED"]);
    expect(nettingRule(a.status === "REJECTED" ? a : b)).toEqual(["LOCAL_RULE", true]);
    expect(v.placed()).toBe(1);
  });

  test("not held back: a same-side entry, a reduce-only order, another asset, and the other side once the order ended", async () => {
    const v = await rig("oneway");
    expect((await v.adapter.submit(opening("long4", "LONG"))).status).toBe("ACCEPTED");
    expect((await v.adapter.submit(opening("long5", "LONG"))).status).toBe("ACCEPTED");
    const eth = opening("eth1", "SHORT", { asset: "ETH-USDT", price: 3_500 });
    expect((await v.adapter.submit(eth)).status).toBe("ACCEPTED");
    // A reduce-only SELL is no opening order: not refused here (the venue judges it: no long is held).
    const reduce = await v.adapter.submit(opening("red1", "SHORT", { reduce_only: true }));
    expect(reduce.status === "REJECTED" && reduce.event.venue_code).not.toBe("LOCAL_RULE");
    // The cancel answer carries the CANCELED state: both orders end as working orders at once.
    for (const cid of ["long4", "long5"]) expect((await v.adapter.cancel("BTC-USDT", cid)).status).toBe("REQUESTED");
    expect((await v.adapter.submit(opening("short4", "SHORT"))).status).toBe("ACCEPTED");
  });

  test("hedge mode: opposite opening orders on one asset both go out", async () => {
    const v = await rig("hedge");
    expect((await v.adapter.submit(opening("long6", "LONG"))).status).toBe("ACCEPTED");
    expect((await v.adapter.submit(opening("short6", "SHORT"))).status).toBe("ACCEPTED");
    expect(v.placed()).toBe(2);
  });

  test("after a restart, an opening LONG the new process adopted by its lookup holds back an opening SHORT", async () => {
    const v = await rig("oneway");
    expect((await v.adapter.submit(opening("long1", "LONG"))).status).toBe("ACCEPTED");
    await v.adapter.close(); // the process dies; its resting LONG stays at the venue
    const config = { apiKey: SIM_API_KEY, secret: SIM_SECRET, baseUrl: v.sim.url, wsUrl: v.sim.wsUrl };
    const next = new BingxVenueAdapter({ ...config, recvWindowMs: 5000, timeoutMs: 2000, clock: new SystemClock() });
    stops.unshift(() => next.close());
    await next.connect();
    expect((await next.queryOrder("BTC-USDT", "long1"))?.status).toBe("NEW"); // recovery's lookup adopts it
    const short = await next.submit(opening("short1", "SHORT", { type: "MARKET", price: undefined }));
    expect(nettingRule(short)).toEqual(["LOCAL_RULE", true]);
    expect(v.sim.state().positions).toEqual([]);
  });
});
