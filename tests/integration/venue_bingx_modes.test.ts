/**
 * The BingX adapter in both position modes, on bingx-sim: it reads the account's mode at connect
 * and works in it. A whole trade (entry, partial exit, close) runs through the real kernel,
 * executor and adapter in each mode and each direction, and after every step the kernel's slot
 * equals the sim's position (the auditor finds nothing). In one-way mode orders go with
 * positionSide BOTH, exits reduce-only, leverage side BOTH; the adapter never switches the mode,
 * and an account whose mode it cannot read fails `connect()` with one line.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { audit, type Harness, startHarness } from "../../src/chaos/index.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { order, record, until } from "./venue_contract.ts";

const open: Harness[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.stop();
  for (const stop of stops.splice(0)) await stop();
});

/** Settles and expects the auditor to find the kernel equal to the sim. */
async function clean(h: Harness): Promise<void> {
  expect(await h.settle()).toBe(true);
  await h.resolveHung();
  expect(await h.settle()).toBe(true);
  const truth = await h.truth();
  const found = audit({
    slots: h.kernel.slots(),
    account: h.kernel.account(),
    truth,
    seededCapital: h.seededCapital,
    settlements: h.settlements,
    diagnostics: h.diagnostics,
  });
  expect(found).toEqual([]);
}

/** The sim's position of the slot's side equals the kernel slot's size and entry price. */
function expectSlotEqualsSim(h: Harness, side: "LONG" | "SHORT"): void {
  const slot = h.kernel.slot(0);
  const pos = h.sim!.state().positions.find((p) => p.symbol === "BTC-USDT" && p.positionSide === side);
  expect(pos?.positionAmt ?? 0).toBeCloseTo(slot.size, 10);
  if (slot.size > 0) expect(pos?.avgPrice).toBeCloseTo(slot.entry_price, 6);
}

const enter = (side: "LONG" | "SHORT", size: number) => ({
  type: "ENTER",
  slot_id: 0,
  trade_id: "T1",
  asset: "BTC-USDT",
  side,
  size,
  price: null,
  leverage: 5,
});
const exit = (size: number) => ({ type: "EXIT", slot_id: 0, size, price: null, reason: "TP" });

describe("BingX adapter position modes on bingx-sim", () => {
  for (const positionMode of ["hedge", "oneway"] as const) {
    for (const side of ["LONG", "SHORT"] as const) {
      test(`${positionMode} mode, ${side}: entry, partial exit, close keep the kernel's slot equal to the sim's position`, async () => {
        const h = await startHarness({
          seed: 8,
          clock: new SystemClock(),
          prices: { "BTC-USDT": 65_000 },
          positionMode,
        });
        open.push(h);
        expect(h.adapter.positionMode()).toBe(positionMode);
        expect(h.submit(enter(side, 0.03)).accepted).toBe(true);
        await clean(h);
        expect(h.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.03, side });
        expectSlotEqualsSim(h, side);
        expect((await h.adapter.positions("BTC-USDT")).map((p) => [p.side, p.size])).toEqual([[side, 0.03]]);
        h.sim!.setPrice("BTC-USDT", side === "LONG" ? 66_000 : 64_000);
        expect(h.submit(exit(0.01)).accepted).toBe(true);
        await clean(h);
        expect(h.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.02, leg: 1 });
        expectSlotEqualsSim(h, side);
        expect(h.submit(exit(0.02)).accepted).toBe(true);
        await clean(h);
        expect(h.kernel.slot(0)).toMatchObject({ stage: "CLOSED", size: 0, is_open: false });
        expect(h.sim!.state().positions).toEqual([]);
        expect(h.sim!.state().balance.wallet).toBeCloseTo(h.kernel.account().capital, 6);
        const orders = h.sim!.state().orders;
        expect(orders.map((o) => o.positionSide)).toEqual(Array(3).fill(positionMode === "hedge" ? side : "BOTH"));
        expect(orders.map((o) => o.closing)).toEqual([false, true, true]);
        expect(h.sim!.state().position_mode).toBe(positionMode);
      }, 30_000);
    }
  }
});

interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
}

