/**
 * The auditor's quantity-compliance and fill-price checks (src/chaos/audit_fills.ts) on hand-made
 * records: one consistent trade passes, and each single lie — an order placed for another size,
 * a fill the kernel missed, an average price off by more than the venue's 8 decimals, realized PnL
 * or fees that the fills do not give, a settlement booked wrong, a venue position booked at a price
 * its fills do not report, a position that moved by more than its fills — is named.
 */

import { expect, test } from "bun:test";
import { auditFills, type Settlement, type TradeInfo, type VenueTruth } from "../../src/chaos/index.ts";
import type { OrderRecord, SlotRecord } from "../../src/contracts/records.ts";

const ENTRY = 65_000.1;
const EXIT = 65_100.3;

function order(o: Partial<OrderRecord>): OrderRecord {
  return {
    trade_id: "T1",
    venue_order_id: "1234567890123456789",
    client_order_id: "T1-E",
    role: "ENTRY",
    side: "BUY",
    order_type: "MARKET",
    status: "FILLED",
    leg: 0,
    intended_size: 0.003,
    filled_size: 0.003,
    avg_fill_price: ENTRY,
    limit_price: null,
    fee: 0.0975,
    hung: false,
    created_at_ms: 1,
    last_update_ms: 2,
    ...o,
  };
}

/** Slot 0: long 0.003 BTC at ENTRY, first exit leg of 0.001 filled at EXIT (position 0.002 left). */
function world() {
  const exitOrder = order({
    client_order_id: "T1-X1",
    role: "EXIT",
    side: "SELL",
    leg: 1,
    intended_size: 0.001,
    filled_size: 0.001,
    avg_fill_price: EXIT,
    fee: 0.0325,
  });
  const realized = 0.001 * (EXIT - ENTRY);
  const slot: SlotRecord = {
    slot_id: 0,
    stage: "POSITION_OPEN",
    trade_id: "T1",
    asset: "BTC-USDT",
    side: "LONG",
    entry_price: ENTRY,
    size: 0.002,
    leverage: 3,
    is_open: true,
    leg: 1,
    realized_pnl: realized,
    unrealized_pnl: 0,
    mark_price: 0,
    fees: 0.13,
    exit_reason: null,
    stale_reason: null,
    entry_order: order({}),
    exit_order: exitOrder,
    version: 9,
    updated_at_ms: 3,
  };
  const truth: VenueTruth = {
    positions: [{ asset: "BTC-USDT", side: "LONG", size: 0.002, avg_price: ENTRY }],
    open_orders: [],
    orders: [
      { client_order_id: "t1-e", asset: "BTC-USDT", size: 0.003, filled: 0.003, avg_price: ENTRY, open: false },
      { client_order_id: "t1-x1", asset: "BTC-USDT", size: 0.001, filled: 0.001, avg_price: EXIT, open: false },
    ],
    fills: [
      { client_order_id: "t1-e", asset: "BTC-USDT", qty: 0.002, price: 65_000.1, fee: 0.065 },
      { client_order_id: "t1-e", asset: "BTC-USDT", qty: 0.001, price: 65_000.1, fee: 0.0325 },
      { client_order_id: "t1-x1", asset: "BTC-USDT", qty: 0.001, price: EXIT, fee: 0.0325 },
    ],
    wallet: 10_000,
    placements_max: 1,
  };
  const trades = new Map<string, TradeInfo>([["t1", { trade_id: "T1", asset: "BTC-USDT", side: "LONG" }]]);
  return { slot, truth, trades, settlements: [] as Settlement[] };
}

const run = (w: ReturnType<typeof world>) =>
  auditFills({ slots: [w.slot], truth: w.truth, settlements: w.settlements, trades: w.trades });

test("a trade whose orders, prices, PnL and fees are the venue's passes every check", () => {
  expect(run(world())).toEqual([]);
});

test("an order the venue holds for another size than the kernel asked for is QUANTITY", () => {
  const w = world();
  w.truth.orders![0]!.size = 0.004;
  expect(run(w).map((v) => [v.invariant, v.message])).toEqual([
    ["QUANTITY", "slot 0 T1-E: the venue holds it for 0.004, the kernel asked for 0.003"],
  ]);
});

test("a fill the kernel did not book (venue filled more) is QUANTITY", () => {
  const w = world();
  w.slot.exit_order = { ...w.slot.exit_order!, filled_size: 0.0005 };
  expect(
    run(w).some(
      (v) => v.invariant === "QUANTITY" && v.message.includes("filled 0.0005 in the kernel, 0.001 at the venue"),
    ),
  ).toBe(true);
});

test("an average price off by 2e-8 is FILL_PRICE; by 5e-9 (within 8 decimals) it is not", () => {
  const w = world();
  w.slot.entry_order = { ...w.slot.entry_order!, avg_fill_price: ENTRY + 5e-9 };
  w.slot.entry_price = ENTRY + 5e-9;
  expect(run(w)).toEqual([]);
  w.slot.entry_order = { ...w.slot.entry_order!, avg_fill_price: ENTRY + 2e-8 };
  expect(run(w).map((v) => v.invariant)).toContain("FILL_PRICE");
});

test("realized PnL or fees that the venue's fills do not give are FILL_PRICE", () => {
  const a = world();
  a.slot.realized_pnl += 0.01;
  expect(run(a).map((v) => v.message)).toEqual([expect.stringContaining("realized PnL")]);
  const b = world();
  b.slot.fees = 0.1;
  expect(run(b).map((v) => v.message)).toEqual([expect.stringContaining("fees 0.1, the venue's commissions")]);
});

test("a settlement that is not realized − fees by the fills is FILL_PRICE", () => {
  const w = world();
  const right = 0.001 * (EXIT - ENTRY) - 0.13;
  w.settlements = [{ slot_id: 0, trade_id: "T1", amount: right, incarnation: 0 }];
  expect(run(w)).toEqual([]);
  w.settlements = [{ slot_id: 0, trade_id: "T1", amount: right + 0.5, incarnation: 0 }];
  expect(run(w).map((v) => v.message)).toEqual([expect.stringContaining("trade T1 settled")]);
});

test("a venue position booked at another price than its one trade's fills report is FILL_PRICE (the price-skew catcher)", () => {
  const w = world();
  w.truth.positions[0]!.avg_price = ENTRY * 0.999;
  expect(run(w).map((v) => v.message)).toEqual([expect.stringContaining("the venue booked the position at")]);
});

test("a venue position that moved by more than its fills is QUANTITY", () => {
  const w = world();
  w.truth.positions[0]!.size = 0.0025;
  expect(run(w).map((v) => [v.invariant, v.message])).toEqual([
    ["QUANTITY", "BTC-USDT|LONG: the venue's fills add up to a position of 0.002, the venue holds 0.0025"],
  ]);
});

test("with two trades opened since the position was flat the venue's average is not attributed to either", () => {
  const w = world();
  w.trades.set("t2", { trade_id: "T2", asset: "BTC-USDT", side: "LONG" });
  w.truth.fills!.push({ client_order_id: "t2-e", asset: "BTC-USDT", qty: 0.001, price: 66_000, fee: 0.033 });
  w.truth.positions[0] = { asset: "BTC-USDT", side: "LONG", size: 0.003, avg_price: 65_333.4 };
  expect(run(w)).toEqual([]);
});
