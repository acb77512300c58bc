/**
 * Everything under the state directory is its owner's alone, whatever the process umask: the journal
 * and the spool hold the desk's whole trading history (positions, prices, sizes). Directories are
 * 0700, files 0600 — those created through a temporary file and a rename too (the spool's
 * acknowledgement, a compacted generation, a journal snapshot). Under supervisord (umask 022) the
 * spool directory was 0755 and its files 0644, and `ctl start` made the state dir itself 0755; with
 * umask 0 the spool files were world-writable.
 *
 * An existing directory with looser modes (left by an earlier build or an `mkdir -p`) is tightened
 * at start, the state dir with one log line (docs/operator-playbook.md §1); a shared directory (the
 * sticky bit, such as /tmp) given as the state dir is left as it is and reported instead.
 */

import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, makeStateDir } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { lockStateDir } from "../../src/launcher/state_dir_lock.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { ensureOperatorToken } from "../../src/launcher/token.ts";
import { Spool } from "../../src/projection/index.ts";
import { ProjectedMark } from "../../src/projection/mark.ts";

const dirs: string[] = [];
let umaskBefore = 0o022;
beforeEach(() => {
  umaskBefore = process.umask();
});
afterEach(() => {
  process.umask(umaskBefore);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "dita-modes-"));
  dirs.push(d);
  return d;
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;
const octal = (mode: number) => `0${mode.toString(8)}`;

/** Every directory and file under `root` (itself included) with a mode other than 0700 / 0600. */
function looser(root: string): string[] {
  const out: string[] = [];
  const walk = (path: string, name: string) => {
    const st = statSync(path);
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o7777) !== want) out.push(`${name} ${octal(st.mode & 0o7777)}`);
    if (st.isDirectory()) for (const f of readdirSync(path).sort()) walk(join(path, f), `${name}/${f}`);
  };
  walk(root, ".");
  return out;
}

/** A serve's start and stop on `state` as serve.ts makes them: state dir, lock, journal, projection, token. */
async function serveLikeRun(state: string, log: (line: string) => void = () => {}): Promise<void> {
  const config = loadConfig({ DITA_V2_STATE_DIR: state });
  const unlock = lockStateDir(makeStateDir(config.state_dir, log));
  try {
    const bundle = await buildBundle(config, new SystemClock(), {}, { journal: true, log });
    const rt = new Runtime(bundle, () => {});
    await rt.start();
    await rt.shutdown(500);
    ensureOperatorToken(config.state_dir, null);
  } finally {
    unlock();
  }
}

for (const umask of [0o022, 0o000]) {
  test(`under umask ${octal(umask)} every directory a run creates under the state dir is 0700 and every file 0600`, async () => {
    const state = join(scratch(), "state");
    process.umask(umask);
    await serveLikeRun(state);
    await serveLikeRun(state); // a restart: the first run's journal, spool and mark are read and written again
    const names = readdirSync(state).sort();
    expect(names).toEqual(["journal", "operator.token", "serve.lock", "spool"]);
    expect(readdirSync(join(state, "journal")).some((f) => f.startsWith("snapshot-"))).toBe(true);
    expect(readdirSync(join(state, "spool")).sort()).toEqual(["local.spool", "local.spool.ack", "projected.mark"]);
    expect(looser(state)).toEqual([]);
  });
}

test("a spool's file, acknowledgement and compacted generation are 0600 and its directory 0700 under umask 0, a stale temporary file's mode included", () => {
  process.umask(0);
  const dir = join(scratch(), "spool");
  mkdirSync(dir, { mode: 0o777 }); // as an `mkdir -p` under umask 0 leaves it
  writeFileSync(join(dir, "x.spool.tmp"), "stale", { mode: 0o666 }); // a compaction a crash cut short
  writeFileSync(join(dir, "x.spool.ack.tmp"), "stale", { mode: 0o666 });
  const s = new Spool(dir, "x", { compactBytes: 1 });
  s.append([{ row_id: "pink:1" }, { row_id: "pink:2" }]);
  s.ack(s.read(2).next, 2); // acknowledged whole: compacts into generation 2 through x.spool.tmp
  s.append([{ row_id: "pink:3" }]);
  s.close();
  expect(readdirSync(dir).sort()).toEqual(["x.spool", "x.spool.ack"]);
  expect(looser(dir)).toEqual([]);
});

test("the projected mark is 0600 in a 0700 spool directory under umask 0", () => {
  process.umask(0);
  const state = scratch();
  ProjectedMark.open(state, "aaaaaaaaaaaaaaaa").write(7);
  expect(looser(join(state, "spool"))).toEqual([]);
});

test("a state dir, spool directory and spool files an earlier build left 0755 / 0644 are set to 0700 / 0600 at the next start, the state dir with one log line", async () => {
  process.umask(0o022);
  const state = join(scratch(), "state");
  const spool = join(state, "spool");
  new Spool(spool, "local").close(); // the local sink's file and ack, as an earlier build left them:
  for (const f of ["local.spool", "local.spool.ack"]) chmodSync(join(spool, f), 0o644);
  for (const d of [state, spool]) chmodSync(d, 0o755);
  const lines: string[] = [];
  await serveLikeRun(state, (line) => lines.push(line));
  expect(looser(state)).toEqual([]);
  expect(lines.filter((l) => l.startsWith("state dir "))).toEqual([
    `state dir ${state} was 0755 (other local users could read it): set to 0700`,
  ]);
  lines.length = 0;
  await serveLikeRun(state, (line) => lines.push(line));
  expect(lines.filter((l) => l.startsWith("state dir "))).toEqual([]); // reported once, not at every start
});

test("a shared directory (sticky bit, as /tmp) given as the state dir keeps its mode and is reported; what DITAv2 writes in it is still owner-only", () => {
  process.umask(0o022);
  const shared = join(scratch(), "shared");
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const lines: string[] = [];
  makeStateDir(shared, (line) => lines.push(line));
  expect(octal(modeOf(shared))).toBe("01777");
  expect(lines).toEqual([
    `state dir ${shared} is a shared directory (mode 01777): left as it is; give DITAv2 a directory of its own (its journal/ and spool/ are 0700 all the same)`,
  ]);
  const s = new Spool(join(shared, "spool"), "x");
  s.close();
  expect(looser(join(shared, "spool"))).toEqual([]);
});