async function directRig(positionMode: "hedge" | "oneway", answerMode?: string, modeRateLimits = 0) {
  const sim: SimHandle = await startBingxSim({
    port: 0,
    apiKey: "modeKey0001",
    secret: "modeSecret0001",
    seed: 9,
    positionMode,
  });
  const sent: Sent[] = [];
  const fetchVia = async (url: string, init: RequestInit) => {
    const u = new URL(url);
    sent.push({ method: init.method ?? "GET", path: u.pathname, query: u.searchParams });
    if (modeRateLimits > 0 && u.pathname.endsWith("/positionSide/dual")) {
      modeRateLimits--;
      const headers = {
        "X-RateLimit-Requests-Remain": "0",
        "X-RateLimit-Requests-Expire": String(new SystemClock().nowMs() + 60),
      };
      return new Response('{"code":100410,"msg":"rate limited","data":{}}', { status: 429, headers });
    }
    if (answerMode !== undefined && u.pathname.endsWith("/positionSide/dual"))
      return new Response(`{"code":0,"msg":"","data":{"dualSidePosition":${answerMode}}}`);
    return fetch(url, init);
  };
  const config = {
    apiKey: "modeKey0001",
    secret: "modeSecret0001",
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    recvWindowMs: 5000,
    clock: new SystemClock(),
    timeoutMs: 1500,
  };
  const adapter = new BingxVenueAdapter(config, { fetch: fetchVia });
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  return { sim, adapter, sent };
}

test("one-way mode: entries go as BOTH, exits as BOTH reduce-only, leverage as BOTH, and the adapter never switches the mode", async () => {
  const { sim, adapter, sent } = await directRig("oneway");
  await adapter.connect();
  const r = record(adapter);
  await adapter.setLeverage("BTC-USDT", "SHORT", 4);
  const entry = order("BTC-USDT", { side: "SELL", position_side: "SHORT", size: 0.02 });
  expect((await adapter.submit(entry)).status).toBe("ACCEPTED");
  const close = order("BTC-USDT", { side: "BUY", position_side: "SHORT", size: 0.02, reduce_only: true });
  expect((await adapter.submit(close)).status).toBe("ACCEPTED");
  await until(() => r.of(close.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "close fill");
  const places = sent.filter((s) => s.method === "POST" && s.path.endsWith("/trade/order"));
  expect(places.map((s) => [s.query.get("positionSide"), s.query.get("reduceOnly")])).toEqual([
    ["BOTH", "false"],
    ["BOTH", "true"],
  ]);
  const lev = sent.find((s) => s.path.endsWith("/trade/leverage"));
  expect(lev?.query.get("side")).toBe("BOTH");
  expect(sent.some((s) => s.method !== "GET" && s.path.endsWith("/positionSide/dual"))).toBe(false);
  const state = await adapter.queryOrder("BTC-USDT", close.client_order_id);
  expect(state).toMatchObject({ position_side: "SHORT", side: "BUY", status: "FILLED" });
  expect(sim.state().positions).toEqual([]);
});

test("an account whose position mode the adapter cannot read fails connect() with one clear line", async () => {
  const { adapter } = await directRig("hedge", '"PORTFOLIO"');
  const err = await adapter.connect().then(
    () => "connected",
    (e: Error) => e.message,
  );
  expect(err).toContain("position mode unreadable");
  expect(err).toContain("PORTFOLIO");
  expect(err.split("\n")).toHaveLength(1);
  expect(adapter.connected()).toBe(false);
});

test("a rate-limited position-mode read at connect is waited out and connect succeeds", async () => {
  const { adapter, sent } = await directRig("oneway", undefined, 2);
  await adapter.connect();
  expect(adapter.positionMode()).toBe("oneway");
  expect(sent.filter((s) => s.path.endsWith("/positionSide/dual"))).toHaveLength(3);
});

test("one-way mode: an opening order while the account holds the other side is refused locally (it would net) and sends nothing", async () => {
  const { sim, adapter, sent } = await directRig("oneway");
  await adapter.connect();
  const r = record(adapter);
  const long = order("BTC-USDT", { size: 0.02 });
  expect((await adapter.submit(long)).status).toBe("ACCEPTED");
  await until(() => r.of(long.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "long fill");
  const placed = sent.filter((s) => s.method === "POST" && s.path.endsWith("/trade/order")).length;
  const short = order("BTC-USDT", { side: "SELL", position_side: "SHORT", size: 0.01 });
  const res = await adapter.submit(short);
  expect(res.status).toBe("REJECTED");
  if (res.status === "REJECTED") expect(res.event.venue_message).toContain("would net against it");
  expect(r.diagnostics.some((d) => d.code === "LOCAL_RULE" && d.details?.rule === "ONE_WAY_NETTING")).toBe(true);
  expect(sent.filter((s) => s.method === "POST" && s.path.endsWith("/trade/order"))).toHaveLength(placed);
  expect(sim.state().positions).toMatchObject([{ positionSide: "LONG", positionAmt: 0.02 }]);
});
