/**
 * One serve per state directory (src/launcher/state_dir_lock.ts): the lock on
 * `<state dir>/serve.lock` refuses a second holder naming the first one's pid, in this process
 * and in another; it is free again once released, and once its holder died (the OS drops a
 * flock with its process: a kill -9'd serve never blocks its successor). A lock file that cannot be
 * opened, and a state dir that is a file, are one line naming DITA_V2_STATE_DIR.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeStateDir } from "../../src/launcher/bundle.ts";
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

test("a lock file that cannot be opened is one line naming DITA_V2_STATE_DIR and the file, not a bare EISDIR/EACCES", () => {
  const dir = tmp();
  mkdirSync(join(dir, "serve.lock")); // what cannot be opened as a file, root or not
  expect(() => lockStateDir(dir)).toThrow(
    `DITA_V2_STATE_DIR: cannot open '${join(dir, "serve.lock")}' (EISDIR): the state directory must be writable by this user`,
  );
});

test("a DITA_V2_STATE_DIR that names a file says so, instead of 'cannot create …: EEXIST'", () => {
  const file = join(tmp(), "state");
  writeFileSync(file, "");
  expect(() => makeStateDir(file)).toThrow(`DITA_V2_STATE_DIR: '${file}' is a file, not a directory`);
});
