/**
 * bingx-sim on loopback and the BingX adapter pointed at it, for unit tests: on a ManualClock
 * (`simOnClock`, `simAdapter`, `adapterOnSim`, `simWithFilledEntry`) or in real time (`realTimeSim`,
 * `realTimeAdapter`); `QUICK_STREAM`, the stream timings a test can wait out; networks that lose
 * answers (`placementLostLookupsFail`); the order endpoint in a test's hands (`simBehindOrderNetwork`).
 */

import { expect } from "bun:test";
import { createHmac } from "node:crypto";
import { type Clock, ManualClock } from "../../src/contracts/clock.ts";
import type { OrderRequest, VenueDiagnostic, VenueEvent } from "../../src/contracts/venue.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { type PositionMode, type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { marketBuy } from "./venue_data.ts";

/** What the adapter's requests go through instead of `fetch`. */
export type Network = (url: string, init: RequestInit) => Promise<Response>;

export const SIM_API_KEY = "simKeyAAAAbbbbCCCCdddd0123456789";
export const SIM_SECRET = "simSecretZZZZyyyyXXXXwwww9876543210qq";
/** The place/cancel/query order endpoint, as a request URL starts. */
export const ORDER_PATH = "/openApi/swap/v2/trade/order?";

/** Stream reconnects quick enough for a unit test: a 20 ms backoff growing to 200 ms, 2 s to open. */
export const QUICK_STREAM = { backoffBaseMs: 20, backoffMaxMs: 200, openTimeoutMs: 2000 };

/** The machine's clocks (wall ms, monotonic ns), for a sim that runs in real time. */
export const machineClock: Clock = { nowMs: () => Date.now(), monoNs: () => process.hrtime.bigint() };

/**
 * A sim in real time (seed `seed`, marks `prices`, a 10 000 balance), and the adapter's config for
 * it on `clock` (default the machine's): a 5 s receive window and request timeout.
 */
export async function realTimeSim(seed: number, prices: Record<string, number>, clock: Clock = machineClock) {
  const sim = await startBingxSim({ port: 0, apiKey: SIM_API_KEY, secret: SIM_SECRET, seed, prices, balance: 10_000 });
  const config = {
    apiKey: SIM_API_KEY,
    secret: SIM_SECRET,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    recvWindowMs: 5000,
    clock,
    timeoutMs: 5000,
  };
  return { sim, config };
}

/**
 * The BingX adapter on a sim in real time (`sim`: its seed, marks and position mode; a 10 000
 * balance), connected, on the machine's clock (5 s receive window, 2 s timeout), its requests through
 * `network` when given; its diagnostics and events collected from before it connects. `stops` gets
 * their teardown.
 */
export async function realTimeAdapter(
  stops: Array<() => Promise<void>>,
  sim: { seed: number; prices: Record<string, number>; positionMode?: PositionMode },
  network?: Network,
) {
  const keys = { apiKey: SIM_API_KEY, secret: SIM_SECRET };
  const handle = await startBingxSim({ port: 0, ...keys, ...sim });
  const config = { ...keys, baseUrl: handle.url, wsUrl: handle.wsUrl, recvWindowMs: 5000, timeoutMs: 2000 };
  const adapter = new BingxVenueAdapter(
    { ...config, clock: new SystemClock() },
    network === undefined ? undefined : { fetch: network },
  );
  stops.push(async () => {
    await adapter.close();
    await handle.stop();
  });
  const diagnostics: VenueDiagnostic[] = [];
  adapter.onDiagnostic((d) => diagnostics.push(d));
  const events: VenueEvent[] = [];
  adapter.onEvent((e) => events.push(e));
  await adapter.connect();
  return { sim: handle, adapter, diagnostics, events };
}

/** A sim (BTC-USDT at 65 000, a 10 000 balance) whose time is a ManualClock. */
export async function simOnClock<C extends ManualClock = ManualClock>(
  seed: number,
  clock: C = new ManualClock() as C,
): Promise<{ sim: SimHandle; clock: C }> {
  const sim = await startBingxSim({
    port: 0,
    apiKey: SIM_API_KEY,
    secret: SIM_SECRET,
    seed,
    prices: { "BTC-USDT": 65_000 },
    balance: 10_000,
    clock,
  });
  return { sim, clock };
}

/** The adapter for `sim` on `clock` (10 s receive window, 5 s timeout), with `options` as given. */
export function simAdapter(
  sim: SimHandle,
  clock: ManualClock,
  options: ConstructorParameters<typeof BingxVenueAdapter>[1],
): BingxVenueAdapter {
  const config = { apiKey: SIM_API_KEY, secret: SIM_SECRET, baseUrl: sim.url, wsUrl: sim.wsUrl, recvWindowMs: 10_000 };
  return new BingxVenueAdapter({ ...config, clock, timeoutMs: 5_000 }, options);
}

/**
 * The BingX adapter, connected, on a sim on a ManualClock, the order endpoint's requests going through
 * `orders` (every other request straight to the sim); a second passes before each order query (GET), so
 * every query keeps within the venue's and the client's budgets; resolution queries back to back. Its
 * venue events are collected; `stops` gets the teardown.
 */
