/**
 * BingxVenueAdapter against bingx-sim on loopback: the shared venue contract, then the failure
 * modes the adapter exists for: a placement whose answer is lost (resolved by query, never placed
 * twice), 5xx, a stream that drops mid-fill (REST catch-up: no fill lost or doubled), every
 * endpoint answering through the real signer, malformed stream frames (diagnostics, no events, no
 * crash), a pushed leverage (ACCOUNT_CONFIG_UPDATE: to `onLeverage`, a malformed one a diagnostic only)
 * and secrets that never appear in anything the adapter emits or throws.
 *
 * The sim reports the stream commission `n` per trade, as the adapter reads BingX's by default.
 */

import { afterEach, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import type { VenueLeverage } from "../../src/contracts/venue.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { startBingxSim } from "../../src/sim/index.ts";
import { type BingxAdapterOptions, BingxVenueAdapter } from "../../src/venue/index.ts";
import { order, record, until, venueContract } from "./venue_contract.ts";

const API_KEY = "simKeyAAAAbbbbCCCCdddd0123456789";
const SECRET = "simSecretZZZZyyyyXXXXwwww9876543210qq";
const PRICE = 65_000;
type Sim = Awaited<ReturnType<typeof startBingxSim>>;

async function setup(seed = 11, opts: BingxAdapterOptions = {}, wsUrl?: string, secret = SECRET) {
  const sim = await startBingxSim({
    port: 0,
    apiKey: API_KEY,
    secret: SECRET,
    seed,
    prices: { "BTC-USDT": PRICE },
    balance: 10_000,
  });
  const adapter = new BingxVenueAdapter(
    {
      apiKey: API_KEY,
      secret,
      baseUrl: sim.url,
      wsUrl: wsUrl ?? sim.wsUrl,
      recvWindowMs: 5000,
      clock: new SystemClock(),
      timeoutMs: 1500,
    },
    {
      resolveDelaysMs: [0, 50, 150],
      stream: { backoffBaseMs: 20, backoffMaxMs: 200, openTimeoutMs: 2000 },
      ...opts,
    },
  );
  return { sim, adapter };
}

venueContract("BingxVenueAdapter on bingx-sim", async () => {
  const { sim, adapter } = await setup();
  return {
    adapter,
    asset: "BTC-USDT",
    // The sim's book: best ask one tick (0.1) above the mark, best bid one tick below.
    price: PRICE + 0.1,
    sellPrice: PRICE - 0.1,
    feeRate: 0.0005,
    setPrice: (p) => sim.setPrice("BTC-USDT", p),
    partialLegs: (n) => {
      sim.faults.partial_fill_legs = n;
    },
    cancelReject: (on) => {
      sim.faults.cancel_reject = on;
    },
    venueReject: () => 100,
    rateLimit: (hint) => {
      sim.faults.rate_limit = { count: 1, retry_hint: hint };
    },
    duplicates: (on) => {
      sim.faults.duplicate_events = on;
    },
    reorder: (on) => {
      sim.faults.reorder_events = on;
    },
    reset: () => undefined,
    stop: () => sim.stop(),
  };
});

const open: { sim: Sim; adapter: BingxVenueAdapter }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.adapter.close();
    await o.sim.stop();
  }
});

async function connected(seed?: number, opts?: BingxAdapterOptions, wsUrl?: string) {
  const s = await setup(seed, opts, wsUrl);
  open.push(s);
  await s.adapter.connect();
  return s;
}

