/**
 * The BingX adapter's contract rules after start (src/venue/bingx/_contracts_refresh.ts). They
 * were read once at connect and never again, and the contract's `status` was ignored: a delisted
 * or suspended symbol stayed tradable in the adapter's eyes (its orders went out, for the venue to
 * refuse), and a quantity step the venue coarsened while serve ran let BingX truncate quantities
 * silently (the order traded less than the kernel asked). Now a contract not trading is refused
 * locally (NOT_TRADING, naming the symbol and its status; nothing sent), and the list is read again
 * in the background on a bounded interval: a changed step/tick/minimum is logged once and checked
 * from then on; a failed read keeps the last rules and says so once.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { OrderRequest, VenueDiagnostic, VenueEvent } from "../../src/contracts/venue.ts";
import { startBingxSim } from "../../src/sim/index.ts";
import { parseContracts } from "../../src/venue/bingx/_parse.ts";
import type { StreamTimers } from "../../src/venue/bingx/user_stream.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { SIM_API_KEY as API_KEY, QUICK_STREAM, realTimeSim, SIM_SECRET as SECRET } from "../_support/bingx_sim.ts";

const REFRESH_MS = 123_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

type Held = { fn: () => void; cleared: boolean };

/** Real timers, except the refresh's (`ms`): held, fired by the test; `armed()` waits for the next one. */
function heldRefreshTimers(ms: number) {
  const held: Held[] = [];
  let waiter: (() => void) | null = null;
  const timers: StreamTimers = {
    setTimeout: (fn, d) => {
      if (d !== ms) return setTimeout(fn, d);
      const h: Held = { fn, cleared: false };
      held.push(h);
      waiter?.();
      waiter = null;
      return h;
    },
    clearTimeout: (h) => {
      if (held.includes(h as Held)) (h as Held).cleared = true;
      else clearTimeout(h as ReturnType<typeof setTimeout>);
    },
    setInterval: (fn, d) => setInterval(fn, d),
    clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  };
  return {
    timers,
    held,
    /** Runs the held refresh timers not cleared; answers how many ran. */
    fire(): number {
      const due = held.splice(0).filter((h) => !h.cleared);
      for (const h of due) h.fn();
      return due.length;
    },
    /** Resolves when the next refresh timer is armed (the refresh before it has finished). */
    armed(): Promise<void> {
      return new Promise((resolve) => {
        waiter = resolve;
      });
    },
  };
}

async function start(opts: { timerMs?: number; fetch?: typeof fetch } = {}) {
  const { sim, config } = await realTimeSim(5, { "BTC-USDT": 60_000, "SOL-USDT": 150 });
  const t = heldRefreshTimers(opts.timerMs ?? REFRESH_MS);
  const adapter = new BingxVenueAdapter(
    // The default interval unless the test holds another.
    { ...config, ...(opts.timerMs === undefined ? { contractsRefreshMs: REFRESH_MS } : {}) },
    {
      timers: t.timers,
      resolveDelaysMs: [0],
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      stream: QUICK_STREAM,
    },
  );
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  const diags: VenueDiagnostic[] = [];
  const events: VenueEvent[] = [];
  adapter.onDiagnostic((d) => diags.push(d));
  adapter.onEvent((e) => events.push(e));
  return { sim, adapter, diags, events, ...t };
}

const order = (cid: string, asset: string, size: number, price: number, extra: Partial<OrderRequest> = {}) =>
  ({
    client_order_id: cid,
    asset,
    side: "BUY",
    position_side: "LONG",
    type: "LIMIT",
    price,
    size,
    reduce_only: false,
    ...extra,
  }) as OrderRequest;

const rulesOf = (d: VenueDiagnostic) => (d.details as { rule?: string } | undefined)?.rule;

/** Fires the held refresh and waits until it has run (the next one is armed). */
async function refresh(v: Awaited<ReturnType<typeof start>>): Promise<void> {
  const next = v.armed();
  expect(v.fire()).toBe(1);
  await next;
}

