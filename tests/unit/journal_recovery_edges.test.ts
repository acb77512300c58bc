/**
 * Edges of the recovery path (src/launcher/journal_start.ts, src/kernel/_segment_listing.ts,
 * src/kernel/journal.ts), with real files in a temporary directory: a journal directory whose
 * segments have no snapshot left is moved aside at start, never journaled over (its rotations
 * would prune those inputs); a start the disk refuses fails with one line naming the journal; a
 * valid snapshot file under another index's name is refused, so a replay never applies a later
 * segment to an older state; a single-file journal with a line missing, or a header without its
 * slot count, is refused instead of replayed to another state. A missing segment (refused unless
 * a usable snapshot after it bridges it), a duplicate segment name, stray files and the keep bound
 * across restarts without a rotation are covered too.
 */

import { afterEach, describe, expect, test } from "bun:test";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExecutionKernel, JournalError, replayJournal, walkJournal } from "../../src/kernel/index.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { recoverJournal } from "../../src/launcher/journal_start.ts";
import { liveJournal, markInput, RUN_A, RUN_B, twoRuns } from "../_support/journal_runs.ts";
import { T0 } from "../_support/kernel.ts";

const dirs: string[] = [];
const kernels: ExecutionKernel[] = [];
afterEach(() => {
  for (const k of kernels.splice(0)) k.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "dita-edge-"));
  dirs.push(d);
  return d;
}

const live = (dir: string, run: string, index: number, segmentBytes?: number, keep?: number) =>
  liveJournal(kernels, dir, run, index, segmentBytes, keep);

