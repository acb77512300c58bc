/**
 * Hardening — memory. Each test is named after the memory anomaly it guards, on the real Zinc
 * regions under /dev/shm (libzinc, no service) and on raw kernel records: a seqlock left odd by a
 * writer that died mid-copy (a torn image), a region truncated under a process that maps it,
 * records and images of every size but the right one, non-UTF-8, unterminated and padded strings,
 * enum bytes out of range, reserved bytes set, ring wrap and a full ring, and the u32 futex word
 * wrapping while the u64 sequence counts on. Layout offsets: ffi/README.md and kernel/ABI.md.
 */

import { afterEach, expect, test } from "bun:test";
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { KernelInput } from "../../src/contracts/intents.ts";
import { InputRecords, RecordEncoder } from "../../src/kernel/index.ts";
import { RealZincPlane, ZincError, ZincRegion, ZincStateReader } from "../../src/zinc/index.ts";
import { codes, enter, event, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";
import {
  cleanupPrefixes,
  ensureLib,
  patternedSlot,
  regionPath,
  spawnFixture,
  uniquePrefix,
} from "../integration/zinc_support.ts";
import { applyRaw, OFF } from "./_raw.ts";

const kernel = kernelsPerTest({ slots: 4 });
afterEach(() => cleanupPrefixes());

function plane(tag: string, slotCount = 4, ringCapacity = 8): { p: RealZincPlane; prefix: string; lib: string } {
  const lib = ensureLib();
  const prefix = uniquePrefix(tag);
  return { p: RealZincPlane.open({ libPath: lib, prefix, slotCount, ringCapacity }), prefix, lib };
}

function poke(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, "r+");
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

function peek(path: string, offset: number, length: number): DataView {
  const buf = new Uint8Array(length);
  const fd = openSync(path, "r");
  readSync(fd, buf, 0, length, offset);
  closeSync(fd);
  return new DataView(buf.buffer);
}

const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};

/** Publishes the kernel's images into the plane, as the runtime's write-through mirror does. */
function mirror(p: RealZincPlane, k: ReturnType<typeof kernel>): void {
  const images = new Uint8Array(4 * 448);
  for (let i = 0; i < 4; i++) images.set(k.slotImage(i), i * 448);
  const dirty = new BigUint64Array(4);
  dirty[0] = 0b1111n;
  const account = new Uint8Array(96);
  p.publishState(images, dirty, account, k.stateHash());
}

test("a torn image: a slot seqlock left odd (writer died mid-copy) is never read as an image, and the next write heals it", () => {
  const { p, prefix } = plane("torn");
  const k = kernel();
  try {
    openPosition(k, 2, 1, 100);
    mirror(p, k);
    const good = p.readSlot(2);
    poke(regionPath(prefix, "state"), 256 + 2 * 512, u64(7n)); // odd: "being written"
    expect(() => p.readSlot(2)).toThrow(ZincError);
    try {
      p.readSlot(2);
    } catch (e) {
      expect(["RETRY_EXHAUSTED", "TORN"]).toContain((e as ZincError).code);
    }
    mirror(p, k);
    expect(p.readSlot(2)).toEqual(good);
  } finally {
    p.close();
  }
});

test("a torn account: the globals seqlock left odd makes the account read fail, not return half an image", () => {
  const { p, prefix } = plane("tornacc");
  try {
    poke(regionPath(prefix, "state"), 64, u64(3n));
    expect(() => p.readAccount()).toThrow(ZincError);
  } finally {
    p.close();
  }
});

async function truncatedUnder(mode: "reader" | "writer" | "producer"): Promise<{ code: number | null; out: string }> {
  const lib = ensureLib();
  const prefix = uniquePrefix(`trunc${mode}`);
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "fixtures/truncate_under.ts"), lib, prefix, mode], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  return { code, out: out.trim() };
}