describe("a contract the venue does not trade", () => {
  test("at connect: refused locally naming the symbol and its status, nothing sent, no venue call", async () => {
    const v = await start();
    v.sim.setContract("SOL-USDT", { status: 0 });
    await v.adapter.connect();
    const before = v.sim.state().counters.requests;
    const r = await v.adapter.submit(order("sol1", "SOL-USDT", 1, 140));
    expect(r.status).toBe("REJECTED");
    const msg = r.status === "REJECTED" ? (r.event.venue_message ?? "") : "";
    expect(msg).toContain("SOL-USDT");
    expect(msg).toContain("status 0");
    expect(v.diags.filter(rulesOf).map(rulesOf)).toEqual(["NOT_TRADING"]);
    expect(v.sim.state().counters.requests).toBe(before);
    expect(v.sim.state().orders).toEqual([]);
    // Another contract trades as before.
    expect((await v.adapter.submit(order("btc1", "BTC-USDT", 0.01, 59_000))).status).toBe("ACCEPTED");
  }, 15_000);

  test("suspended after connect: refused once the background refresh has read it, and the change is logged", async () => {
    const v = await start();
    await v.adapter.connect();
    expect((await v.adapter.submit(order("sol1", "SOL-USDT", 1, 140))).status).toBe("ACCEPTED");
    v.sim.setContract("SOL-USDT", { status: 25 });
    await refresh(v);
    const r = await v.adapter.submit(order("sol2", "SOL-USDT", 1, 140));
    expect(r.status).toBe("REJECTED");
    expect(r.status === "REJECTED" ? r.event.venue_message : "").toContain("status 25");
    expect(v.sim.state().orders.map((o) => o.clientOrderId)).toEqual(["sol1"]);
    expect(v.diags.filter((d) => rulesOf(d) === "CONTRACT_CHANGED").map((d) => d.message)).toEqual([
      expect.stringContaining("SOL-USDT"),
    ]);
  }, 15_000);

  test("a close of the whole position is still sent: the venue judges it (no position trapped by a guess)", async () => {
    const v = await start();
    await v.adapter.connect();
    const open = order("sol1", "SOL-USDT", 1, 0, { type: "MARKET", price: undefined });
    expect((await v.adapter.submit(open)).status).toBe("ACCEPTED");
    v.sim.setContract("SOL-USDT", { status: 25 });
    await refresh(v);
    const close = order("sol2", "SOL-USDT", 1, 0, {
      type: "MARKET",
      price: undefined,
      side: "SELL",
      closes_position: true,
    });
    expect((await v.adapter.submit(close)).status).toBe("ACCEPTED");
    expect(v.sim.state().orders.map((o) => o.clientOrderId)).toEqual(["sol1", "sol2"]);
  }, 15_000);

  test("a contract gone from the venue's list is refused as no longer listed, with no venue call", async () => {
    let hideSol = false;
    const network = async (url: string, init: RequestInit): Promise<Response> => {
      const res = await fetch(url, init);
      if (!hideSol || !url.includes("/quote/contracts")) return res;
      const body = (await res.json()) as { data: Array<{ symbol: string }> };
      body.data = body.data.filter((c) => c.symbol !== "SOL-USDT");
      return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
    };
    const v = await start({ fetch: network as typeof fetch });
    await v.adapter.connect();
    hideSol = true;
    await refresh(v);
    const before = v.sim.state().counters.requests;
    const r = await v.adapter.submit(order("sol1", "SOL-USDT", 1, 140));
    expect(r.status === "REJECTED" ? r.event.venue_message : r.status).toContain(
      "SOL-USDT is not trading at the venue (no longer listed",
    );
    expect(v.sim.state().counters.requests).toBe(before);
  }, 15_000);
});

