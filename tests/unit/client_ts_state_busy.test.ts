/**
 * The TypeScript client's reads of a busy kernel. A kernel that mirrors its state all the time
 * makes seqlock reads retry (libzinc answers 1, "retry exhausted") and `state()` re-read (the
 * mirror count moved): contention, not corruption. The client retries for a time bound
 * (READ_BUSY_MS on its monotonic clock), so a busy but healthy kernel is read; past the bound it
 * throws StateBusyError (code STATE_BUSY), never CorruptRegionError, which stays for bytes that
 * do not decode; and the seam surfaces a busy state read as a retryable CLIENT refusal instead of
 * rejecting `execute`. The kernel is a fake libzinc and the clock a counter that moves when read,
 * so nothing depends on the machine's speed.
 */

import { expect, test } from "bun:test";
import {
  CorruptRegionError,
  type DitaClient,
  openLong,
  READ_BUSY_MS,
  Seam,
  StateBusyError,
} from "../../clients/typescript/index.ts";
import { fakeClient } from "../_support/client_fakes.ts";

/** A state region whose seqlock reads answer "busy" `busyReads` times first, and whose mirror
 * count moves by `mirrorsPerRead` at every account read (a kernel that mirrors all the time). */
class BusyKernel {
  busyReads = 0;
  mirrorsPerRead = 0;
  mirrorCount = 1;
  accountReads = 0;
  pushes = 0;
  /** The account read from which the kernel goes quiet. */
  quietFrom = Number.POSITIVE_INFINITY;

  private seqlock(out: Uint8Array): number {
    if (this.busyReads > 0) {
      this.busyReads--;
      return 1;
    }
    out.fill(0);
    return 0;
  }
  zinc_check = () => 0;
  zinc_state_read_slot = (_h: number, _i: number, out: Uint8Array) => this.seqlock(out);
  zinc_state_read_account = (_h: number, out: Uint8Array, pair: BigUint64Array) => {
    const rc = this.seqlock(out);
    if (rc === 0) {
      if (++this.accountReads >= this.quietFrom) this.mirrorsPerRead = 0;
      this.mirrorCount += this.mirrorsPerRead;
      pair[0] = 0n;
      pair[1] = BigInt(this.mirrorCount);
    }
    return rc;
  };
  zinc_outcome_lane_header = (_h: number, _lane: number, out: BigUint64Array) => {
    out.fill(0n);
    return 0;
  };
  zinc_seq = () => 0;
  zinc_ring_push = () => {
    this.pushes++;
    return 0;
  };
  zinc_outcome_release = () => 0;
  zinc_close = () => 0;
}

/** A client of `kernel` whose monotonic clock moves `stepMs` at every read. */
function client(kernel: BusyKernel, stepMs = 0.001): DitaClient {
  let now = 0;
  return fakeClient(kernel, { monoMs: () => (now += stepMs) });
}

test("a slot or account read the kernel keeps busy for a while is read, not called corrupt", () => {
  const kernel = new BusyKernel();
  const c = client(kernel);
  kernel.busyReads = 200;
  expect(c.slot(0).stage).toBe("IDLE");
  kernel.busyReads = 200;
  expect(c.account().seeded).toBe(false);
});

test("a state view of a kernel that mirrors between many reads is still taken", () => {
  const kernel = new BusyKernel();
  const c = client(kernel);
  kernel.mirrorsPerRead = 1;
  kernel.quietFrom = 300;
  expect(c.state().slots.length).toBe(1);
});

test("a read busy past the time bound is StateBusyError, not CorruptRegionError", () => {
  const kernel = new BusyKernel();
  const c = client(kernel, READ_BUSY_MS / 50);
  kernel.busyReads = 1e9;
  let thrown: unknown = null;
  try {
    c.slot(0);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(StateBusyError);
  expect(thrown).not.toBeInstanceOf(CorruptRegionError);
  expect((thrown as StateBusyError).code).toBe("STATE_BUSY");
  expect((thrown as Error).message).toContain("slot 0");
  kernel.busyReads = 0;
  kernel.mirrorsPerRead = 1;
  expect(() => c.state()).toThrow(StateBusyError);
});

test("the seam surfaces a busy state read as a retryable CLIENT refusal and pushes nothing", async () => {
  const kernel = new BusyKernel();
  const c = client(kernel, READ_BUSY_MS / 50);
  kernel.mirrorsPerRead = 1;
  const r = await new Seam(c).execute(openLong("BTC-USDT", { size: 0.01, leverage: 2 }));
  expect(r.ok).toBe(false);
  expect(r.refusals.map((x) => [x.origin, x.code, x.retryable])).toEqual([["CLIENT", "STATE_BUSY", true]]);
  expect(kernel.pushes).toBe(0);
});