for (const mode of ["reader", "writer", "producer"] as const) {
  const who = { reader: "a state reader", writer: "the state writer's next mirror", producer: "a ring producer" }[mode];
  test(`a region truncated under ${who}: a clear error, not a SIGBUS that kills the process`, async () => {
    const r = await truncatedUnder(mode);
    expect({ exit: r.code, out: r.out.slice(0, 6) }).toEqual({ exit: 0, out: "THREW " });
    expect(r.out).toContain("zinc error TRUNCATED (-11)");
  }, 20_000);
}

test("records of every size but 320 bytes are refused by the ring with an error naming the size; nothing is pushed", () => {
  const { p } = plane("sizes", 4, 4);
  try {
    for (let n = 0; n <= 2 * 320; n += 1) {
      if (n === 320) continue;
      expect(() => p.pushIntent(new Uint8Array(n))).toThrow(`got ${n}`);
    }
    expect(p.drainIntents(4, () => {})).toBe(0);
    expect(p.intentSeq()).toBe(0);
  } finally {
    p.close();
  }
});

test("slot images of every size but 448 bytes are refused by restoreSlot and change nothing", () => {
  const k = kernel();
  openPosition(k, 0);
  const image = k.slotImage(0).slice();
  const before = k.stateHash();
  for (const n of [0, 1, 447, 449, 896]) {
    const buf = new Uint8Array(n);
    buf.set(image.subarray(0, Math.min(n, 448)));
    expect(() => k.restoreSlot(buf, T0)).toThrow(`got ${n}`);
  }
  expect(k.stateHash()).toBe(before);
});

test("a batch claiming more records than its bytes hold, or a record buffer of a wrong size, is refused before the kernel", () => {
  expect(() => InputRecords.fromStrategy(new Uint8Array(320), 2)).toThrow("Invariant");
  expect(() => new RecordEncoder(new Uint8Array(321))).toThrow("Invariant");
});

const ENTER: KernelInput = {
  type: "ENTER",
  slot_id: 0,
  trade_id: "MEM1",
  asset: "BTC-USDT",
  side: "LONG",
  size: 1,
  price: null,
  leverage: 5,
  now_ms: T0,
};

function refusedRaw(
  k: ReturnType<typeof kernel>,
  input: KernelInput,
  patch: (b: Uint8Array, dv: DataView) => void,
): void {
  const before = k.stateHash();
  const o = applyRaw(k, input, patch);
  expect([o.accepted, o.diagnostics[0]?.code]).toEqual([false, "INVALID_INTENT"]);
  expect(k.stateHash()).toBe(before);
}

test("a non-UTF-8 trade id (bytes 0xC3 0x28) is INVALID_INTENT and changes nothing", () => {
  refusedRaw(kernel(), ENTER, (b) => b.set([0xc3, 0x28], OFF.trade_id + 1));
});

test("bytes hidden after the NUL padding of a trade id are refused (the padding must be zero)", () => {
  refusedRaw(kernel(), ENTER, (b) => b.set([0x41], OFF.trade_id + 20));
});

test("an unterminated asset (24 bytes, no NUL) is judged by its charset like any other; a NUL inside an event id is refused", () => {
  refusedRaw(kernel(), ENTER, (b) => b.fill(0x7a, OFF.asset, OFF.asset + 24)); // "zzz…": lower case is outside [A-Z0-9-]
  const k = kernel();
  enter(k, 0);
  const ev: KernelInput = {
    type: "VENUE_EVENT",
    slot_id: null,
    event: event("ACK", "T0-E", 0, 0, { event_id: "abcdefgh" }),
    now_ms: T0,
  };
  refusedRaw(k, ev, (b) => b.set([0x00, 0x41], OFF.event_id + 3));
});

