/**
 * A trade has at most 65 535 exit legs; every EXIT the kernel accepts spends one, also one the venue
 * adapter then refuses locally. A partial EXIT whose notional is below the contract's minimum
 * (MIN_NOTIONAL) is refused by the adapter every time, without a venue call, so a strategy
 * re-sending it (a scale-out step, a partial stop-loss) spent all its legs (then 255) in a moment, after which
 * the trade could not be exited, nor flattened. Such an exit is refused before the kernel instead.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { RECORD_BYTES } from "../../src/contracts/abi.ts";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import { encodeInput } from "../../src/kernel/index.ts";
import { orderIntentRefusal, orderRecordRefusal } from "../../src/launcher/_order_hold.ts";
import type { Runtime } from "../../src/launcher/index.ts";
import { applyContractRules } from "../../src/venue/bingx/contract_rules.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { startedRuntime, tempDirsPerTest, until } from "../_support/runtime.ts";

const tempDir = tempDirsPerTest("dita-legs-notional-");
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(1000);
});

/** A long of 100 TRX-USDT (0.25 on the mock, min notional 2 USDT) on slot 0. */
async function openTrx(): Promise<Runtime> {
  const { rt } = await startedRuntime(tempDir(), new ManualClock());
  runtimes.push(rt);
  const entry: StrategyIntent = {
    type: "ENTER",
    slot_id: 0,
    trade_id: "TRX1",
    asset: "TRX-USDT",
    side: "LONG",
    size: 100,
    price: null,
    leverage: 3,
  };
  expect(rt.submitStrategy(entry).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  return rt;
}

test("a LIMIT partial exit below the minimum notional, re-sent 300 times, spends no exit leg; the whole position still closes", async () => {
  const rt = await openTrx();
  const small: StrategyIntent = { type: "EXIT", slot_id: 0, size: 1, price: 0.25, reason: "TP" };
  const outcomes = [];
  for (let i = 0; i < 300; i++) {
    outcomes.push(rt.submitStrategy(small));
    await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  }
  expect(outcomes.every((o) => !o.accepted)).toBe(true);
  expect(outcomes[299]!.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "SIZE" } });
  expect(outcomes[299]!.diagnostics[0]!.message).toContain("below the minimum");
  expect(rt.b.kernel.slot(0).leg).toBe(0);
  expect(rt.submitStrategy({ type: "EXIT", slot_id: 0, size: 100, price: null, reason: "SL" }).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "CLOSED");
});

describe("the edge's minimum-notional check refuses only what the adapter would refuse", () => {
  const venue = new MockVenueAdapter({ seed: 1, clock: new ManualClock(), prices: { "TRX-USDT": 0.25 } });
  const slotOf = () => ({ asset: "TRX-USDT", size: 100, side: "LONG" as const }); // TRX-USDT: price tick 0.1, min notional 2 USDT
  const exit = (size: number, price: number | null): StrategyIntent => ({
    type: "EXIT",
    slot_id: 0,
    size,
    price,
    reason: "TP",
  });
  function record(size: number, price: number | null): Uint8Array {
    const rec = new Uint8Array(RECORD_BYTES.input);
    expect(encodeInput({ ...exit(size, price), now_ms: 1 }, rec, 0)).toBeNull();
    return rec;
  }

  test("a ring EXIT record below the minimum notional is refused before the kernel, like the intent", () => {
    expect(orderRecordRefusal(venue, record(1, 0.25), slotOf)).toMatchObject({ code: "INVALID_INTENT", field: "SIZE" });
    expect(orderIntentRefusal(venue, exit(1, 0.25), slotOf)?.message).toContain("below the minimum 2 USDT");
  });

  test("at or above the minimum, at market, or of the whole position: not refused here", () => {
    for (const [size, price] of [
      [7, 0.25], // 7 × 0.3 on the tick = 2.1
      [20, 0.1], // exactly 2
      [8, null], // MARKET at the adapter's mark 0.25: exactly 2
      [100, 0.01], // the whole position has no minimum
    ] as const) {
      expect(orderIntentRefusal(venue, exit(size, price), slotOf)).toBeNull();
      expect(orderRecordRefusal(venue, record(size, price), slotOf)).toBeNull();
    }
  });

  test("a MARKET partial exit is judged at the mark the adapter holds: refused below the minimum, not judged without a mark", () => {
    expect(orderIntentRefusal(venue, exit(1, null), slotOf)?.message).toContain("below the minimum 2 USDT");
    expect(orderRecordRefusal(venue, record(1, null), slotOf)).toMatchObject({ code: "INVALID_INTENT", field: "SIZE" });
    // The mock lists only what it has a price for (its mark): a venue that lists TRX-USDT and holds no fresh mark.
    const markless = {
      knownRules: (asset: string) => venue.knownRules(asset),
      knownListed: () => true,
      knownMark: () => null,
      orderHoldMs: () => null,
    } as unknown as VenueAdapter;
    expect(orderIntentRefusal(markless, exit(1, null), slotOf)).toBeNull();
    expect(orderIntentRefusal(markless, exit(1, 0.25), slotOf)?.message).toContain("below the minimum 2 USDT");
  });

  test("refused here means the adapter refuses it too (MIN_NOTIONAL), for a SELL and a BUY exit", () => {
    for (const [size, price] of [
      [4, 0.31],
      [19, 0.1],
      [1, 1.9],
    ] as const) {
      expect(orderIntentRefusal(venue, exit(size, price), slotOf)).not.toBeNull();
      for (const side of ["SELL", "BUY"] as const) {
        const check = applyContractRules(venue.knownRules("TRX-USDT")!, size, price, price, side, false);
        expect(check).toMatchObject({ ok: false, rule: "MIN_NOTIONAL" });
      }
    }
  });
});
