/**
 * Write-through, for real: a Rust kernel (ExecutionKernel) whose mirror is a RealZincPlane on
 * /dev/shm. After every kind of mutation (seed, ENTER, venue ACK / PARTIAL_FILL / FULL_FILL,
 * MARK_PRICE, TICK raising the hung flag, MARK_STALE + RECONCILE, a direct slot write, CONFIGURE)
 * the region's slot images, account image and state hash equal the kernel's own bytes the moment
 * the call returns: no flush exists to call. A separate process (the stdlib Python strategy
 * fixture) then reads the same bytes from the region.
 */

import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { decodeAccount } from "../../src/kernel/decoder.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { RealZincPlane } from "../../src/zinc/index.ts";
import { event, T0 } from "../_support/kernel.ts";
import { cleanupPrefixes, ensureLib, uniquePrefix } from "./zinc_support.ts";

const libPath = ensureLib();
const PY_STRATEGY = join(import.meta.dir, "../e2e/fixtures/py_strategy.py");
const SLOTS = 4;

let kernel: ExecutionKernel | null = null;
let plane: RealZincPlane | null = null;
afterEach(() => {
  kernel?.destroy();
  plane?.close();
  kernel = null;
  plane = null;
  cleanupPrefixes();
});

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** The region equals the kernel, byte for byte, with nothing in between (no flush, no await). */
function expectRegionEqualsKernel(k: ExecutionKernel, p: RealZincPlane, after: string): void {
  for (let i = 0; i < SLOTS; i++) {
    const kernelImage = k.slotImage(i);
    const regionImage = p.readSlot(i);
    // A slot the kernel never changed was never published: the region holds zeros for it.
    const expected = k.slot(i).version === 0 ? new Uint8Array(448) : kernelImage;
    if (hex(regionImage) !== hex(expected))
      throw new Error(`after ${after}: slot ${i} differs between region and kernel`);
  }
  expect({ after, hash: p.readStateHash() }).toEqual({ after, hash: k.stateHash() });
  const region = p.readAccount();
  expect({ after, account: hex(region) }).toEqual({ after, account: hex(accountBytes(k)) });
  expect({ after, account: decodeAccount(new DataView(region.buffer, region.byteOffset, 96)) }).toEqual({
    after,
    account: k.account(),
  });
}

/**
 * The kernel's live account image: the mirror is handed a zero-copy view of kernel memory, so
 * the spy in `open` keeps that view and it always shows the kernel's current account bytes.
 */
let kernelAccount: Uint8Array | null = null;

function accountBytes(_k: ExecutionKernel): Uint8Array {
  if (kernelAccount === null) throw new Error("test setup: the kernel has not published yet");
  return kernelAccount;
}

function open(prefix: string): { k: ExecutionKernel; p: RealZincPlane } {
  const p = RealZincPlane.open({ libPath, prefix, slotCount: SLOTS, ringCapacity: 16 });
  const k = ExecutionKernel.open({ slotCount: SLOTS, activeSlotLimit: SLOTS, hungOrderMs: 5_000, mirror: p });
  const publish = p.publishState.bind(p);
  kernelAccount = null;
  p.publishState = (slots, dirty, account, h) => {
    kernelAccount = account;
    publish(slots, dirty, account, h);
  };
  return { k, p };
}

