/**
 * The one contract every `ZincPlane` implementation passes (one shared suite per
 * interface). `make` returns a fresh plane with 4 slots and an 8-record ring.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { ZincPlane } from "../../src/zinc/index.ts";
import { patternedSlot, recordIsIntact, taggedRecord } from "./zinc_support.ts";

export function zincContract(name: string, make: () => ZincPlane, cleanup: () => void): void {
  describe(`ZincPlane contract: ${name}`, () => {
    let plane: ZincPlane | null = null;
    const open = (): ZincPlane => (plane = make());
    afterEach(() => {
      plane?.close();
      plane = null;
      cleanup();
    });

    test("drains pushed intents in push order, byte-exact, each exactly once", () => {
      const p = open();
      for (let n = 0; n < 5; n++) expect(p.pushIntent(taggedRecord(1, n))).toBe("OK");
      const got: Uint8Array[] = [];
      expect(p.drainIntents(100, (b) => got.push(b.slice()))).toBe(5);
      expect(got.map((b) => new DataView(b.buffer).getUint32(4, true))).toEqual([0, 1, 2, 3, 4]);
      expect(got.every(recordIsIntact)).toBe(true);
      expect(p.drainIntents(100, () => undefined)).toBe(0);
    });

    test("a full ring answers FULL, overwrites nothing, and loses nothing after draining", () => {
      const p = open();
      for (let n = 0; n < p.ringCapacity; n++) expect(p.pushIntent(taggedRecord(2, n))).toBe("OK");
      expect(p.pushIntent(taggedRecord(2, 999))).toBe("FULL");
      const got: number[] = [];
      p.drainIntents(3, (b) => got.push(new DataView(b.buffer, b.byteOffset).getUint32(4, true)));
      for (let n = p.ringCapacity; n < p.ringCapacity + 3; n++) expect(p.pushIntent(taggedRecord(2, n))).toBe("OK");
      expect(p.pushIntent(taggedRecord(2, 999))).toBe("FULL");
      p.drainIntents(100, (b) => got.push(new DataView(b.buffer, b.byteOffset).getUint32(4, true)));
      expect(got).toEqual(Array.from({ length: p.ringCapacity + 3 }, (_, i) => i));
    });

    test("a push advances the intent sequence and wakes a waiter on the old sequence", async () => {
      const p = open();
      const s0 = p.intentSeq();
      const woke = p.waitIntents(s0, 5000);
      setTimeout(() => p.pushIntent(taggedRecord(3, 0)), 20);
      expect(await woke).toBeGreaterThan(s0);
    });

    test("a wait on a stale sequence resolves at once; a wait with no publish times out unchanged", async () => {
      const p = open();
      p.pushIntent(taggedRecord(3, 1));
      expect(await p.waitIntents(p.intentSeq() - 1, 5000)).toBe(p.intentSeq());
      const s = p.stateSeq();
      expect(await p.waitState(s, 50)).toBe(s);
    });

    test("publishState copies only the dirty slots and the account, then notifies state waiters", async () => {
      const p = open();
      const slots = new Uint8Array(p.slotCount * 448);
      for (let i = 0; i < p.slotCount; i++) slots.set(patternedSlot(i, 10 + i), i * 448);
      const s0 = p.stateSeq();
      const woke = p.waitState(s0, 5000);
      p.publishState(slots, new BigUint64Array([0b0101n, 0n, 0n, 0n]), new Uint8Array(96).fill(7), 0xfeedn);
      expect(await woke).toBeGreaterThan(s0);
      expect(p.readSlot(0)).toEqual(patternedSlot(0, 10));
      expect(p.readSlot(1)).toEqual(new Uint8Array(448));
      expect(p.readSlot(2)).toEqual(patternedSlot(2, 12));
      expect(p.readAccount()).toEqual(new Uint8Array(96).fill(7));
      expect(p.readStateHash()).toBe(0xfeedn);
    });

    test("readSlot returns a stable copy that later publishes do not change", () => {
      const p = open();
      const slots = new Uint8Array(p.slotCount * 448);
      slots.set(patternedSlot(0, 1), 0);
      p.publishState(slots, new Uint32Array([1, 0, 0, 0, 0, 0, 0, 0]), new Uint8Array(96), 1n);
      const before = p.readSlot(0);
      slots.set(patternedSlot(0, 2), 0);
      p.publishState(slots, new Uint32Array([1, 0, 0, 0, 0, 0, 0, 0]), new Uint8Array(96), 2n);
      expect(before).toEqual(patternedSlot(0, 1));
      expect(p.readSlot(0)).toEqual(patternedSlot(0, 2));
    });

    test("a published image whose slot_id does not match its slot is refused on read", () => {
      const p = open();
      const slots = new Uint8Array(p.slotCount * 448);
      slots.set(patternedSlot(3, 1), 0);
      p.publishState(slots, new BigUint64Array([1n, 0n, 0n, 0n]), new Uint8Array(96), 1n);
      expect(() => p.readSlot(0)).toThrow(/slot 0 image has slot_id 3/);
    });

    test("wrong record and image sizes are programmer errors", () => {
      const p = open();
      expect(() => p.pushIntent(new Uint8Array(319))).toThrow(/Invariant/);
      expect(() => p.publishState(new Uint8Array(10), new BigUint64Array(4), new Uint8Array(96), 0n)).toThrow(
        /Invariant/,
      );
      expect(() => p.readSlot(p.slotCount)).toThrow(/Invariant/);
    });
  });
}
