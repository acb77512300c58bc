/**
 * RecordEncoder's string fields over a reused buffer: whatever a previous record left in a field
 * (longer ids, non-ASCII bytes, a refused over-long id), the next write leaves exactly the
 * string's UTF-8 bytes and NUL padding — byte-equal to a clean `encodeInput` record — and
 * refuses the same strings with the same refusal. The asset, kept encoded between inputs, is
 * exact after every change of asset too, and so is an id the record already holds (not
 * rewritten) after any other use of that record's field.
 */

import { describe, expect, test } from "bun:test";
import { OFF } from "../../src/contracts/abi.ts";
import { encodeInput, INPUT_SIZE, RecordEncoder } from "../../src/kernel/index.ts";

const IDS = [
  "a",
  "ab",
  "abc",
  "abcd",
  "abcde",
  "é",
  "aé",
  "中文",
  "x".repeat(32),
  "x".repeat(40),
  "é".repeat(20),
  "é".repeat(21),
  "😀😀",
  "a\u0000b",
  "ÿ",
  "\u0100",
  "",
];
const FIELDS = [
  ["venue_order_id", 32],
  ["client_order_id", 40],
  ["event_id", 64],
] as const;

function event(eventId: string, venueId: string, clientId: string) {
  return {
    type: "VENUE_EVENT",
    slot_id: null,
    now_ms: 1_700_000_000_000,
    event: {
      kind: "ACK",
      event_id: eventId,
      venue_order_id: venueId,
      client_order_id: clientId,
      filled_size_cumulative: 0,
      avg_price: 0,
    },
  };
}

for (const rememberIds of [false, true])
  describe(`RecordEncoder string fields over a reused buffer (rememberIds: ${rememberIds})`, () => {
    test("every id leaves exactly its bytes and padding, whatever the field held before", () => {
      const buffer = new Uint8Array(3 * INPUT_SIZE).fill(0xab);
      const encoder = new RecordEncoder(buffer, { rememberIds });
      const clean = new Uint8Array(INPUT_SIZE);
      let compared = 0;
      for (let round = 0; round < 3; round++) {
        for (const a of IDS) {
          for (const b of IDS) {
            const input = event(a || "e", b, a + b);
            const at = (round + a.length + b.length) % 3;
            const refusal = encoder.encode(input, at);
            expect(refusal).toEqual(encodeInput(input, clean, 0));
            if (refusal) continue;
            const record = buffer.subarray(at * INPUT_SIZE, (at + 1) * INPUT_SIZE);
            for (const [name, width] of FIELDS) {
              const off = OFF.InputRecord[name]!;
              expect([...record.subarray(off, off + width)]).toEqual([...clean.subarray(off, off + width)]);
            }
            compared++;
          }
        }
      }
      expect(compared).toBeGreaterThan(300);
    });

    test("marks: the asset field is exact after every change of asset, at any reused record", () => {
      // [asset, record]: the kept asset comes back to a record that a longer, non-ASCII, refused
      // (too long in characters, or only in UTF-8 bytes) or missing asset has just used, and to the
      // other record.
      const steps: Array<[unknown, number]> = [
        ["BTC-USDT", 0],
        ["ABCDEFGHIJKL", 0],
        ["BTC-USDT", 0],
        ["ÉÉÉÉÉ-USDT", 1],
        ["BTC-USDT", 1],
        ["X".repeat(25), 0],
        ["BTC-USDT", 0],
        ["é".repeat(13), 0],
        ["BTC-USDT", 0],
        [7, 1],
        ["BTC-USDT", 1],
        [7, 1],
        ["A", 0],
        ["ETH-USDT", 0],
        ["A", 1],
        ["A", 0],
      ];
      const buffer = new Uint8Array(2 * INPUT_SIZE).fill(0xcd);
      const encoder = new RecordEncoder(buffer, { rememberIds });
      const clean = new Uint8Array(INPUT_SIZE);
      const off = OFF.InputRecord.asset!;
      steps.forEach(([asset, at], n) => {
        const input = { type: "MARK_PRICE", asset, price: 100 + n, now_ms: 1_700_000_000_000 + n };
        const refusal = encoder.encode(input, at);
        expect(refusal).toEqual(encodeInput(input, clean, 0));
        if (refusal) return;
        const record = buffer.subarray(at * INPUT_SIZE, (at + 1) * INPUT_SIZE);
        expect([...record.subarray(off, off + 24)]).toEqual([...clean.subarray(off, off + 24)]);
      });
    });

    test("an order id the record already holds is exact after any other use of the field", () => {
      // [venue order id, record]: repeats (the same string, or an equal one built anew) come back
      // after a longer, non-ASCII, refused, missing or empty id in the same record, and elsewhere
      // (with rememberIds, a repeat is not written again).
      const built = (s: string) => [...s].join("");
      const steps: Array<[unknown, number]> = [
        ["1800000000000000001", 0],
        ["1800000000000000001", 0],
        [built("1800000000000000001"), 0],
        ["18", 0],
        ["1800000000000000001", 0],
        ["é".repeat(10), 0],
        ["1800000000000000001", 0],
        ["x".repeat(33), 0],
        ["1800000000000000001", 0],
        [null, 0],
        ["1800000000000000001", 0],
        ["", 0],
        ["1800000000000000001", 1],
        ["1800000000000000001", 0],
        ["é".repeat(10), 1],
        ["é".repeat(10), 1],
        ["1800000000000000001", 1],
      ];
      const buffer = new Uint8Array(2 * INPUT_SIZE).fill(0xef);
      const encoder = new RecordEncoder(buffer, { rememberIds });
      const clean = new Uint8Array(INPUT_SIZE);
      const off = OFF.InputRecord.venue_order_id!;
      let exact = 0;
      steps.forEach(([venueId, at], n) => {
        const input = event(`e${n}`, venueId as string, "C1");
        const refusal = encoder.encode(input, at);
        expect(refusal).toEqual(encodeInput(input, clean, 0));
        if (refusal) return;
        const record = buffer.subarray(at * INPUT_SIZE, (at + 1) * INPUT_SIZE);
        expect([...record.subarray(off, off + 32)]).toEqual([...clean.subarray(off, off + 32)]);
        exact++;
      });
      expect(exact).toBe(steps.length - 1); // the 33-character id does not fit
    });
  });
