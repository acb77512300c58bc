/**
 * Exchange truth for the auditor: positions, open orders, wallet and (on bingx-sim only) how many
 * orders were placed per client order id. Two sources with the same shape: `simTruth` reads the
 * simulator's state directly (no HTTP, no rate limit), `adapterTruth` asks the venue over REST
 * (the live demo account). Client order ids are lower-cased here because BingX lower-cases them.
 *
 * Entry points: `VenueTruth`, `simTruth(sim)`, `adapterTruth(adapter)`.
 */

import type { PositionSide, VenueAdapter } from "../contracts/venue.ts";
import type { SimHandle } from "../sim/index.ts";

export interface TruthPosition {
  asset: string;
  side: PositionSide;
  size: number;
}

export interface TruthOrder {
  /** Lower-cased, as the venue stores it. */
  client_order_id: string;
  asset: string;
  size: number;
  filled: number;
}

export interface VenueTruth {
  positions: TruthPosition[];
  open_orders: TruthOrder[];
  /** Wallet balance (realized PnL and fees included); null when unknown. */
  wallet: number | null;
  /** Largest number of orders placed under one client order id; null when the venue cannot tell. */
  placements_max: number | null;
}

export function simTruth(sim: SimHandle): VenueTruth {
  const s = sim.state();
  const placed = Object.values(s.counters.placed_by_client_id);
  return {
    positions: s.positions.map((p) => ({ asset: p.symbol, side: p.positionSide, size: p.positionAmt })),
    open_orders: s.orders
      .filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED")
      .map((o) => ({
        client_order_id: o.clientOrderId.toLowerCase(),
        asset: o.symbol,
        size: o.origQty,
        filled: o.executedQty,
      })),
    wallet: s.balance.wallet,
    placements_max: placed.length === 0 ? 0 : Math.max(...placed),
  };
}

export async function adapterTruth(adapter: VenueAdapter, asset?: string): Promise<VenueTruth> {
  const [positions, orders, balance] = await Promise.all([
    adapter.positions(asset),
    adapter.openOrders(asset),
    adapter.balance(),
  ]);
  return {
    positions: positions.filter((p) => p.size > 0).map((p) => ({ asset: p.asset, side: p.side, size: p.size })),
    open_orders: orders.map((o) => ({
      client_order_id: o.client_order_id.toLowerCase(),
      asset: o.asset,
      size: o.size,
      filled: o.filled_size_cumulative,
    })),
    wallet: balance.balance,
    placements_max: null,
  };
}