test("an order whose acceptance response is lost is found by client id and never placed twice", async () => {
  for (let i = 0; i < 4; i++) {
    const { sim, adapter } = await connected(100 + i);
    const r = record(adapter);
    sim.faults.drop_responses = 1;
    const o = order("BTC-USDT");
    const res = await adapter.submit(o);
    expect(res.status).toBe("ACCEPTED");
    await until(() => r.of(o.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "fill");
    expect(sim.state().counters.placed_by_client_id[o.client_order_id.toLowerCase()]).toBe(1);
    expect(sim.state().orders.length).toBe(1);
  }
});

test("a placement that times out and executes late is settled by query and the retry never doubles it", async () => {
  const { sim, adapter } = await connected();
  sim.faults.latency_ms = 2000;
  const o = order("BTC-USDT");
  const pending = adapter.submit(o);
  await new Promise((res) => setTimeout(res, 100));
  sim.faults.latency_ms = 0;
  const res = await pending;
  expect(res.status).toBe("ACCEPTED");
  await new Promise((res) => setTimeout(res, 2200));
  expect(sim.state().counters.placed_by_client_id[o.client_order_id.toLowerCase()]).toBe(1);
  expect(sim.state().orders.length).toBe(1);
});

test("rehearsing orders takes no rate token and places nothing; the real order after them is placed once", async () => {
  const { sim, adapter } = await connected();
  const tokens = adapter.rateStats().requests;
  for (let i = 0; i < 300; i++) adapter.rehearseOrder(); // before any order: a minimum order of a listed contract
  const o = order("BTC-USDT");
  expect((await adapter.submit(o)).status).toBe("ACCEPTED");
  const afterOrder = adapter.rateStats().requests;
  for (let i = 0; i < 300; i++) adapter.rehearseOrder(); // the last order, again
  expect(adapter.rateStats().requests).toBe(afterOrder);
  expect(afterOrder - tokens).toBe(1);
  expect(sim.state().orders.map((x) => x.clientOrderId.toLowerCase())).toEqual([o.client_order_id.toLowerCase()]);
});

test("a resting LIMIT order is rehearsed with its price, and rehearsing it never throws or sends", async () => {
  const { sim, adapter } = await connected();
  const limit = { ...order("BTC-USDT"), type: "LIMIT" as const, price: PRICE * 0.97 };
  expect((await adapter.submit(limit)).status).toBe("ACCEPTED");
  const tokens = adapter.rateStats().requests;
  for (let i = 0; i < 100; i++) adapter.rehearseOrder();
  expect(adapter.rateStats().requests).toBe(tokens);
  expect(sim.state().orders).toHaveLength(1);
});

test("a 5xx before the venue executed anything is settled by query, then placed exactly once", async () => {
  const { sim, adapter } = await connected();
  sim.faults.http_5xx = 1;
  const o = order("BTC-USDT");
  expect((await adapter.submit(o)).status).toBe("ACCEPTED");
  expect(sim.state().counters.placed_by_client_id[o.client_order_id.toLowerCase()]).toBe(1);
});

test("a stream that drops mid-fill loses no fill and doubles none (REST catch-up after reconnect)", async () => {
  const { sim, adapter } = await connected();
  const r = record(adapter);
  sim.faults.partial_fill_legs = 3;
  sim.faults.stream_disconnect = 2;
  const o = order("BTC-USDT", { size: 0.03 });
  expect((await adapter.submit(o)).status).toBe("ACCEPTED");
  await until(() => r.of(o.client_order_id).some((e) => e.kind === "FULL_FILL"), 5000, "FULL_FILL after reconnect");
  await until(() => adapter.connected(), 3000, "reconnected");
  const fills = r.of(o.client_order_id).filter((e) => e.kind === "PARTIAL_FILL" || e.kind === "FULL_FILL");
  expect(fills.filter((e) => e.kind === "FULL_FILL").length).toBe(1);
  expect(new Set(fills.map((e) => e.event_id)).size).toBe(fills.length);
  expect(Math.abs(fills.reduce((s, e) => s + e.last_fill_size, 0) - 0.03)).toBeLessThan(1e-9);
  expect(r.diagnostics.some((d) => d.code === "STREAM_RECONNECT")).toBe(true);
});

test("every read endpoint answers through the signer: contracts, mark price, leverage, balance, positions, open orders", async () => {
  const { adapter } = await connected();
  const rules = await adapter.contractRules("BTC-USDT");
  expect(rules.quantity_step).toBe(0.0001);
  await adapter.setLeverage("BTC-USDT", "LONG", 5);
  const b = await adapter.balance();
  expect(b.balance).toBe(10_000);
  expect(await adapter.positions()).toEqual([]);
  expect(await adapter.openOrders("BTC-USDT")).toEqual([]);
  expect(adapter.connected()).toBe(true);
});

function fakeStream(frames: (string | Uint8Array)[]) {
  const got: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("no", { status: 400 })),
    websocket: {
      open: (ws) => {
        for (const f of frames) ws.send(f);
      },
      message: (_ws, m) => void got.push(String(m)),
    },
  });
  return { url: `ws://127.0.0.1:${server.port}/swap-market`, got, stop: () => server.stop(true) };
}

