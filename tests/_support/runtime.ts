/**
 * Helpers for tests that drive a `Runtime` in this process: polling until a condition holds, and
 * the market entry on slot 0 those tests trade with.
 */

import { expect } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";

/** Polls `check` every 10 ms for up to 3 s, then asserts it holds. */
export async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await Bun.sleep(10);
  expect(check()).toBe(true);
}

/** A market entry of 0.01 BTC-USDT, long, leverage 3, on slot 0. */
export function btcEntry(trade_id: string): StrategyIntent {
  return { type: "ENTER", slot_id: 0, trade_id, asset: "BTC-USDT", side: "LONG", size: 0.01, price: null, leverage: 3 };
}