test("after every kind of mutation the state region equals the kernel before the call returns (no flush)", () => {
  ({ k: kernel, p: plane } = open(uniquePrefix("kwrite")));
  const k = kernel;
  const p = plane;
  const step = (what: string, f: () => { accepted: boolean }, accepted = true) => {
    const before = p.stateSeq();
    expect({ what, accepted: f().accepted }).toEqual({ what, accepted });
    expect(p.stateSeq()).toBeGreaterThan(before); // published (and notified) inside the call
    expectRegionEqualsKernel(k, p, what);
  };
  step("SEED_CAPITAL", () => k.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: T0 }));
  step("ENTER", () =>
    k.apply({
      type: "ENTER",
      slot_id: 0,
      trade_id: "W1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 1,
      price: null,
      leverage: 5,
      now_ms: T0 + 1,
    }),
  );
  expect(k.slot(0).stage).toBe("ENTRY_WORKING");
  const coid = k.slot(0).entry_order!.client_order_id;
  step("venue ACK", () =>
    k.apply({ type: "VENUE_EVENT", slot_id: null, event: event("ACK", coid, 0, 0), now_ms: T0 + 2 }),
  );
  step("venue PARTIAL_FILL", () =>
    k.apply({
      type: "VENUE_EVENT",
      slot_id: null,
      event: event("PARTIAL_FILL", coid, 0.4, 100, { fee_cumulative: 0.02 }),
      now_ms: T0 + 3,
    }),
  );
  step("venue FULL_FILL", () =>
    k.apply({
      type: "VENUE_EVENT",
      slot_id: null,
      event: event("FULL_FILL", coid, 1, 100, { fee_cumulative: 0.05 }),
      now_ms: T0 + 4,
    }),
  );
  expect(k.slot(0).stage).toBe("POSITION_OPEN");
  const openImage = k.slotImage(0).slice();
  step("MARK_PRICE", () => k.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 101, now_ms: T0 + 5 }));
  expect(p.readSlot(0)).toEqual(k.slotImage(0));
  step("ENTER (limit, slot 1)", () =>
    k.apply({
      type: "ENTER",
      slot_id: 1,
      trade_id: "W2",
      asset: "ETH-USDT",
      side: "SHORT",
      size: 2,
      price: 9_000,
      leverage: 3,
      now_ms: T0 + 6,
    }),
  );
  step("TICK (hung order)", () => k.apply({ type: "TICK", now_ms: T0 + 60_000 }));
  expect(k.slot(1).entry_order!.hung).toBe(true);
  expect(new DataView(p.readSlot(1).buffer).getUint8(80 + 6)).toBe(1); // OrderImage.hung in the region
  step("MARK_STALE", () => k.apply({ type: "MARK_STALE", slot_id: 0, reason: "OPERATOR", now_ms: T0 + 60_001 }));
  expect(p.readSlot(0)[4]).toBe(6); // STALE_STATE_RECONCILING
  step("RECONCILE", () =>
    k.apply({
      type: "RECONCILE",
      slot_id: 0,
      truth: { side: "LONG", size: 1, avg_price: 100, open_order: null },
      now_ms: T0 + 60_002,
    }),
  );
  expect(p.readSlot(0)[4]).toBe(3); // POSITION_OPEN again
  step("restoreSlot (direct slot write)", () => k.restoreSlot(openImage, T0 + 60_003));
  step("CONFIGURE", () => k.apply({ type: "CONFIGURE", key: "ACTIVE_SLOT_LIMIT", value: 2, now_ms: T0 + 60_004 }));
  expect(k.config().active_slot_limit).toBe(2);
});

test("a process in another language reads the very bytes the kernel holds", async () => {
  const prefix = uniquePrefix("kpy");
  ({ k: kernel, p: plane } = open(prefix));
  const k = kernel;
  k.apply({ type: "SEED_CAPITAL", capital: 5_000, now_ms: T0 });
  k.apply({
    type: "ENTER",
    slot_id: 2,
    trade_id: "PY1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.5,
    price: null,
    leverage: 2,
    now_ms: T0 + 1,
  });
  const coid = k.slot(2).entry_order!.client_order_id;
  k.apply({ type: "VENUE_EVENT", slot_id: null, event: event("FULL_FILL", coid, 0.5, 64_000), now_ms: T0 + 2 });
  k.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 64_100, now_ms: T0 + 3 });
  k.apply({ type: "CONFIGURE", key: "HUNG_ORDER_MS", value: 7_000, now_ms: T0 + 4 });
  const py = Bun.spawn(["python3", PY_STRATEGY, "dump", prefix], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([
    py.exited,
    new Response(py.stdout).text(),
    new Response(py.stderr).text(),
  ]);
  expect({ code, err }).toEqual({ code: 0, err: "" });
  const dump = JSON.parse(out) as {
    writer_pid: number;
    slots: string[];
    account: string;
    state_hash: string;
    seq: number;
  };
  expect(dump.writer_pid).toBe(process.pid);
  expect(dump.slots[2]).toBe(hex(k.slotImage(2)));
  expect(dump.slots[0]).toBe("00".repeat(448)); // never changed, never published
  expect(BigInt(dump.state_hash)).toBe(k.stateHash());
  expect(dump.account).toBe(hex(accountBytes(k)));
  expect(dump.seq).toBe(plane.stateSeq());
});