test("event ids with non-UTF-8 bytes are accepted (any bytes but NUL) and two differing in one such byte are not duplicates", () => {
  const k = kernel();
  enter(k, 0, { size: 2 });
  const cid = k.slot(0).entry_order!.client_order_id;
  const fill = (cum: number): KernelInput => ({
    type: "VENUE_EVENT",
    slot_id: null,
    event: event("PARTIAL_FILL", cid, cum, 100, { event_id: "evt-xxxx" }),
    now_ms: T0 + 10,
  });
  const a = applyRaw(k, fill(1), (b) => b.set([0xff, 0xfe], OFF.event_id + 4));
  const b2 = applyRaw(k, fill(1.5), (b) => b.set([0xff, 0xfd], OFF.event_id + 4));
  expect([a.accepted, codes(a), b2.accepted, codes(b2)]).toEqual([true, [], true, []]);
  expect(k.slot(0).size).toBe(1.5);
  const dup = applyRaw(k, fill(1.5), (b) => b.set([0xff, 0xfd], OFF.event_id + 4));
  expect(codes(dup)).toEqual(["DUPLICATE_EVENT"]);
});

test("an input kind byte of 0 or 99 and enum bytes out of range (side 3, order type 0) are refused", () => {
  const k = kernel();
  refusedRaw(k, ENTER, (_b, dv) => dv.setUint16(OFF.kind, 0, true));
  refusedRaw(k, ENTER, (_b, dv) => dv.setUint16(OFF.kind, 99, true));
  refusedRaw(k, ENTER, (_b, dv) => dv.setUint8(OFF.side, 3));
  refusedRaw(k, ENTER, (_b, dv) => dv.setUint8(OFF.order_type, 0));
});

