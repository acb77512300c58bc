/**
 * One serve per state directory (src/launcher/state_dir_lock.ts): the lock on
 * `<state dir>/serve.lock` refuses a second holder naming the first one's pid, in this process
 * and in another; it is free again once released, and once its holder died (the OS drops a
 * flock with its process: a kill -9'd serve never blocks its successor).
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockStateDir, StateDirInUse } from "../../src/launcher/state_dir_lock.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "dita-lock-"));
  dirs.push(d);
  return d;
}

const HOLD = `
const { lockStateDir } = await import(process.argv[2]);
lockStateDir(process.argv[3]);
console.log("held");
await Bun.sleep(60_000);
`;

test("a second serve on the same state dir is refused naming the holder's pid; free again once released", () => {
  const dir = tmp();
  const release = lockStateDir(dir);
  let refused: unknown = null;
  try {
    lockStateDir(dir)();
  } catch (e) {
    refused = e;
  }
  expect(refused).toBeInstanceOf(StateDirInUse);
  expect((refused as StateDirInUse).exitCode).toBe(3);
  expect((refused as Error).message).toBe(
    `state dir ${dir} is in use by another serve (pid ${process.pid}, ${join(dir, "serve.lock")}): one serve per state directory; stop that one or use another DITA_V2_STATE_DIR`,
  );
  release();
  lockStateDir(dir)();
});

test("a lock held by another process refuses this one; when that process is killed (-9) the lock is free", async () => {
  const dir = tmp();
  const script = join(dir, "hold.ts");
  await Bun.write(script, HOLD);
  const child = Bun.spawn(
    [process.execPath, script, join(import.meta.dir, "../../src/launcher/state_dir_lock.ts"), dir],
    {
      stdout: "pipe",
    },
  );
  const reader = child.stdout.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toBe("held\n");
  expect(() => lockStateDir(dir)).toThrow(`in use by another serve (pid ${child.pid},`);
  child.kill(9);
  await child.exited;
  lockStateDir(dir)();
});
