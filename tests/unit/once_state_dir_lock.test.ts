/**
 * `dita-v2 once` on the state directory of a running serve is refused (exit 3, naming the holder)
 * and touches nothing there (src/launcher/once.ts). It ran: it opened serve's spool files and
 * appended to them at its own offsets while serve appended at the offsets it keeps in memory (two
 * writers overwriting each other's rows), wrote their acknowledgements and could compact them by
 * rename under serve. Once done, `once` leaves the lock free for the next serve.
 */

import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOnce } from "../../src/launcher/index.ts";
import { lockStateDir, StateDirInUse } from "../../src/launcher/state_dir_lock.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "dita-once-lock-"));
  dirs.push(d);
  return d;
}

test("once on a state dir a serve holds is refused with exit 3 naming the holder, and writes no spool there", async () => {
  const dir = tmp();
  const release = lockStateDir(dir); // what a running serve holds
  let refused: unknown = null;
  try {
    await runOnce({ DITA_V2_STATE_DIR: dir });
  } catch (e) {
    refused = e;
  } finally {
    release();
  }
  expect(refused).toBeInstanceOf(StateDirInUse);
  expect((refused as StateDirInUse).exitCode).toBe(3);
  expect((refused as Error).message).toContain(`state dir ${dir} is in use by another serve (pid ${process.pid},`);
  expect(existsSync(join(dir, "spool"))).toBe(false);
});

test("once on a free state dir runs, and leaves the lock free for the serve that follows", async () => {
  const dir = tmp();
  const status = await runOnce({ DITA_V2_STATE_DIR: dir });
  expect(status.strategy).toBe("pink");
  lockStateDir(dir)();
});
