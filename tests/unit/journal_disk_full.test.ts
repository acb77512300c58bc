/**
 * The segment journal on a full disk (src/kernel/segment_writer.ts), with a real refused write: a
 * child process journals under a file size limit (`ulimit -f`, SIGXFSZ ignored: the write fails
 * with EFBIG, as a full disk's does with ENOSPC). A refused flush throws JournalWriteError, cuts off
 * whatever part of the frame was written (the segment still ends with a whole frame), and keeps
 * the entries (`behind`); once the disk takes writes again the next flush writes every kept entry
 * in order, and the directory replays to the live state with no seq missing. A rotation whose
 * snapshot cannot be made leaves no snapshot without its segment and loses nothing.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecutionKernel, exportJournal, SegmentJournal, walkJournal } from "../../src/kernel/index.ts";
import { T0 } from "../_support/kernel.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("a refused journal write keeps its entries and leaves a whole-frame segment; lifted, one flush writes them all", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dita-full-"));
  dirs.push(dir);
  const fixture = join(import.meta.dir, "fixtures/journal_disk_full.ts");
  const child = Bun.spawn(
    ["bash", "-c", `trap '' XFSZ; ulimit -S -f 64; exec "$0" "$1" "$2"`, process.execPath, fixture, dir],
    {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const lines = (child.stdout as ReadableStream<Uint8Array>).getReader();
  let buffered = "";
  const next = async (): Promise<Record<string, unknown>> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`child ended: ${await new Response(child.stderr).text()}`);
      buffered += new TextDecoder().decode(value);
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return JSON.parse(line);
  };
  const refused = await next();
  expect(refused.message).toMatch(/write refused/);
  expect(refused.sizeBefore).toBeLessThan(64 * 1024); // the refused frame straddled the limit: part was written
  expect(refused.sizeAfter).toBe(refused.sizeBefore); // and cut off again
  expect(refused.behind).toBe(true);
  const still = await next();
  expect(still).toMatchObject({ again: true, behind: true });
  const lift = Bun.spawnSync(["prlimit", `--pid=${child.pid}`, "--fsize=unlimited:unlimited"]);
  expect({ code: lift.exitCode, stderr: lift.stderr.toString() }).toEqual({ code: 0, stderr: "" });
  child.stdin.write("go\n");
  child.stdin.end();
  const written = await next();
  expect(written).toMatchObject({ behind: false, entries: still.entries });
  expect(await child.exited).toBe(0);
  const replayed = walkJournal(dir, { log: () => {} });
  expect(replayed?.kernel.stateHashHex()).toBe(written.hash as string);
  replayed?.kernel.destroy();
  const seqs: number[] = [];
  exportJournal(dir, { from: "oldest", log: () => {} }, (l) => {
    const e = JSON.parse(l);
    if (e.seq !== undefined) seqs.push(e.seq);
  });
  expect(seqs).toEqual(Array.from({ length: still.entries as number }, (_, i) => i + 1));
});

test("a refused rotation leaves no snapshot without its segment: the current segment takes the entries on, the next flush rotates", () => {
  const dir = mkdtempSync(join(tmpdir(), "dita-rot-"));
  dirs.push(dir);
  const logs: string[] = [];
  const journal = new SegmentJournal({
    dir,
    segmentBytes: 4096,
    keep: 4,
    run: "0123456789abcdef",
    strategy: "pink",
    slotCount: 2,
    activeSlotLimit: 2,
    hungOrderMs: 30_000,
    log: (l) => logs.push(l),
  });
  const kernel = ExecutionKernel.open({ slotCount: 2, journal });
  journal.begin(kernel, 1);
  // Something squats on segment 2's snapshot name: its rename is refused, as a full disk refuses its write.
  mkdirSync(join(dir, "snapshot-000000000002.bin/held"), { recursive: true });
  let now = T0;
  const mark = () => kernel.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 100 + (now % 7), now_ms: ++now });
  for (let i = 0; i < 200; i++) {
    mark();
    journal.flush(); // past 4096 bytes every flush tries the rotation again, and never throws for it
  }
  expect(journal.rotations).toBe(0);
  expect(journal.behind).toBe(false);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(/^journal: rotation to segment 2 refused .*takes the entries on/);
  expect(readdirSync(dir).sort()).toEqual([
    "segment-000000000001.bin",
    "snapshot-000000000001.bin",
    "snapshot-000000000002.bin",
  ]);
  rmSync(join(dir, "snapshot-000000000002.bin"), { recursive: true });
  mark();
  journal.flush();
  expect(journal.rotations).toBe(1);
  expect(logs[1]).toBe("journal: rotated to segment 2 after refused rotations");
  mark();
  journal.flush();
  const live = kernel.stateHashHex();
  journal.close();
  kernel.destroy();
  const replayed = walkJournal(dir, { log: () => {} })!;
  expect(replayed.kernel.stateHashHex()).toBe(live);
  replayed.kernel.destroy();
});
