/**
 * The venue a chaos run trades against, behind one interface so every case runs on each:
 *  - "sim":  bingx-sim on loopback with the real BingxVenueAdapter (HTTP, WebSocket, signing);
 *  - "mock": the in-process MockVenueAdapter (seeded, BingX-shaped), with the sim's contract rules
 *            for the chaos assets so a size means the same on both;
 *  - "live": the BingX demo account through the BingxVenueAdapter (no fault, no price move).
 * Fault knobs are written once, in bingx-sim's vocabulary (`ChaosKnobs`), and translated for the
 * mock: 5xx and dropped answers become UNKNOWN outcomes, a stream disconnect after n frames becomes
 * a stream that loses the rest of a batch after n events (no catch-up: the hung-order path finds
 * the truth), a rate-limit hint becomes the mock's 1 s `retry_after_ms`. The canary skews,
 * `pending_ms`, `reject_orders` and `ip_ban` exist on bingx-sim only; asking the mock or a live
 * venue for one is refused with one line.
 *
 * Entry points: `openVenue(kind, options)`, `openLiveVenue(config, clock)`, `ChaosVenue`.
 */

import type { Clock } from "../contracts/clock.ts";
import type { ContractRules, VenueAdapter } from "../contracts/venue.ts";
import { type SimFaults, type SimHandle, startBingxSim } from "../sim/index.ts";
import { BingxRestClient, endpoints } from "../venue/bingx/index.ts";
import { type BingxConfig, BingxVenueAdapter, type MockKnobs, MockVenueAdapter } from "../venue/index.ts";
import { patiently } from "./_patience.ts";
import { adapterTruth, mockTruth, simTruth, type VenueTruth } from "./truth.ts";

export type VenueKind = "mock" | "sim";
export type ChaosKnobs = SimFaults;

const SIM_KEY = "chaosKeyAAAAbbbbCCCCdddd01234567";
const SIM_SECRET = "chaosSecretZZZZyyyyXXXXwwww98765432";

/** The sim's rules for the chaos assets, given to the mock so sizes mean the same on both venues. */
export const CHAOS_RULES: Readonly<Record<string, ContractRules>> = {
  "BTC-USDT": {
    asset: "BTC-USDT",
    quantity_step: 0.0001,
    price_step: 0.1,
    min_quantity: 0.0001,
    min_notional: 2,
    max_leverage: 125,
  },
  "ETH-USDT": {
    asset: "ETH-USDT",
    quantity_step: 0.01,
    price_step: 0.01,
    min_quantity: 0.01,
    min_notional: 2,
    max_leverage: 100,
  },
};

export interface VenueOptions {
  seed: number;
  clock: Clock;
  prices: Record<string, number>;
  balance: number;
  /** bingx-sim's position mode at start (hedge by default); the mock is hedge only. */
  positionMode?: "hedge" | "oneway";
}

export interface ChaosVenue {
  readonly kind: VenueKind | "live";
  readonly sim: SimHandle | null;
  readonly mock: MockVenueAdapter | null;
  /** Sets the venue's faults to exactly these knobs (all off = `noKnobs()`). */
  setFaults(k: ChaosKnobs): void;
  /** Moves the venue's price of an asset (crossing resting limits); refused on a live venue. */
  setPrice(asset: string, price: number): void;
  price(asset: string): Promise<number>;
  /** A connected adapter: a new one per call on sim and live (a restarted process), the same mock. */
  connect(): Promise<VenueAdapter>;
  truth(adapter: VenueAdapter, asked: readonly { asset: string; client_order_id: string }[]): Promise<VenueTruth>;
  stop(): Promise<void>;
}

/** The sim's per-endpoint limits in chaos runs: raised so faults, not BingX's budget, drive the run. */
const SIM_RAISED_LIMITS = { place_order: 1000, cancel_order: 1000, query_order: 1000, open_orders: 1000, market: 1000 };

/** Against the raised sim the adapter's throttle is raised alike; live, it keeps BingX's limits. */
export function bingxAdapter(config: BingxConfig, raised = false): BingxVenueAdapter {
  return new BingxVenueAdapter(config, {
    ...(raised ? { throttle: { limitsPerS: SIM_RAISED_LIMITS } } : {}),
    resolveDelaysMs: [0, 50, 150],
    stream: { backoffBaseMs: 20, backoffMaxMs: 200, openTimeoutMs: 2_000 },
  });
}

export async function openVenue(kind: VenueKind, o: VenueOptions): Promise<ChaosVenue> {
  return kind === "sim" ? openSimVenue(o) : openMockVenue(o);
}

