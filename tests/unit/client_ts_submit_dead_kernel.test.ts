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

/** A submit to a fake kernel whose header names `writerPid`: what it answered (or threw), and how many intents were pushed. */
async function submitTo(writerPid?: number) {
  const kernel = new AnsweringLane();
  if (writerPid !== undefined) kernel.writerPid = writerPid;
  const client = fakeClient(kernel);
  try {
    const answer = await client.submit(mark).catch((e: unknown) => e);
    return { answer, pushed: kernel.head };
  } finally {
    client.close();
  }
}

test("submit to a kernel whose process is gone (killed, not replaced) is KernelNotRunningError; nothing is pushed", async () => {
  const r = await submitTo(gonePid());
  expect(r.answer).toBeInstanceOf(KernelNotRunningError);
  expect(String(r.answer)).toContain("is not running: nothing was pushed");
  expect(r.pushed).toBe(0);
});

test("submit to a kernel that closed its regions (writer pid 0) is KernelNotRunningError; nothing is pushed", async () => {
  const r = await submitTo(0);
  expect([r.answer instanceof KernelNotRunningError, r.pushed]).toEqual([true, 0]);
});

test("a writer pid past 2^31 - 1 (hostile bytes) is no process: KernelNotRunningError, nothing pushed", async () => {
  // process.kill throws ERR_INVALID_ARG_TYPE for it, which was read as "exists"
  const r = await submitTo(0xffff_fff0);
  expect([r.answer instanceof KernelNotRunningError, r.pushed]).toEqual([true, 0]);
});

test("submit to a live kernel pushes and is answered", async () => {
  const r = await submitTo();
  expect(r.answer).toMatchObject({ origin: "KERNEL", accepted: true });
  expect(r.pushed).toBe(1);
});
