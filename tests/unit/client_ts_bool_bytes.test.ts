/**
 * A boolean byte of a state image (kernel/ABI.md: the account's `seeded`, a slot's `is_open`, an
 * order's `hung`) is 0 or 1; any other value is hostile bytes, decoded to a CorruptRegionError
 * naming the field, never to a wrong boolean (an unseeded account read as seeded would size
 * opens from an equity the kernel never had), as in the Python client.
 */

import { expect, test } from "bun:test";
import { CorruptRegionError, decodeAccount, decodeSlot } from "../../clients/typescript/index.ts";

/** An account image with `seeded` = `byte`. */
function account(byte: number): Uint8Array {
  const img = new Uint8Array(96);
  const dv = new DataView(img.buffer);
  dv.setFloat64(0, 100, true);
  dv.setFloat64(56, 100, true);
  img[80] = byte;
  return img;
}

/** A POSITION_OPEN slot 2 image with an entry order, `is_open` and the order's `hung` as given. */
function slot(isOpen: number, hung: number): Uint8Array {
  const img = new Uint8Array(448);
  const dv = new DataView(img.buffer);
  dv.setUint32(0, 2, true);
  img.set([3, 1], 4); // POSITION_OPEN, LONG
  dv.setBigUint64(8, 7n, true);
  dv.setBigInt64(24, 5_000_000n, true);
  img[42] = isOpen;
  img.set([1, 1, 4, 1, 1, 0, hung], 80); // present, BUY, FILLED, MARKET, ENTRY, leg 0, hung
  return img;
}

test("an account's seeded byte 0 or 1 is the boolean, any other value is a CorruptRegionError naming it", () => {
  expect(decodeAccount(account(0)).seeded).toBe(false);
  expect(decodeAccount(account(1)).seeded).toBe(true);
  for (const byte of [2, 0x7f, 0xff]) {
    expect(() => decodeAccount(account(byte))).toThrow(CorruptRegionError);
    expect(() => decodeAccount(account(byte))).toThrow(/seeded/);
  }
});

test("a slot's is_open and an order's hung byte other than 0 or 1 is a CorruptRegionError naming it", () => {
  const s = decodeSlot(slot(1, 0), 2);
  expect([s.isOpen, s.entryOrder?.hung]).toEqual([true, false]);
  expect(decodeSlot(slot(0, 1), 2).entryOrder?.hung).toBe(true);
  for (const byte of [2, 0xff]) {
    expect(() => decodeSlot(slot(byte, 0), 2)).toThrow(/is_open/);
    expect(() => decodeSlot(slot(1, byte), 2)).toThrow(/hung/);
    expect(() => decodeSlot(slot(byte, 0), 2)).toThrow(CorruptRegionError);
  }
});
