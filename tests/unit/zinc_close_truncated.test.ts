/**
 * libzinc's `zinc_close` on a region whose file was truncated under its mapping (a stray
 * `truncate`, a full /dev/shm): the close writes the header (wakes its waiters; a writer marks
 * the region closed cleanly), which used to raise SIGBUS outside libzinc's guard and kill the
 * process at its shutdown. The header writes run under the guard now: the close returns, and the
 * process goes on. Run in a child process, since the failure is the process dying.
 */

import { expect, test } from "bun:test";
import { join } from "node:path";

test("closing a region truncated under its mapping does not kill the process", () => {
  const prefix = `dita_test_close_trunc_${process.pid}`;
  const r = Bun.spawnSync([process.execPath, join(import.meta.dir, "fixtures/close_truncated_region.ts"), prefix], {
    stdout: "pipe",
    stderr: "pipe",
  });
  expect({ code: r.exitCode, signal: r.signalCode ?? null, out: r.stdout.toString().trim() }).toEqual({
    code: 0,
    signal: null,
    out: "closed",
  });
});
