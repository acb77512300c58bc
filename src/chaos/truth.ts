/**
 * Exchange truth for the auditor: positions (with the venue's average price), every order the
 * venue holds (size, filled, average price), the fill history in booking order, the wallet, and
 * (where the venue can tell) how many orders were placed per client order id. Three sources with
 * one shape: `simTruth` reads bingx-sim's state directly (no HTTP, no rate limit), `mockTruth` the
 * mock venue's own books, `adapterTruth` asks a venue over REST (the live demo account: no fill
 * history, only the orders it is asked about, one read at a time, each waiting out a rate limit). Client order ids are lower-cased here because
 * BingX lower-cases them.
 *
 * Entry points: `VenueTruth`, `simTruth(sim)`, `mockTruth(mock)`, `adapterTruth(adapter, cids)`.
 */

import type { PositionSide, VenueAdapter, VenueOrderState } from "../contracts/venue.ts";
import type { SimHandle } from "../sim/index.ts";
import type { MockVenueAdapter } from "../venue/index.ts";
import { patiently } from "./_patience.ts";

/** At most this many orders are queried one by one for a live truth. */
const LIVE_QUERIES_MAX = 64;

export interface TruthPosition {
  asset: string;
  side: PositionSide;
  size: number;
  /** The venue's average entry price of the position; absent when unknown. */
  avg_price?: number;
}

export interface TruthOrder {
  /** Lower-cased, as the venue stores it. */
  client_order_id: string;
  asset: string;
  size: number;
  filled: number;
  /** Average fill price as the venue reports it (0 when nothing filled). */
  avg_price?: number;
  /** Still working at the venue (NEW or PARTIALLY_FILLED; at bingx-sim also PENDING). */
  open?: boolean;
}

/** One execution as the venue's fill history reports it. */
export interface TruthFill {
  client_order_id: string;
  asset: string;
  qty: number;
  price: number;
  fee: number;
}

export interface VenueTruth {
  positions: TruthPosition[];
  open_orders: TruthOrder[];
  /** Every order the venue knows (open or finished); absent when it cannot be read. */
  orders?: TruthOrder[];
  /** The fill history in booking order; absent when the venue's history is not read. */
  fills?: TruthFill[];
  /** Wallet balance (realized PnL and fees included); null when unknown. */
  wallet: number | null;
  /** Largest number of orders placed under one client order id; null when the venue cannot tell. */
  placements_max: number | null;
}

export function simTruth(sim: SimHandle): VenueTruth {
  const s = sim.state();
  const placed = Object.values(s.counters.placed_by_client_id);
  const orders = s.orders.map((o) => ({
    client_order_id: o.clientOrderId.toLowerCase(),
    asset: o.symbol,
    size: o.origQty,
    filled: o.executedQty,
    avg_price: o.avgPrice,
    // PENDING (the sim's `pending_ms` fault): placed and open, not yet on the book.
    open: o.status === "NEW" || o.status === "PARTIALLY_FILLED" || o.status === "PENDING",
  }));
  return {
    positions: s.positions.map((p) => ({
      asset: p.symbol,
      side: p.positionSide,
      size: p.positionAmt,
      avg_price: p.avgPrice,
    })),
    open_orders: orders.filter((o) => o.open),
    orders,
    fills: s.fills.map((f) => ({
      client_order_id: f.clientOrderId.toLowerCase(),
      asset: f.symbol,
      qty: f.qty,
      price: f.price,
      fee: f.commission,
    })),
    wallet: s.balance.wallet,
    placements_max: placed.length === 0 ? 0 : Math.max(...placed),
  };
}

function truthOrder(o: VenueOrderState): TruthOrder {
  return {
    client_order_id: o.client_order_id.toLowerCase(),
    asset: o.asset,
    size: o.size,
    filled: o.filled_size_cumulative,
    avg_price: o.avg_price,
    open: o.status === "NEW" || o.status === "PARTIALLY_FILLED",
  };
}

/** The mock venue's books: it keeps one order per client order id (a resubmit returns the same order). */
export async function mockTruth(mock: MockVenueAdapter): Promise<VenueTruth> {
  const orders = mock.allOrders().map(truthOrder);
  const positions = await mock.positions();
  return {
    positions: positions.map((p) => ({ asset: p.asset, side: p.side, size: p.size, avg_price: p.avg_price })),
    open_orders: orders.filter((o) => o.open),
    orders,
    fills: mock.fills().map((f) => ({
      client_order_id: f.client_order_id.toLowerCase(),
      asset: f.asset,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
    })),
    wallet: (await mock.balance()).balance,
    placements_max: orders.length === 0 ? 0 : 1,
  };
}

/**
 * Truth over REST: positions, open orders and balance, plus each of `asked` (asset, client order id)
 * queried one by one (at most LIVE_QUERIES_MAX), so the auditor can compare the kernel's orders.
 */
export async function adapterTruth(
  adapter: VenueAdapter,
  asked: readonly { asset: string; client_order_id: string }[] = [],
): Promise<VenueTruth> {
  const positions = await patiently(() => adapter.positions());
  const open = await patiently(() => adapter.openOrders());
  const balance = await patiently(() => adapter.balance());
  const orders: TruthOrder[] = [];
  for (const a of asked.slice(0, LIVE_QUERIES_MAX)) {
    const o = await patiently(() => adapter.queryOrder(a.asset, a.client_order_id));
    if (o) orders.push(truthOrder(o));
  }
  return {
    positions: positions
      .filter((p) => p.size > 0)
      .map((p) => ({ asset: p.asset, side: p.side, size: p.size, avg_price: p.avg_price })),
    open_orders: open.map(truthOrder),
    orders,
    wallet: balance.balance,
    placements_max: null,
  };
}
