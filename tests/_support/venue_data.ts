/**
 * Venue data for unit tests, so each reads as the behaviour it proves: `marketBuy` (the opening
 * order most venue tests place) and `BTC_RULES` (BingX's BTC-USDT contract rules).
 */

import type { ContractRules, OrderRequest } from "../../src/contracts/venue.ts";

/** A MARKET BUY opening `size` (default 0.01) BTC-USDT LONG under client id `cid`. */
export const marketBuy = (cid: string, size = 0.01): OrderRequest => ({
  client_order_id: cid,
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "MARKET",
  size,
  reduce_only: false,
});

/** BingX's BTC-USDT rules: quantity step 0.0001, price step 0.1, minimum 0.0001 and 2 USDT, leverage up to 125. */
export const BTC_RULES: ContractRules = {
  asset: "BTC-USDT",
  quantity_step: 0.0001,
  price_step: 0.1,
  min_quantity: 0.0001,
  min_notional: 2,
  max_leverage: 125,
};
