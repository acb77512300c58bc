/**
 * A hung-order query whose answer contradicts the order the kernel tracks (another symbol, the
 * other side, more executed than the order's size, FILLED with nothing executed) is not a fact
 * about that order: no fill is booked from it. The launcher names the contradiction in a
 * VENUE_MISMATCH and sends the slot to reconciliation (MARK_STALE), where the venue's positions
 * decide (fast tier: a real kernel and executor over the mock venue).
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { OrderRequest, SubmitResult, VenueAdapter, VenueOrderState } from "../../src/contracts/venue.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 100_000 });

async function world(answer: (cid: string) => Partial<VenueOrderState>) {
  const clock = new ManualClock(T0);
  const mock = new MockVenueAdapter({ seed: 5, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  const venue: VenueAdapter = Object.create(mock, {
    // The placement's answer is lost (a timeout): left to the hung-order query.
    submit: { value: async (_r: OrderRequest): Promise<SubmitResult> => ({ status: "UNKNOWN", reason: "timeout" }) },
    queryOrder: {
      value: async (_asset: string, cid: string): Promise<VenueOrderState> => ({
        venue_order_id: "V1",
        client_order_id: cid,
        asset: "BTC-USDT",
        side: "BUY",
        position_side: "LONG",
        type: "MARKET",
        status: "FILLED",
        size: 0.01,
        filled_size_cumulative: 0.01,
        avg_price: 65_000,
        fee_cumulative: 0.26,
        updated_ms: T0,
        ...answer(cid),
      }),
    },
  });
  const k = kernel();
  const diags: DiagnosticRecord[] = [];
  const reports: DiagnosticRecord[] = [];
  const executor = new Executor(k, venue, clock, {
    afterApply: (_input, outcome) => diags.push(...outcome.diagnostics),
    report: (d) => reports.push(d),
    sleep: async () => {},
  });
  await executor.setLeverage("BTC-USDT", "LONG", 3);
  executor.submitStrategy({
    type: "ENTER",
    slot_id: 0,
    trade_id: "Q1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price: null,
    leverage: 3,
  });
  await executor.drain(1_000);
  return { kernel: k, executor, diags, reports };
}

describe("a hung-order query answer that contradicts the tracked order", () => {
  test("the same order's answer (control): its fill is booked", async () => {
    const w = await world(() => ({}));
    expect(await w.executor.resolveByQuery(0)).toBe("EVENT");
    expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    expect(w.reports).toEqual([]);
  });

  const cases: Array<[string, Partial<VenueOrderState>, RegExp]> = [
    ["on another symbol", { asset: "ETH-USDT" }, /symbol ETH-USDT/],
    ["on the other side", { side: "SELL" }, /side SELL/],
    [
      "executing more than the order's size",
      { filled_size_cumulative: 0.02, size: 0.02 },
      /filled 0\.02 exceeds the order size 0\.01/,
    ],
    ["FILLED with nothing executed", { filled_size_cumulative: 0 }, /FILLED with nothing executed/],
    [
      "PARTIALLY_FILLED at no price",
      { status: "PARTIALLY_FILLED", filled_size_cumulative: 0.005, avg_price: 0 },
      /at no price/,
    ],
  ];
  for (const [what, answer, named] of cases) {
    test(`${what}: no fill booked, a diagnostic naming it, the slot sent to reconciliation`, async () => {
      const w = await world(() => answer);
      expect(await w.executor.resolveByQuery(0)).toBe(answer.filled_size_cumulative === 0.02 ? "EVENT" : "MISMATCH");
      const slot = w.kernel.slot(0);
      expect(slot.stage).toBe("STALE_STATE_RECONCILING");
      expect(slot.size).toBe(0);
      expect(slot.entry_order?.filled_size ?? 0).toBe(0);
      const mismatch = [...w.reports, ...w.diags].filter((d) => d.code === "VENUE_MISMATCH" || d.code === "OVERFILL");
      expect(mismatch.length).toBeGreaterThan(0);
      expect(mismatch.map((d) => d.message).join(" ")).toMatch(named);
    });
  }
});
