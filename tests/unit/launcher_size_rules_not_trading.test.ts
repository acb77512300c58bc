/**
 * The launcher's early check at the strategy edges (src/launcher/_size_rules.ts) and a contract the
 * venue does not trade. The BingX adapter holds such a contract as `not_trading` (its status is
 * not 1, or it left the list: src/venue/bingx/_contracts_refresh.ts) and refuses its orders
 * (NOT_TRADING), but the early check looked only at the step and the minimum: an ENTER on a halted
 * contract passed it, was accepted by the kernel, and failed only at the adapter. Now the early
 * check refuses it too (INVALID_INTENT, field ASSET, naming the symbol and its status), with the
 * adapter's exception: a close of the slot's whole position still passes (the venue judges it).
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { InputRefusal } from "../../src/contracts/intent_parse.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { intentSizeRefusal, recordSizeRefusal } from "../../src/launcher/_size_rules.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { BingxVenueAdapter, MockVenueAdapter } from "../../src/venue/index.ts";
import { QUICK_STREAM, realTimeSim } from "../_support/bingx_sim.ts";
import { ringRecord } from "../_support/kernel.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A BingX adapter over the local sim, connected, SOL-USDT listed with status 0 (not trading). */
async function bingxWithHaltedSol() {
  const { sim, config } = await realTimeSim(5, { "BTC-USDT": 60_000, "SOL-USDT": 150 });
  const adapter = new BingxVenueAdapter(
    { ...config, contractsRefreshMs: 600_000 },
    { resolveDelaysMs: [0], stream: QUICK_STREAM },
  );
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  sim.setContract("SOL-USDT", { status: 0 });
  await adapter.connect();
  return { sim, adapter };
}

const enter = (asset: string, size: number): StrategyIntent => ({
  type: "ENTER",
  slot_id: 3,
  trade_id: "T1",
  asset,
  side: "LONG",
  size,
  price: null,
  leverage: 2,
});
const exit = (size: number): StrategyIntent => ({ type: "EXIT", slot_id: 3, size, price: null, reason: "SL" });
const noSlot = () => null;

describe("launcher early check: a contract the venue does not trade", () => {
  test("an ENTER on a halted BingX contract is refused at the edge naming the symbol and its status; no venue call", async () => {
    const { sim, adapter } = await bingxWithHaltedSol();
    const before = sim.state().counters.requests;
    const expected: InputRefusal = {
      code: "INVALID_INTENT",
      field: "ASSET",
      message: "ENTER: SOL-USDT is not trading at the venue (contract status 0); refused before the kernel",
      input_kind: "ENTER",
      slot_id: 3,
    };
    expect(intentSizeRefusal(adapter, enter("SOL-USDT", 1), noSlot)).toEqual(expected);
    expect(recordSizeRefusal(adapter, ringRecord(enter("SOL-USDT", 1)), noSlot)).toEqual(expected);
    // A contract that trades passes as before; the check read only the rules held.
    expect(intentSizeRefusal(adapter, enter("BTC-USDT", 0.01), noSlot)).toBeNull();
    expect(sim.state().counters.requests).toBe(before);
    expect(sim.state().orders).toEqual([]);
  }, 15_000);

  test("a partial EXIT on a halted contract is refused at the edge; an EXIT of the slot's whole position passes", async () => {
    const rules = {
      "SOL-USDT": {
        asset: "SOL-USDT",
        quantity_step: 0.1,
        price_step: 0.01,
        min_quantity: 0.1,
        min_notional: 0,
        max_leverage: 50,
        not_trading: "contract status 25",
      },
    };
    const venue = new MockVenueAdapter({
      seed: 1,
      clock: new SystemClock(),
      prices: { "SOL-USDT": 150 },
      balance: 1_000,
      rules,
    });
    const slotOf = () => ({ asset: "SOL-USDT", size: 2, side: "LONG" as const });
    expect(intentSizeRefusal(venue, exit(1), slotOf)).toMatchObject({
      code: "INVALID_INTENT",
      field: "ASSET",
      message: "EXIT: SOL-USDT is not trading at the venue (contract status 25); refused before the kernel",
    });
    expect(recordSizeRefusal(venue, ringRecord(exit(1)), slotOf)?.field).toBe("ASSET");
    expect(intentSizeRefusal(venue, exit(2), slotOf)).toBeNull();
    expect(recordSizeRefusal(venue, ringRecord(exit(2)), slotOf)).toBeNull();
  });
});