export async function simBehindOrderNetwork(stops: Array<() => Promise<void>>, seed: number, orders: Network) {
  const { sim, clock } = await simOnClock(seed);
  const network: Network = (url, init) => {
    if (!url.includes(ORDER_PATH)) return fetch(url, init);
    if (init.method === "GET") clock.advance(1_000);
    return orders(url, init);
  };
  const adapter = simAdapter(sim, clock, { fetch: network, resolveDelaysMs: [0, 0, 0], stream: QUICK_STREAM });
  const events = await connectedOnSim(adapter, sim, stops);
  return { sim, clock, adapter, events };
}

/** Connects `adapter`, its teardown and the sim's in `stops`; the venue events it emits from then on. */
export async function connectedOnSim(
  adapter: BingxVenueAdapter,
  sim: SimHandle,
  stops: Array<() => Promise<void>>,
): Promise<VenueEvent[]> {
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  const events: VenueEvent[] = [];
  adapter.onEvent((e) => events.push(e));
  await adapter.connect();
  return events;
}

/** A resting LIMIT buy of 0.001 BTC-USDT at 60 000 (below the sim's 65 000): it works until cancelled. */
export const restingBuy = (cid: string): OrderRequest => ({
  client_order_id: cid,
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "LIMIT",
  price: 60_000,
  size: 0.001,
  reduce_only: false,
});

/**
 * A sim (seed `seed`) on which an earlier adapter, now closed, placed the MARKET BUY "T1-E" of 0.01
 * and it FILLED, ten minutes ago on the sim's clock (`createdAtVenue`: when). `stops` gets the teardown.
 */
export async function simWithFilledEntry(seed: number, stops: Array<() => Promise<void>>) {
  const { sim, clock } = await simOnClock(seed);
  stops.push(() => sim.stop());
  const earlier = simAdapter(sim, clock, { resolveDelaysMs: [0], stream: QUICK_STREAM });
  stops.unshift(() => earlier.close());
  await earlier.connect();
  const createdAtVenue = clock.nowMs();
  expect(await earlier.submit(marketBuy("T1-E"))).toMatchObject({ status: "ACCEPTED" });
  expect(sim.state().orders.map((o) => o.status)).toEqual(["FILLED"]);
  await earlier.close();
  clock.advance(600_000);
  return { sim, clock, createdAtVenue };
}

/** A network whose first placement never reaches the venue and whose first `failedLookups` order queries answer 502. */
export function placementLostLookupsFail(failedLookups: number): Network {
  let placements = 0;
  let lookups = 0;
  return async (url, init) => {
    if (url.includes(ORDER_PATH) && init.method === "POST" && ++placements === 1)
      throw new Error("connection reset by peer");
    if (url.includes(ORDER_PATH) && (init.method ?? "GET") === "GET" && ++lookups <= failedLookups)
      return new Response("bad gateway", { status: 502 });
    return fetch(url, init);
  };
}

/**
 * The adapter on a sim (seed `seed`) whose every request first moves the clock 1 s (within every
 * budget) and then goes through `network` (default: straight to the sim). `stops` gets its teardown.
 * Also the adapter's working-set size and a reconnect's catch-up run to its end.
 */
export async function adapterOnSim<C extends ManualClock = ManualClock>(
  seed: number,
  stops: Array<() => Promise<void>>,
  network: Network = (url, init) => fetch(url, init),
  clockOf: C = new ManualClock() as C,
) {
  const { sim, clock } = await simOnClock(seed, clockOf);
  const adapter = simAdapter(sim, clock, {
    fetch: (url, init) => {
      clock.advance(1_000);
      return network(url, init);
    },
    resolveDelaysMs: [0],
  });
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  const inner = adapter as unknown as {
    working: { all(): unknown[] };
    catchUps: { request(): void; running(): boolean };
  };
  const catchUp = async () => {
    inner.catchUps.request();
    while (inner.catchUps.running()) await Bun.sleep(1);
  };
  return { sim, clock, adapter, working: () => inner.working.all().length, catchUp };
}

/** A BingX envelope as bingx-sim answers it. */
export type SimAnswer = { code: number; msg: string; data: any };

/**
 * A signed request straight to bingx-sim's REST API (no adapter): each call first advances `clock` by
 * `stepMs` (a new timestamp), then sends `params` with it, signed with `secret`, as `apiKey`.
 */
export function signedSimCall(sim: SimHandle, clock: ManualClock, apiKey: string, secret: string, stepMs: number) {
  return async (method: string, path: string, params: Record<string, string>): Promise<SimAnswer> => {
    clock.advance(stepMs);
    const query = Object.entries({ ...params, timestamp: String(clock.nowMs()) })
      .map(([k, v]) => `${k}=${v}`)
      .join("&");
    const signature = createHmac("sha256", secret).update(query).digest("hex");
    const res = await fetch(`${sim.url}/openApi/swap${path}?${query}&signature=${signature}`, {
      method,
      headers: { "X-BX-APIKEY": apiKey },
    });
    return (await res.json()) as SimAnswer;
  };
}
