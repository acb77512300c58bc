/**
 * A raw `submit` to a kernel that restarted (a new kernel adopted the regions) since connect or the
 * last `reconnect()` is KernelRestartedError at once, and nothing is pushed: the strategy has not
 * reconciled yet (venue answers to its orders placed before the restart never come), however fast
 * the new kernel would answer. After `reconnect()` it submits as usual. As the Python client
 * (clients/python/tests/test_restart_change.py). The kernel is a fake libzinc that answers every
 * pushed intent at once.
 */

import { expect, test } from "bun:test";
import { KernelRestartedError } from "../../clients/typescript/index.ts";
import { AnsweringLane, fakeClient, KERNEL_GENERATION } from "../_support/client_fakes.ts";

test("submit after a restart, before reconnect(), is KernelRestartedError and pushes nothing; after it, it submits", async () => {
  const kernel = new AnsweringLane({ kernelGeneration: KERNEL_GENERATION + 1 }); // adopted after the client connected
  const client = fakeClient(kernel);
  try {
    const refused = client.submit({ type: "MARK_PRICE", asset: "BTC-USDT", price: 1 });
    await expect(refused).rejects.toBeInstanceOf(KernelRestartedError);
    expect(kernel.head).toBe(0); // nothing reached the ring, so nothing was answered
    client.reconnect();
    const o = await client.submit({ type: "MARK_PRICE", asset: "BTC-USDT", price: 1 });
    expect([o.origin, o.accepted, kernel.head]).toEqual(["KERNEL", true, 1]);
  } finally {
    client.close();
  }
});