async function openSimVenue(o: VenueOptions): Promise<ChaosVenue> {
  const sim = await startBingxSim({
    port: 0,
    apiKey: SIM_KEY,
    secret: SIM_SECRET,
    seed: o.seed,
    clock: o.clock,
    balance: o.balance,
    positionMode: o.positionMode ?? "hedge",
    prices: o.prices,
    rateLimitsPerS: SIM_RAISED_LIMITS,
    ipLimits: false, // the raised per-UID limits run far past BingX's per-IP groups on purpose
  });
  const config: BingxConfig = {
    apiKey: SIM_KEY,
    secret: SIM_SECRET,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    recvWindowMs: 5000,
    clock: o.clock,
    timeoutMs: 1_000,
  };
  return {
    kind: "sim",
    sim,
    mock: null,
    setFaults: (k) =>
      Object.assign(sim.faults, {
        ...k,
        rate_limit: { ...k.rate_limit },
        ...(k.ip_ban ? { ip_ban: { ...k.ip_ban } } : {}),
      }),
    setPrice: (asset, price) => sim.setPrice(asset, price),
    price: async (asset) => sim.state().prices[asset] ?? unknownAsset(asset),
    connect: async () => {
      const adapter = bingxAdapter(config, true);
      await adapter.connect();
      return adapter;
    },
    truth: async () => simTruth(sim),
    stop: () => sim.stop(),
  };
}

async function openMockVenue(o: VenueOptions): Promise<ChaosVenue> {
  const mock = new MockVenueAdapter({
    seed: o.seed,
    clock: o.clock,
    prices: o.prices,
    balance: o.balance,
    rules: { ...CHAOS_RULES },
  });
  const prices = new Map(Object.entries(o.prices));
  return {
    kind: "mock",
    sim: null,
    mock,
    setFaults: (k) => {
      mock.clearKnobs();
      mock.setKnobs(mockKnobs(k));
    },
    setPrice: (asset, price) => {
      mock.setPrice(asset, price);
      prices.set(asset, price);
    },
    price: async (asset) => prices.get(asset) ?? unknownAsset(asset),
    connect: async () => {
      await mock.connect();
      return mock;
    },
    truth: () => mockTruth(mock),
    stop: () => mock.close(),
  };
}

/** The BingX demo account (or any BingX-protocol host the config names): no faults, no price moves. */
export function openLiveVenue(config: BingxConfig): ChaosVenue {
  const rest = new BingxRestClient(config);
  const refuse = (what: string) => {
    throw new Error(`Condition failed: ${what} is not possible on a live venue`);
  };
  return {
    kind: "live",
    sim: null,
    mock: null,
    setFaults: () => refuse("injecting a fault"),
    setPrice: () => refuse("moving the price"),
    price: async (asset) => {
      const data = (await patiently(() => rest.request(endpoints.premiumIndex(asset)))) as {
        markPrice?: unknown;
      } | null;
      const price = Number(data?.markPrice);
      return Number.isFinite(price) && price > 0 ? price : unknownAsset(asset);
    },
    connect: async () => {
      const adapter = bingxAdapter(config);
      await adapter.connect();
      return adapter;
    },
    truth: (adapter, asked) => adapterTruth(adapter, asked),
    stop: async () => {},
  };
}

function unknownAsset(asset: string): never {
  throw new Error(`Condition failed: the venue has no price for ${asset}`);
}

/** bingx-sim's knobs in the mock's terms; the canary skews have no mock equivalent. */
export function mockKnobs(k: ChaosKnobs): MockKnobs {
  if (k.fill_price_skew !== 0 || k.fill_qty_skew !== 0)
    throw new Error("Condition failed: fill_price_skew and fill_qty_skew exist on bingx-sim only");
  if ((k.pending_ms ?? 0) !== 0 || (k.reject_orders ?? 0) !== 0 || (k.ip_ban?.count ?? 0) !== 0)
    throw new Error("Condition failed: pending_ms, reject_orders and ip_ban exist on bingx-sim only");
  const m: MockKnobs = {};
  if (k.latency_ms > 0) m.latency_ms = k.latency_ms;
  if (k.http_5xx > 0) m.http_5xx = { count: k.http_5xx };
  if (k.drop_responses > 0) m.drop_responses = { count: k.drop_responses };
  if (k.rate_limit.count > 0)
    m.rate_limit = { count: k.rate_limit.count, ...(k.rate_limit.retry_hint ? { retry_after_ms: 1_000 } : {}) };
  if (k.duplicate_events) m.duplicate_delivery = true;
  if (k.reorder_events) m.reordered_delivery = true;
  if (k.stream_disconnect > 0) m.stream_drop = { after: k.stream_disconnect };
  if (k.partial_fill_legs > 1) m.partial_fill_legs = k.partial_fill_legs;
  if (k.cancel_reject) m.cancel_reject = true;
  return m;
}
