/**
 * Ring intents reach the kernel stamped with the launcher's clock, not their producer's. A client
 * lets a strategy inject its clock (a replay clock, a market-data feed's timestamps, a skewed
 * container); when that stamp went to the kernel, its times mixed two clocks: an order stamped an
 * hour ahead was never reported hung by the launcher's TICKs until the launcher's clock got there
 * (a lost placement left unqueried), one stamped in the past was reported hung at the next TICK, and
 * the order-rate window counted them on the producer's clock. Now the kernel's times come from the
 * launcher's clock alone, as an HTTP or CLI intent's do.
 */

import { expect, test } from "bun:test";
import { OFF, RECORD_BYTES } from "../../src/contracts/abi.ts";
import { encodeInput } from "../../src/kernel/index.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import { InMemoryZincPlane } from "../../src/zinc/index.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const HUNG_MS = 1_000;
const kernel = kernelsPerTest({ slots: 3, capital: 1_000_000, hungMs: HUNG_MS });
const LAUNCHER_NOW = T0 + 10_000;

test("ENTERs stamped an hour ahead, in 1970 and at the launcher's time are all applied at the launcher's time; its next TICK flags none hung", () => {
  const k = kernel();
  const zinc = InMemoryZincPlane.open({ slotCount: 3, ringCapacity: 64 });
  const intake = new RingIntake(zinc, k, {
    check: () => null,
    applied: () => {},
    refused: () => {},
    nowMs: () => LAUNCHER_NOW,
  });
  const stamps = [LAUNCHER_NOW + 3_600_000, 1, LAUNCHER_NOW];
  stamps.forEach((producerNow, slot) => {
    const rec = new Uint8Array(RECORD_BYTES.input);
    const enter = { type: "ENTER", slot_id: slot, trade_id: `C${slot}`, asset: "BTC-USDT", side: "LONG" };
    expect(encodeInput({ ...enter, size: 0.01, price: null, leverage: 3, now_ms: producerNow }, rec, 0)).toBeNull();
    expect(new DataView(rec.buffer).getBigUint64(OFF.InputRecord.now_ms, true)).toBe(BigInt(producerNow));
    expect(zinc.pushIntent(rec)).toBe("OK");
  });
  expect(intake.drain()).toBe(3);
  for (const slot of [0, 1, 2])
    expect(k.slot(slot)).toMatchObject({
      stage: "ENTRY_WORKING",
      updated_at_ms: LAUNCHER_NOW,
      entry_order: { created_at_ms: LAUNCHER_NOW, last_update_ms: LAUNCHER_NOW },
    });
  expect(k.apply({ type: "TICK", now_ms: LAUNCHER_NOW + HUNG_MS - 1 }).diagnostics).toEqual([]);
  const hung = k.apply({ type: "TICK", now_ms: LAUNCHER_NOW + HUNG_MS }).diagnostics;
  expect(hung.map((d) => [d.code, d.slot_id])).toEqual([
    ["HUNG_ORDER", 0],
    ["HUNG_ORDER", 1],
    ["HUNG_ORDER", 2],
  ]);
});
