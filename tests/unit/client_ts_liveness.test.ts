/**
 * The TypeScript client judges the kernel's liveness on the state region's header, the one its
 * kernel identity comes from (connect and `reconnect` read the writer pid and generation there),
 * as the Python client does: a writer pid and a generation are one header's pair (ffi/README.md
 * §2, §7), never a pid from one region and a generation from another. A kernel closing its regions
 * cleanly (intents, state, outcomes: src/zinc/real_plane.ts) has a closed state region while the
 * outcomes region still names it: the client says the kernel is not running, not that it is alive.
 * The regions are a fake libzinc whose headers differ per handle.
 */

import { expect, test } from "bun:test";
import { KernelNotRunningError, KernelRestartedError } from "../../clients/typescript/index.ts";
import { fakeClient, HANDLES as H, KERNEL_GENERATION, KERNEL_PID, NEW_KERNEL_PID } from "../_support/client_fakes.ts";

/** Per handle: the header's writer pid, generation, and whether that writer is alive. */
class FakeRegions {
  readonly headers = new Map<number, { pid: number; generation: number; alive: boolean }>([
    [H.intents, { pid: KERNEL_PID, generation: KERNEL_GENERATION, alive: true }],
    [H.state, { pid: KERNEL_PID, generation: KERNEL_GENERATION, alive: true }],
    [H.outcomes, { pid: KERNEL_PID, generation: KERNEL_GENERATION, alive: true }],
  ]);
  zinc_seq = () => 0;
  zinc_outcome_lane_header = (_h: number, _lane: number, out: BigUint64Array) => {
    out[0] = 0n;
    out[1] = 0n;
    return 0;
  };
  zinc_header = (h: number, out: Uint8Array) => {
    const r = this.headers.get(h)!;
    const dv = new DataView(out.buffer, out.byteOffset);
    dv.setUint32(8, r.pid, true);
    dv.setBigUint64(48, BigInt(r.generation), true);
    return 0;
  };
  zinc_writer_alive = (h: number) => (this.headers.get(h)!.alive && this.headers.get(h)!.pid !== 0 ? 1 : 0);
  zinc_outcome_release = () => 0;
  zinc_close = () => 0;
}

test("a kernel that closed its state region is not running, though its outcomes region still names it", async () => {
  const lib = new FakeRegions();
  lib.headers.set(H.state, { pid: 0, generation: KERNEL_GENERATION, alive: false }); // clean close under way
  const c = fakeClient(lib);
  try {
    await expect(c.waitForChange(1)).rejects.toBeInstanceOf(KernelNotRunningError);
  } finally {
    c.close();
  }
});

test("a kernel whose state region's writer died is not running, whatever the outcomes region says", async () => {
  const lib = new FakeRegions();
  lib.headers.set(H.state, { pid: KERNEL_PID, generation: KERNEL_GENERATION, alive: false });
  const c = fakeClient(lib);
  try {
    await expect(c.waitForChange(1)).rejects.toBeInstanceOf(KernelNotRunningError);
  } finally {
    c.close();
  }
});

test("a state region adopted by a new kernel is a restart", async () => {
  const lib = new FakeRegions();
  lib.headers.set(H.state, { pid: NEW_KERNEL_PID, generation: KERNEL_GENERATION + 1, alive: true });
  const c = fakeClient(lib);
  try {
    await expect(c.waitForChange(1)).rejects.toBeInstanceOf(KernelRestartedError);
  } finally {
    c.close();
  }
});
