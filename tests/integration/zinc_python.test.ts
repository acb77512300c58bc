/**
 * Another language, following only ffi/README.md: a stdlib-only Python program reads slot
 * images and the state hash from the state region and pushes a record into the intent ring;
 * this side reads the record back byte-exact.
 */

import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { RealZincPlane } from "../../src/zinc/index.ts";
import { cleanupPrefixes, ensureLib, FIXTURES, patternedSlot, uniquePrefix } from "./zinc_support.ts";

const libPath = ensureLib();
afterEach(cleanupPrefixes);

test("a stdlib-only Python client reads slot images and pushes an intent the kernel side reads byte-exact", async () => {
  const prefix = uniquePrefix("python");
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 3, ringCapacity: 8 });
  const slots = new Uint8Array(3 * 448);
  for (let i = 0; i < 3; i++) slots.set(patternedSlot(i, 0x30 + i), i * 448);
  plane.publishState(
    slots,
    new BigUint64Array([0b111n, 0n, 0n, 0n]),
    new Uint8Array(96).fill(0x5a),
    0x1122334455667788n,
  );
  const seq = plane.intentSeq();
  const woke = plane.waitIntents(seq, 10_000);
  const py = Bun.spawn(["python3", join(FIXTURES, "zinc_client.py"), prefix, "11"], { stdout: "pipe", stderr: "pipe" });
  expect(await py.exited).toBe(0);
  const out = JSON.parse(await new Response(py.stdout).text()) as {
    writer_pid: number;
    slot_count: number;
    slots: string[];
    state_hash: string;
    account: string;
    push: string;
  };
  expect(out.writer_pid).toBe(process.pid);
  expect(out.slot_count).toBe(3);
  for (let i = 0; i < 3; i++) expect(out.slots[i]).toBe(Buffer.from(patternedSlot(i, 0x30 + i)).toString("hex"));
  expect(BigInt(out.state_hash)).toBe(0x1122334455667788n);
  expect(out.account).toBe("5a".repeat(96));
  expect(out.push).toBe("OK");
  expect(await woke).toBeGreaterThan(seq); // the Python push woke our futex waiter
  const got: Uint8Array[] = [];
  expect(plane.drainIntents(10, (b) => got.push(b.slice()))).toBe(1);
  expect(got[0]).toEqual(Uint8Array.from({ length: 320 }, (_, i) => (i * 7 + 11) & 0xff));
  plane.close();
});
