/**
 * `InputRecords.encode` (typed inputs → checked raw records, for tools, benchmarks and tests)
 * never hands the kernel a record the encoder refused. Before, it ignored the refusal and kept the
 * half-written record: a fill whose client_order_id does not fit its 40 bytes (40 characters, 80
 * bytes of UTF-8) is refused by `apply`, yet its record — with 40 bytes of the characters' low
 * bytes in place of the id — was accepted by `applyRecords`, moving the slot to POSITION_OPEN.
 */

import { expect, test } from "bun:test";
import type { KernelInput } from "../../src/contracts/intents.ts";
import { encodeInput, INPUT_SIZE, InputRecords } from "../../src/kernel/index.ts";
import { enter, event, feed, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2 });

test("an input the encoder refuses is not made into a record", () => {
  const k = kernel();
  expect(enter(k, 0).accepted).toBe(true);
  const cid = k.slot(0).entry_order!.client_order_id;
  expect(feed(k, event("ACK", cid, 0, 0)).accepted).toBe(true);
  const fill = event("FULL_FILL", cid, 1, 100, { client_order_id: "é".repeat(40) });
  const unfit: KernelInput = { type: "VENUE_EVENT", slot_id: null, event: fill, now_ms: T0 + 20 };
  expect(encodeInput(unfit, new Uint8Array(INPUT_SIZE), 0)?.field).toBe("CLIENT_ORDER_ID");
  expect(k.apply(unfit).accepted).toBe(false);

  expect(() => InputRecords.encode([unfit])).toThrow("client_order_id does not fit its 40-byte field");
  expect(k.slot(0).stage).toBe("ENTRY_WORKING");
});

test("inputs that encode still become one clean record each", () => {
  const tick: KernelInput = { type: "TICK", now_ms: T0 + 1 };
  const records = InputRecords.encode([tick, tick]);
  expect(records.count).toBe(2);
  const one = new Uint8Array(INPUT_SIZE);
  expect(encodeInput(tick, one, 0)).toBeNull();
  expect(records.bytes.subarray(INPUT_SIZE)).toEqual(one);
  expect(kernel().applyRecords(records)).toBe(2);
});