const gz = (s: string) => gzipSync(Buffer.from(s));
const update = (o: Record<string, unknown>) => `{"e":"ORDER_TRADE_UPDATE","E":1700000000000,"o":${JSON.stringify(o)}}`;
const good = {
  s: "BTC-USDT",
  c: "abc",
  // biome-ignore lint/correctness/noPrecisionLoss: the JSON number is rewritten below to a BingX id beyond 2^53
  i: 1234567890123456789,
  X: "NEW",
  x: "NEW",
  z: "0",
  ap: "0",
  l: "0",
  L: "0",
  n: "0",
};

test("malformed stream frames become MALFORMED_PAYLOAD diagnostics, never events, and the stream keeps working", async () => {
  const goodText = update(good).replace('"i":1234567890123456800', '"i":1234567890123456789');
  const fake = fakeStream([
    new Uint8Array([1, 2, 3, 4]),
    gz("not json at all"),
    gz(update({ ...good, z: "abc" })),
    gz(update({ ...good, i: undefined })),
    gz(update({ ...good, z: "1e400" })),
    gz('{"e":"ORDER_TRADE_UPDATE","E":1,"o":7}'),
    gz("Ping"),
    gz(goodText.replace("1234567890123456800", "1234567890123456789")),
  ]);
  try {
    const { adapter } = await connected(5, {}, fake.url);
    const r = record(adapter);
    await until(() => r.events.length === 1, 3000, "the one good event");
    await until(() => fake.got.includes("Pong"), 3000, "Pong");
    expect(r.diagnostics.filter((d) => d.code === "MALFORMED_PAYLOAD").length).toBe(6);
    expect(r.events[0]?.venue_order_id).toBe("1234567890123456789");
  } finally {
    fake.stop();
  }
});

test("a pushed ACCOUNT_CONFIG_UPDATE reaches onLeverage; a malformed one is only a MALFORMED_PAYLOAD, never a push", async () => {
  const config = (ac: Record<string, unknown>) =>
    gz(JSON.stringify({ e: "ACCOUNT_CONFIG_UPDATE", E: 1_700_000_000_000, ac }));
  const fake = fakeStream([
    config({ s: "BTC-USDT", l: 0, S: 5, mt: "cross" }),
    config({ s: "BTC-USDT", l: 5, S: 20, mt: "isolated" }),
    gz("Ping"),
  ]);
  try {
    const s = await setup(6, {}, fake.url);
    open.push(s);
    const r = record(s.adapter); // listening before the stream opens: the frames come at once
    const pushed: VenueLeverage[] = [];
    s.adapter.onLeverage((p) => pushed.push(p));
    await s.adapter.connect();
    await until(() => fake.got.includes("Pong"), 3000, "Pong");
    expect(pushed).toEqual([
      { asset: "BTC-USDT", long: 5, short: 20, margin_mode: "isolated", venue_time_ms: 1_700_000_000_000 },
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["MALFORMED_PAYLOAD", "ACCOUNT_CONFIG_UPDATE with missing or invalid fields: l"],
    ]);
    expect(r.events).toEqual([]);
  } finally {
    fake.stop();
  }
});

test("secrets never appear in events, diagnostics, thrown errors or console output", async () => {
  const logged: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn };
  for (const k of ["log", "error", "warn"] as const)
    console[k] = (...a: unknown[]) => void logged.push(a.map(String).join(" "));
  try {
    const { adapter } = await connected();
    const r = record(adapter);
    await adapter.submit(order("BTC-USDT"));
    await adapter.submit(order("BTC-USDT", { size: 100 }));
    await adapter.submit(order("BTC-USDT", { size: 0.00001 }));
    const wrong = await setup(3, {}, undefined, `${SECRET}-wrong`);
    open.push(wrong);
    const thrown = await wrong.adapter
      .connect()
      .then(() => wrong.adapter.balance())
      .then(
        () => "no error",
        (e: Error) => `${e.message} ${e.stack ?? ""}`,
      );
    expect(thrown).toContain("100001");
    await new Promise((res) => setTimeout(res, 50));
    const all = JSON.stringify([r.events, r.diagnostics, thrown, logged]);
    expect(all.includes(SECRET)).toBe(false);
    expect(all.includes(API_KEY)).toBe(false);
  } finally {
    Object.assign(console, saved);
  }
});