describe("the contract list read again in the background", () => {
  test("a quantity step coarsened while running refuses a size the venue would truncate; the change is logged once", async () => {
    const v = await start();
    await v.adapter.connect();
    v.sim.setContract("BTC-USDT", { quantityPrecision: 2 }); // step 0.0001 → 0.01
    await refresh(v);
    const r = await v.adapter.submit(order("btc1", "BTC-USDT", 0.0123, 59_000));
    expect(r.status === "REJECTED" ? r.event.venue_message : r.status).toContain("quantity step 0.01");
    expect(v.sim.state().orders).toEqual([]);
    await refresh(v); // the same list again: nothing new to say
    const changes = v.diags.filter((d) => rulesOf(d) === "CONTRACT_CHANGED");
    expect(changes.map((d) => d.message)).toEqual([expect.stringContaining("quantity step 0.0001 → 0.01")]);
    expect((await v.adapter.submit(order("btc2", "BTC-USDT", 0.02, 59_000))).status).toBe("ACCEPTED");
  }, 15_000);

  test("a failed refresh keeps the rules read before and says so once until a read succeeds", async () => {
    let failures = 0;
    const network = async (url: string, init: RequestInit): Promise<Response> => {
      if (failures > 0 && url.includes("/quote/contracts")) {
        failures--;
        return new Response('{"code":100500,"msg":"internal error","data":null}', { status: 500 });
      }
      return fetch(url, init);
    };
    const v = await start({ fetch: network as typeof fetch });
    await v.adapter.connect();
    failures = 2;
    await refresh(v);
    await refresh(v);
    const failed = () => v.diags.filter((d) => rulesOf(d) === "CONTRACTS_REFRESH");
    expect(failed().map((d) => d.message)).toEqual([expect.stringContaining("keeping the rules read before")]);
    expect(v.adapter.knownRules("BTC-USDT")?.quantity_step).toBe(0.0001);
    expect((await v.adapter.submit(order("btc1", "BTC-USDT", 0.0123, 59_000))).status).toBe("ACCEPTED");
    await refresh(v); // succeeds
    failures = 1;
    await refresh(v); // a new failure after a success is said again
    expect(failed()).toHaveLength(2);
  }, 15_000);

  test("by default every 10 minutes; close stops it; an interval out of bounds is refused when built", async () => {
    const v = await start({ timerMs: 600_000 });
    await v.adapter.connect();
    expect(v.held.filter((h) => !h.cleared)).toHaveLength(1);
    await v.adapter.close();
    expect(v.held.filter((h) => !h.cleared)).toHaveLength(0);
    for (const bad of [0, 999, 86_400_001, 1.5, Number.NaN]) {
      const sim = { url: "http://127.0.0.1:1", wsUrl: "ws://127.0.0.1:1/swap-market" };
      const clock = { nowMs: () => 0, monoNs: () => 0n };
      const cfg = { apiKey: API_KEY, secret: SECRET, baseUrl: sim.url, wsUrl: sim.wsUrl, recvWindowMs: 5000, clock };
      expect(() => new BingxVenueAdapter({ ...cfg, timeoutMs: 1000, contractsRefreshMs: bad })).toThrow(
        "contractsRefreshMs",
      );
    }
  }, 15_000);
});

describe("reading a contract's status, and the sim's knob", () => {
  test("status 1 (number or text) or none trades; any other status is held as not trading", () => {
    const base = { quantityPrecision: "4", pricePrecision: "1", tradeMinQuantity: "0.0001", tradeMinUSDT: "2" };
    const list = [
      { ...base, symbol: "A-USDT", status: "1" },
      { ...base, symbol: "B-USDT", status: 1 },
      { ...base, symbol: "C-USDT" },
      { ...base, symbol: "D-USDT", status: "0" },
      { ...base, symbol: "E-USDT", status: 25 },
      { ...base, symbol: "F-USDT", status: "HALTED" },
    ];
    const held = [...parseContracts(list).values()].map((r) => [r.asset, r.not_trading]);
    expect(held).toEqual([
      ["A-USDT", undefined],
      ["B-USDT", undefined],
      ["C-USDT", undefined],
      ["D-USDT", "contract status 0"],
      ["E-USDT", "contract status 25"],
      ["F-USDT", 'contract status "HALTED"'],
    ]);
  });

  test("the sim refuses a change to an unknown contract or a bad value, and changes nothing", async () => {
    const sim = await startBingxSim({
      port: 0,
      apiKey: API_KEY,
      secret: SECRET,
      seed: 1,
      prices: { "BTC-USDT": 60_000 },
    });
    stops.push(() => sim.stop());
    const listed = async () => {
      const body = (await (await fetch(`${sim.url}/openApi/swap/v2/quote/contracts`)).json()) as { data: unknown[] };
      return body.data[0];
    };
    const before = await listed();
    expect(() => sim.setContract("NOPE-USDT", { status: 0 })).toThrow("NOPE-USDT is not a listed contract");
    expect(() => sim.setContract("BTC-USDT", { status: 0, quantityPrecision: -1 })).toThrow("quantityPrecision");
    expect(() => sim.setContract("BTC-USDT", { tradeMinUSDT: Number.NaN })).toThrow("tradeMinUSDT");
    const sneaky = { maxLeverage: 3 } as unknown as Parameters<typeof sim.setContract>[1];
    expect(() => sim.setContract("BTC-USDT", sneaky)).toThrow("maxLeverage cannot be changed");
    expect(await listed()).toEqual(before);
    sim.setContract("BTC-USDT", { status: 0, quantityPrecision: 2 });
    expect(await listed()).toMatchObject({ status: 0, quantityPrecision: 2 });
  });
});
