/**
 * A raw `submit` to a kernel that is gone pushes nothing: KernelNotRunningError at once. Found by an
 * audit: `submit` checked only the generation before it pushed, so an intent submitted after the
 * kernel was killed went into its ring, the strategy was told the kernel was not running, and the
 * next kernel to adopt the regions ran it (a position opened long after the order was given up).
 * As the Python client (clients/python/tests/test_liveness.py). The kernel is a fake libzinc that
 * answers every pushed intent at once, whose header names a writer pid the test chooses.
 */

import { expect, test } from "bun:test";
import { KernelNotRunningError } from "../../clients/typescript/index.ts";
import { AnsweringLane, fakeClient } from "../_support/client_fakes.ts";

/** The pid of a process that ran and was reaped: no process has it (until the kernel reuses it). */
const gonePid = () => Bun.spawnSync(["true"]).pid;

const mark = { type: "MARK_PRICE", asset: "BTC-USDT", price: 1 } as const;

test("submit to a kernel whose process is gone (killed, not replaced) is KernelNotRunningError; nothing is pushed", async () => {
  const kernel = new AnsweringLane();
  kernel.writerPid = gonePid();
  const client = fakeClient(kernel);
  try {
    await expect(client.submit(mark)).rejects.toThrow(/is not running: nothing was pushed/);
    await expect(client.submit(mark)).rejects.toBeInstanceOf(KernelNotRunningError);
    expect(kernel.head).toBe(0);
  } finally {
    client.close();
  }
});

test("submit to a kernel that closed its regions (writer pid 0) is KernelNotRunningError; nothing is pushed", async () => {
  const kernel = new AnsweringLane();
  kernel.writerPid = 0;
  const client = fakeClient(kernel);
  try {
    await expect(client.submit(mark)).rejects.toBeInstanceOf(KernelNotRunningError);
    expect(kernel.head).toBe(0);
  } finally {
    client.close();
  }
});

test("a writer pid past 2^31 - 1 (hostile bytes) is no process: KernelNotRunningError, nothing pushed", async () => {
  const kernel = new AnsweringLane();
  kernel.writerPid = 0xffff_fff0; // process.kill throws ERR_INVALID_ARG_TYPE for it, which read as "exists"
  const client = fakeClient(kernel);
  try {
    await expect(client.submit(mark)).rejects.toBeInstanceOf(KernelNotRunningError);
    expect(kernel.head).toBe(0);
  } finally {
    client.close();
  }
});

test("submit to a live kernel pushes and is answered", async () => {
  const kernel = new AnsweringLane();
  const client = fakeClient(kernel);
  try {
    const o = await client.submit(mark);
    expect([o.origin, o.accepted, kernel.head]).toEqual(["KERNEL", true, 1]);
  } finally {
    client.close();
  }
});