describe("start", () => {
  test("a journal directory holding segments but no snapshot is moved aside whole at start with one line, not journaled over", () => {
    const stateDir = tmp();
    const config = loadConfig({ DITA_V2_STATE_DIR: stateDir, DITA_V2_STRATEGY: "pink", DITA_V2_SLOTS: "2" });
    const dir = recoverJournal(config, () => {}).dir;
    const a = live(dir, RUN_A, 1);
    a.begin();
    a.kernel.apply({ type: "SEED_CAPITAL", capital: 1_000, now_ms: T0 }); // an input only the segment holds
    a.journal.close();
    rmSync(join(dir, "snapshot-000000000001.bin"));
    const lines: string[] = [];
    const start = recoverJournal(config, (l) => lines.push(l));
    expect(start).toMatchObject({ dir, nextIndex: 1, recovered: null });
    expect(lines).toEqual([
      `journal: ${dir} holds 1 segment(s) but no snapshot to replay them from: not recovered from it`,
      expect.stringMatching(/^journal: .* moved aside whole to .*journal\.unrecovered-1 \(nothing in it is deleted/),
    ]);
    expect(readdirSync(dir)).toEqual([]); // the new run's rotations cannot prune the old inputs
    expect(readdirSync(`${dir}.unrecovered-1`)).toEqual(["segment-000000000001.bin"]);
  });

  test("a segment path that is a directory fails the start with a line naming it (an audit: EISDIR alone, no file)", () => {
    const stateDir = tmp();
    const config = loadConfig({ DITA_V2_STATE_DIR: stateDir, DITA_V2_STRATEGY: "pink", DITA_V2_SLOTS: "2" });
    const dir = recoverJournal(config, () => {}).dir;
    const a = live(dir, RUN_A, 1);
    a.begin();
    a.journal.close();
    mkdirSync(join(dir, "segment-000000000002.bin"));
    expect(() => recoverJournal(config, () => {})).toThrow(`${join(dir, "segment-000000000002.bin")}: EISDIR`);
  });

  test("a directory with no journal at all starts anew in place, with no line", () => {
    const stateDir = tmp();
    const config = loadConfig({ DITA_V2_STATE_DIR: stateDir, DITA_V2_STRATEGY: "pink", DITA_V2_SLOTS: "2" });
    const lines: string[] = [];
    expect(recoverJournal(config, (l) => lines.push(l))).toMatchObject({ nextIndex: 1, recovered: null });
    expect(lines).toEqual([]);
    expect(existsSync(join(stateDir, "journal.unrecovered-1"))).toBe(false);
  });

  test("a start whose journal the disk refuses fails with one line naming the journal directory; nothing is left half-made", () => {
    const stateDir = tmp();
    const fixture = join(import.meta.dir, "fixtures/journal_start_full.ts");
    // A file size limit (SIGXFSZ ignored): the snapshot's write fails with EFBIG, as a full disk's with ENOSPC.
    const child = Bun.spawnSync([
      "bash",
      "-c",
      `trap '' XFSZ; ulimit -S -f 4; exec "$0" "$1" "$2"`,
      process.execPath,
      fixture,
      stateDir,
    ]);
    const out = JSON.parse(child.stdout.toString()) as { error: string };
    const dir = join(stateDir, "journal");
    expect(out.error).toBe(
      `journal: cannot begin segment 1 in ${dir}: EFBIG: file too large, write (its snapshot and segment were not made; free disk space or fix the directory, then start again)`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("snapshots", () => {
  test("a valid snapshot file under another index's name (an older one copied over a newer) is refused, and the replay falls back", () => {
    const dir = tmp();
    const liveHash = twoRuns(kernels, dir);
    copyFileSync(join(dir, "snapshot-000000000002.bin"), join(dir, "snapshot-000000000003.bin"));
    const lines: string[] = [];
    const r = walkJournal(dir, { log: (l) => lines.push(l) })!;
    kernels.push(r.kernel);
    expect(lines).toEqual([
      "journal: snapshot-000000000003.bin refused: its header names snapshot 2; trying snapshot-000000000002.bin",
    ]);
    expect([r.snapshot, r.state_hash]).toEqual([2, liveHash]); // segment 2's ETH marks are not skipped
  });

  test("a missing segment before a refused snapshot at a run boundary stops the replay naming the segment, instead of replaying the next run on the older state", () => {
    const dir = tmp();
    const liveHash = twoRuns(kernels, dir);
    rmSync(join(dir, "segment-000000000002.bin"));
    const snap = join(dir, "snapshot-000000000003.bin");
    const bytes = readFileSync(snap);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff; // the kernel refuses it; its file header holds
    writeFileSync(snap, bytes);
    let replayed: string | null = null;
    try {
      const r = walkJournal(dir, { log: () => {} })!;
      kernels.push(r.kernel);
      replayed = r.state_hash;
    } catch (e) {
      expect(e).toBeInstanceOf(JournalError);
      expect((e as Error).message).toMatch(
        /: segment 2 is missing and snapshot-000000000003\.bin after it is refused \(.+\): the segments after it are not replayed onto an older state$/,
      );
    }
    expect(replayed).toBeNull(); // not a state hash without segment 2's ETH marks
    expect(replayed).not.toBe(liveHash);
  });

  test("a refused snapshot that records another state than the replayed one (a start that did not recover) stops the replay", () => {
    const dir = tmp();
    const a = live(dir, RUN_A, 1);
    a.begin();
    a.kernel.apply({ type: "SEED_CAPITAL", capital: 1_000, now_ms: T0 });
    a.kernel.apply(markInput("ETH-USDT", 300, T0 + 1));
    a.journal.close();
    const b = live(dir, RUN_B, 2); // a start that did not recover from the journal: a fresh state
    b.begin();
    b.kernel.apply(markInput("BTC-USDT", 5, T0 + 2));
    b.journal.close();
    const snap = join(dir, "snapshot-000000000002.bin");
    const bytes = readFileSync(snap);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff; // the kernel refuses it; its file header holds
    writeFileSync(snap, bytes);
    let replayed: string | null = null;
    try {
      const r = walkJournal(dir, { from: "oldest", log: () => {} })!;
      kernels.push(r.kernel);
      replayed = r.state_hash;
    } catch (e) {
      expect(e).toBeInstanceOf(JournalError);
      expect((e as Error).message).toMatch(
        /: snapshot-000000000002\.bin records another state, and it is refused \(.+\): the segments after it are not replayed onto that other state$/,
      );
    }
    expect(replayed).toBeNull(); // not run B's marks applied onto run A's state
  });

  test("a missing segment whose next snapshot's header is refused stops the replay naming both, instead of replaying the later segments onto the older state", () => {
    const dir = tmp();
    const liveHash = twoRuns(kernels, dir);
    rmSync(join(dir, "segment-000000000002.bin"));
    copyFileSync(join(dir, "snapshot-000000000002.bin"), join(dir, "snapshot-000000000003.bin"));
    const lines: string[] = [];
    let replayed: string | null = null;
    let error: unknown = null;
    try {
      const r = walkJournal(dir, { log: (l) => lines.push(l) })!;
      kernels.push(r.kernel);
      replayed = r.state_hash;
    } catch (e) {
      error = e;
    }
    expect(replayed).toBeNull(); // not run B's segment applied without segment 2's ETH marks
    expect(replayed).not.toBe(liveHash);
    expect(error).toBeInstanceOf(JournalError);
    expect((error as Error).message).toMatch(
      /: segment 2 is missing and snapshot-000000000003\.bin after it is refused \(its header names snapshot 2\): the segments after it are not replayed onto an older state$/,
    );
    expect(lines).toEqual([
      "journal: snapshot-000000000003.bin refused: its header names snapshot 2; trying snapshot-000000000002.bin",
    ]);
  });

  test("a missing segment whose next snapshot the kernel accepts is bridged by it: the replay reaches the live state", () => {
    const dir = tmp();
    const liveHash = twoRuns(kernels, dir);
    rmSync(join(dir, "segment-000000000002.bin"));
    rmSync(join(dir, "snapshot-000000000002.bin"));
    const lines: string[] = [];
    const r = walkJournal(dir, { from: "oldest", log: (l) => lines.push(l) })!;
    kernels.push(r.kernel);
    expect([r.snapshot, r.state_hash]).toEqual([1, liveHash]);
    expect(lines).toEqual([
      expect.stringMatching(
        /^journal: snapshot-000000000003\.bin holds state .*: continuing from the snapshot \(segment 2 is missing\)$/,
      ),
    ]);
  });
});

describe("segments", () => {
  test("a segment missing between two present ones stops the replay naming it (no later snapshot covers it)", () => {
    const dir = tmp();
    twoRuns(kernels, dir);
    rmSync(join(dir, "segment-000000000002.bin"));
    for (const i of [2, 3]) rmSync(join(dir, `snapshot-00000000000${i}.bin`));
    expect(() => walkJournal(dir, { log: () => {} })).toThrow(/segment 2 is missing$/);
  });

  test("a segment copied over another's name (a duplicate) is refused by the index its header names", () => {
    const dir = tmp();
    twoRuns(kernels, dir);
    copyFileSync(join(dir, "segment-000000000002.bin"), join(dir, "segment-000000000003.bin"));
    expect(() => walkJournal(dir, { log: () => {} })).toThrow(/segment-000000000003\.bin: its header names segment 2$/);
  });

  test("files with other names in the directory are neither read nor changed", () => {
    const dir = tmp();
    const liveHash = twoRuns(kernels, dir);
    const strays = ["segment-2.bin", "segment-000000000004.bin.bak", "notes.txt", "snapshot-000000000009.bin~"];
    for (const f of strays) writeFileSync(join(dir, f), "not a journal file");
    const r = walkJournal(dir, { cut: true, log: (l) => expect(l).toBe("no log line") })!;
    kernels.push(r.kernel);
    expect([r.state_hash, r.nextIndex]).toEqual([liveHash, 4]);
    for (const f of strays) expect(readFileSync(join(dir, f), "utf8")).toBe("not a journal file");
  });

  test("restarts without a rotation keep no more than DITA_V2_JOURNAL_KEEP snapshots (a start prunes as a rotation does)", () => {
    const dir = tmp();
    for (let i = 0; i < 4; i++) {
      const r = walkJournal(dir, { cut: true, log: () => {} });
      const run = live(dir, `${i}`.padStart(16, "0"), r?.nextIndex ?? 1, 1 << 20, 2);
      if (r !== null) expect(run.kernel.restoreSnapshot(r.kernel.snapshot()).ok).toBe(true);
      r?.kernel.destroy();
      run.begin();
      run.kernel.apply(markInput("BTC-USDT", 100 + i, T0 + i));
      run.journal.close();
    }
    expect(readdirSync(dir).filter((f) => f.startsWith("snapshot-"))).toHaveLength(2);
  });
});

describe("single-file journal replay", () => {
  const header = '{"journal":"dita-v2","version":1,"slot_count":2,"active_slot_limit":2,"hung_order_ms":30000}';
  const entry = (seq: number, price: number) =>
    JSON.stringify({ seq, input: markInput(`A${seq}-USDT`, price, T0 + seq) });
  const replayOf = (lines: string[]) => {
    const path = join(tmp(), "run.jsonl");
    writeFileSync(path, `${lines.join("\n")}\n`);
    return () => {
      const r = replayJournal(path);
      kernels.push(r.kernel);
      return r;
    };
  };

  test("a missing line (a seq gap) stops the replay naming the line, instead of replaying without it", () => {
    const replay = replayOf([header, entry(1, 10), entry(3, 30)]);
    expect(replay).toThrow(JournalError);
    expect(replay).toThrow(/run\.jsonl:3: entry seq 3, expected 2$/);
  });

  test("a header without its slot count is refused, instead of replayed into a kernel of another size", () => {
    const replay = replayOf([header.replace('"slot_count":2,', ""), entry(1, 10)]);
    expect(replay).toThrow(JournalError);
    expect(replay).toThrow(/run\.jsonl:1: header slot_count must be an integer, got undefined$/);
  });

  test("a whole journal still replays", () => {
    expect(replayOf([header, entry(1, 10), entry(2, 20)])().entries).toBe(2);
  });
});