test("a slot image with a reserved byte set (bytes 45–47, 440–447, the entry order's 137–143), or all zero (never published), is refused by restoreSlot; nothing changes", () => {
  const k = kernel();
  openPosition(k, 1);
  const before = k.stateHash();
  expect(k.restoreSlot(new Uint8Array(448), T0).accepted).toBe(false);
  for (const at of [45, 47, 440, 447, 80 + 137, 80 + 143]) {
    const copy = k.slotImage(1).slice();
    copy[at] = 1;
    const o = k.restoreSlot(copy, T0);
    expect([at, o.accepted, codes(o)]).toEqual([at, false, ["INVALID_INTENT"]]);
  }
  expect(k.stateHash()).toBe(before);
  expect(k.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
});

test("ring wrap: a ring of 4 carries 10 000 records in order across 2 500 laps, none lost or repeated", () => {
  const { p } = plane("wrap", 4, 4);
  try {
    const rec = new Uint8Array(320);
    const dv = new DataView(rec.buffer);
    let next = 0;
    for (let sent = 0; sent < 10_000; sent++) {
      dv.setUint32(4, sent, true);
      expect(p.pushIntent(rec)).toBe("OK");
      if (sent % 3 === 2 || sent === 9_999)
        p.drainIntents(8, (r) => {
          expect(new DataView(r.buffer, r.byteOffset, 320).getUint32(4, true)).toBe(next++);
        });
    }
    expect(next).toBe(10_000);
  } finally {
    p.close();
  }
});

test("a full ring answers FULL at exactly its capacity and overwrites nothing; one drain makes room for one", () => {
  const { p } = plane("full", 4, 8);
  try {
    const rec = (n: number) => {
      const r = new Uint8Array(320);
      r[8] = n;
      return r;
    };
    for (let i = 0; i < 8; i++) expect(p.pushIntent(rec(i))).toBe("OK");
    expect(p.pushIntent(rec(99))).toBe("FULL");
    const got: number[] = [];
    p.drainIntents(1, (r) => got.push(r[8]!));
    expect(p.pushIntent(rec(8))).toBe("OK");
    p.drainIntents(16, (r) => got.push(r[8]!));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  } finally {
    p.close();
  }
});

test("sequence wrap: the u32 futex word at 0xFFFFFFFF wraps to 0 on publish, a waiter still wakes, the u64 sequence counts on", async () => {
  const { p, prefix, lib } = plane("seqwrap");
  const reader = ZincStateReader.open({ libPath: lib, prefix });
  const k = kernel();
  try {
    mirror(p, k);
    poke(regionPath(prefix, "state"), 12, new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    const seq = reader.stateSeq();
    const woke = reader.waitState(seq, 2_000);
    setTimeout(() => mirror(p, k), 20);
    expect(await woke).toBe(seq + 1);
    expect(peek(regionPath(prefix, "state"), 12, 4).getUint32(0, true)).toBe(0);
    expect(Number(peek(regionPath(prefix, "state"), 16, 8).getBigUint64(0, true))).toBe(seq + 1);
  } finally {
    reader.close();
    p.close();
  }
});

test("ring capacity bounds: 2 and 65536 open; 1, 3 (not a power of two) and 131072 are refused naming the capacity", () => {
  const lib = ensureLib();
  for (const c of [2, 65_536])
    RealZincPlane.open({ libPath: lib, prefix: uniquePrefix(`cap${c}`), slotCount: 1, ringCapacity: c }).close();
  for (const c of [1, 3, 131_072])
    expect(() =>
      RealZincPlane.open({ libPath: lib, prefix: uniquePrefix(`cap${c}`), slotCount: 1, ringCapacity: c }),
    ).toThrow();
});

test("libzinc itself refuses a record of the wrong length (a producer in another language), not only the TypeScript wrapper", () => {
  const { p, prefix, lib } = plane("shortpush", 4, 4);
  const region = ZincRegion.open({ libPath: lib, prefix, kind: "intents", recordCount: 0, writer: false });
  try {
    for (const len of [0, 100, 319, 321])
      expect(region.lib.zinc_ring_push(region.id, new Uint8Array(640), len)).toBe(-1);
    expect(p.drainIntents(4, () => {})).toBe(0);
  } finally {
    region.close();
    p.close();
  }
});

test("no lost wake-up: a publish wakes a lone sleeping waiter at once, not at the end of its 1 s sleep chunk", async () => {
  const { p, prefix, lib } = plane("wake");
  const reader = ZincStateReader.open({ libPath: lib, prefix });
  const k = kernel();
  try {
    const seq = reader.stateSeq();
    const woke = reader.waitState(seq, 5_000);
    await Bun.sleep(150); // the waiter is asleep on the futex by now
    const published = Bun.nanoseconds();
    mirror(p, k);
    expect(await woke).toBe(seq + 1);
    expect((Bun.nanoseconds() - published) / 1e6).toBeLessThan(400); // a lost wake would wait out the chunk (~850 ms)
  } finally {
    reader.close();
    p.close();
  }
});

test("a full ring of the minimum capacity (2) answers FULL too, and one drain makes room for exactly one", () => {
  const { p } = plane("full2", 4, 2);
  try {
    const rec = new Uint8Array(320);
    expect([p.pushIntent(rec), p.pushIntent(rec), p.pushIntent(rec)]).toEqual(["OK", "OK", "FULL"]);
    expect(p.drainIntents(1, () => {})).toBe(1);
    expect([p.pushIntent(rec), p.pushIntent(rec)]).toEqual(["OK", "FULL"]);
  } finally {
    p.close();
  }
});

test("torn reads under a live writer: a reader process never sees a mixed slot image while this process rewrites every slot", async () => {
  const { p, prefix, lib } = plane("hammer", 4, 8);
  try {
    const slots = new Uint8Array(4 * 448);
    const all = new BigUint64Array([0xfn, 0n, 0n, 0n]);
    const publish = (fill: number) => {
      for (let i = 0; i < 4; i++) slots.set(patternedSlot(i, fill), i * 448);
      p.publishState(slots, all, new Uint8Array(96), BigInt(fill));
    };
    publish(1);
    const reader = spawnFixture("zinc_state_hammer.ts", [lib, prefix, "400000", "seqlock"]);
    let done = false;
    reader.exited.then(() => (done = true));
    let writes = 0;
    for (let burst = 0; burst < 20_000 && !done; burst++) {
      for (let k = 0; k < 200; k++) publish(writes++ & 0xff);
      await Bun.sleep(0);
    }
    expect(await reader.exited).toBe(0);
    const r = JSON.parse(await new Response(reader.stdout).text()) as {
      reads: number;
      torn: number;
      distinctFills: number;
    };
    expect(r.distinctFills).toBeGreaterThan(2); // the reader really raced the writer (several rewrites seen)
    expect([r.reads, r.torn]).toEqual([400_000, 0]);
  } finally {
    p.close();
  }
}, 60_000);
