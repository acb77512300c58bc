/**
 * A kernel restart seen by `waitForChange`: the kernel that adopts the regions mirrors its state as
 * it starts (the state sequence moves), so the change a waiting strategy sees is the restart
 * itself. It is KernelRestartedError, not an ordinary new sequence (a strategy looping on
 * `waitForChange` would otherwise never learn of it and never reconcile: venue answers to orders
 * placed before the restart never come). After `reconnect()` the change is answered as usual. As
 * the Python client. The kernel is a fake libzinc whose header changes between two sequence reads.
 */

import { expect, test } from "bun:test";
import { KernelRestartedError } from "../../clients/typescript/index.ts";
import { fakeClient, KERNEL_PID, NEW_KERNEL_PID } from "../_support/client_fakes.ts";

/** A kernel that restarts (a new pid and generation) and mirrors once, right after the client's first sequence read. */
class Restarting {
  pid = KERNEL_PID; // the fake client's KERNEL_PID and KERNEL_GENERATION
  generation = 7;
  seq = 5;
  seqReads = 0;
  zinc_seq = () => {
    if (++this.seqReads === 2) {
      this.pid = NEW_KERNEL_PID;
      this.generation++;
      this.seq++;
    }
    return this.seq;
  };
  zinc_header = (_h: number, out: Uint8Array) => {
    const dv = new DataView(out.buffer, out.byteOffset);
    dv.setUint32(8, this.pid, true);
    dv.setBigUint64(16, BigInt(this.seq), true);
    dv.setBigUint64(48, BigInt(this.generation), true);
    return 0;
  };
  zinc_writer_alive = () => 1;
  zinc_outcome_lane_header = (_h: number, _lane: number, out: BigUint64Array) => {
    out.fill(0n);
    return 0;
  };
  zinc_outcome_release = () => 0;
  zinc_close = () => 0;
}

test("the change a restart makes is KernelRestartedError to waitForChange; after reconnect() it is answered", async () => {
  const k = new Restarting();
  const client = fakeClient(k, { stateSeq: 5 }); // connected to KERNEL_PID of generation 7 at sequence 5
  try {
    await expect(client.waitForChange(5000)).rejects.toBeInstanceOf(KernelRestartedError);
    expect(client.reconnect()).toMatchObject({ writerPid: NEW_KERNEL_PID, kernelGeneration: 8 });
    expect(await client.waitForChange(0)).toBe(6); // the change is still unseen: answered at once
    expect(await client.waitForChange(0)).toBeNull();
  } finally {
    client.close();
  }
});
