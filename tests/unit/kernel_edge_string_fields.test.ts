/**
 * The encoder writes strings into fixed-width NUL-padded fields, so a NUL inside a string and a
 * lone UTF-16 surrogate (which UTF-8 cannot carry: it is written as U+FFFD) are values the record
 * cannot carry. Before, the encoder wrote them anyway: `"T1\0"` reached the kernel as `"T1"`,
 * an event id `"E1\0"` as `"E1"` (so the real event E1 that followed was dropped as a duplicate,
 * losing its fill), and the distinct event ids `"E\uD800"` and `"E\uDC00"` both as `"E\uFFFD"`.
 * Now each is refused by the encoder naming its field; nothing changes. A slot record (restore)
 * with a lone surrogate in an id is refused the same way (it already refused a NUL).
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { KernelInput } from "../../src/contracts/intents.ts";
import type { SlotRecord } from "../../src/contracts/records.ts";
import { fixedString } from "../../src/kernel/decoder.ts";
import { encodeInput, encodeSlotImage, INPUT_SIZE, RecordEncoder, SlotImageError } from "../../src/kernel/index.ts";
import { enter, event, feed, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4 });

function entryWorking(k: ReturnType<typeof kernel>): string {
  expect(enter(k, 0).accepted).toBe(true);
  const cid = k.slot(0).entry_order!.client_order_id;
  expect(feed(k, event("ACK", cid, 0, 0, { venue_order_id: "V1" })).accepted).toBe(true);
  return cid;
}

describe("a string with a NUL character is refused by the encoder, naming its field", () => {
  test("an ENTER whose trade_id or asset ends in NUL is refused and changes nothing", () => {
    const k = kernel();
    const before = k.stateHash();
    const t = enter(k, 0, { trade: "T1\0" });
    expect(t.accepted).toBe(false);
    expect(t.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "TRADE_ID" } });
    expect(t.diagnostics[0]!.message).toContain("NUL");
    const a = enter(k, 1, { asset: "BTC-USDT\0\0" });
    expect(a.accepted).toBe(false);
    expect(a.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "ASSET" } });
    expect(k.stateHash()).toBe(before);
  });

  test("an event id ending in NUL is refused, so the real event with the bare id still applies its fill", () => {
    const k = kernel();
    const cid = entryWorking(k);
    const nul = feed(k, event("PARTIAL_FILL", cid, 0.5, 100, { event_id: "E1\0", venue_order_id: "V1" }));
    expect(nul.accepted).toBe(false);
    expect(nul.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "EVENT_ID" } });
    const real = feed(k, event("PARTIAL_FILL", cid, 0.6, 100, { event_id: "E1", venue_order_id: "V1" }));
    expect(real.accepted).toBe(true);
    expect(k.slot(0).entry_order!.filled_size).toBe(0.6);
  });

  test("a NUL inside an order id is refused by the encoder (not left to the padding check)", () => {
    const e = event("ACK", "C\0D", 0, 0, { event_id: "E1" });
    const input: KernelInput = { type: "VENUE_EVENT", slot_id: null, event: e, now_ms: T0 };
    expect(encodeInput(input, new Uint8Array(INPUT_SIZE), 0)).toMatchObject({
      code: "INVALID_INTENT",
      field: "CLIENT_ORDER_ID",
    });
  });
});

describe("a string with a lone surrogate is refused by the encoder, naming its field", () => {
  test("two events whose ids differ only in a lone surrogate are not taken for one", () => {
    const k = kernel();
    const cid = entryWorking(k);
    const hi = feed(k, event("PARTIAL_FILL", cid, 0.5, 100, { event_id: "E\uD800", venue_order_id: "V1" }));
    expect(hi.accepted).toBe(false);
    expect(hi.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "EVENT_ID" } });
    expect(hi.diagnostics[0]!.message).toContain("surrogate");
    expect(k.slot(0).entry_order!.filled_size).toBe(0);
  });

  test("a well-formed non-ASCII id (a surrogate pair) still encodes", () => {
    const e = event("ACK", "C\u{1F600}", 0, 0);
    expect(
      encodeInput({ type: "VENUE_EVENT", slot_id: null, event: e, now_ms: T0 }, new Uint8Array(320), 0),
    ).toBeNull();
  });
});

test("a refused string leaves the reused encoder able to write the next input's same field cleanly", () => {
  const bytes = new Uint8Array(INPUT_SIZE);
  const enc = new RecordEncoder(bytes, { rememberIds: true });
  const fill = (id: string): KernelInput => ({
    type: "VENUE_EVENT",
    slot_id: null,
    event: event("ACK", "C1", 0, 0, { event_id: "E1", venue_order_id: id }),
    now_ms: T0,
  });
  expect(enc.encode(fill("ABCDEFGH"), 0)).toBeNull();
  expect(enc.encode(fill("AB\0D"), 0)?.field).toBe("VENUE_ORDER_ID");
  expect(enc.encode(fill("AB"), 0)).toBeNull();
  const clean = new Uint8Array(INPUT_SIZE);
  encodeInput(fill("AB"), clean, 0);
  expect(bytes.subarray(168, 240)).toEqual(clean.subarray(168, 240));
});

test("property: every id the encoder accepts reads back byte for byte as the string sent; the rest are refused", () => {
  const bytes = new Uint8Array(INPUT_SIZE);
  const enc = new RecordEncoder(bytes, { rememberIds: true });
  const id = fc.oneof(
    fc.string({ maxLength: 44 }),
    fc.string({ unit: "binary", maxLength: 44 }),
    fc.string({ unit: fc.constantFrom("A", "\0", "\uD800", "\uDC00", "é", "\u{1F600}"), maxLength: 12 }),
  );
  fc.assert(
    fc.property(id, (s) => {
      const input: KernelInput = {
        type: "VENUE_EVENT",
        slot_id: null,
        event: event("ACK", "C1", 0, 0, { event_id: "E1", venue_order_id: s }),
        now_ms: T0,
      };
      const refusal = enc.encode(input, 0);
      const carriable = !s.includes("\0") && s.isWellFormed() && new TextEncoder().encode(s).length <= 32;
      expect(refusal === null).toBe(carriable);
      if (refusal === null) expect(fixedString(bytes, 168, 32)).toBe(s);
      else expect(refusal.field).toBe("VENUE_ORDER_ID");
    }),
    { numRuns: 3000, seed: 9 },
  );
});

test("a slot record whose order id holds a lone surrogate is refused, not restored as U+FFFD", () => {
  const k = kernel();
  expect(enter(k, 0).accepted).toBe(true);
  const good = k.slot(0);
  const attempt = () =>
    encodeSlotImage({ ...good, entry_order: { ...good.entry_order!, venue_order_id: "V\uD800" } } as SlotRecord);
  expect(attempt).toThrow(SlotImageError);
  expect(attempt).toThrow("slot record entry_order.venue_order_id ");
});
