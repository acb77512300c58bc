/**
 * `reconnect()` racing a kernel's start: the new kernel adopts the regions (stores its pid, then
 * bumps the generation) while the client judges the writer's liveness. The client judged it alive,
 * so it must take that kernel's generation too; it read the header first and kept the dead
 * kernel's, so the next `submit` (which checks the generation before pushing) was
 * KernelRestartedError on a healthy kernel it had just reconnected to. The kernel is a fake libzinc
 * that answers every pushed intent at once.
 */

import { expect, test } from "bun:test";
import { AnsweringLane, fakeClient, KERNEL_GENERATION, KERNEL_PID, NEW_KERNEL_PID } from "../_support/client_fakes.ts";

const NEW_PID = NEW_KERNEL_PID;

/** A dead kernel's regions, adopted by a new kernel at the moment the client asks whether the writer is alive. */
class AdoptedDuringTheLivenessCheck extends AnsweringLane {
  pid = KERNEL_PID;
  generation = KERNEL_GENERATION;
  override zinc_header = (_h: number, out: Uint8Array) => {
    const dv = new DataView(out.buffer, out.byteOffset);
    dv.setUint32(8, this.pid, true);
    dv.setBigUint64(48, BigInt(this.generation), true);
    return 0;
  };
  override zinc_writer_alive = () => {
    if (this.pid === KERNEL_PID) [this.pid, this.generation] = [NEW_PID, KERNEL_GENERATION + 1];
    return 1;
  };
}

test("reconnect() while a new kernel adopts the regions takes that kernel's generation, and the next submit is answered", async () => {
  const kernel = new AdoptedDuringTheLivenessCheck();
  const client = fakeClient(kernel);
  try {
    const info = client.reconnect();
    expect([info.writerPid, info.kernelGeneration]).toEqual([NEW_PID, KERNEL_GENERATION + 1]);
    const o = await client.submit({ type: "MARK_PRICE", asset: "BTC-USDT", price: 1 });
    expect([o.origin, o.accepted, kernel.head]).toEqual(["KERNEL", true, 1]);
  } finally {
    client.close();
  }
});
