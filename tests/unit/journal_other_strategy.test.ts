/**
 * A state dir's journal belongs to the strategy that wrote it: a start of another strategy on it
 * (a state dir shared by mistake, a namespace renamed over an old state dir) is refused with one
 * line naming both, before anything is recovered, moved or written; the owner's own start
 * recovers as always.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecutionKernel, SegmentJournal } from "../../src/kernel/index.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { recoverJournal } from "../../src/launcher/journal_start.ts";
import { T0 } from "../_support/kernel.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A state dir whose journal strategy `pink` wrote (one segment, one input). */
function pinksStateDir(): string {
  const stateDir = mkdtempSync(join(tmpdir(), "dita-owner-"));
  dirs.push(stateDir);
  const config = loadConfig({ DITA_V2_STATE_DIR: stateDir, DITA_V2_STRATEGY: "pink", DITA_V2_SLOTS: "2" });
  const start = recoverJournal(config, () => {});
  const journal = new SegmentJournal({
    dir: start.dir,
    segmentBytes: 1 << 20,
    keep: 4,
    run: "0123456789abcdef",
    strategy: "pink",
    slotCount: 2,
    activeSlotLimit: 2,
    hungOrderMs: 30_000,
  });
  const kernel = ExecutionKernel.open({ slotCount: 2, journal });
  journal.begin(kernel, start.nextIndex);
  kernel.apply({ type: "SEED_CAPITAL", capital: 1_000, now_ms: T0 });
  journal.close();
  kernel.destroy();
  return stateDir;
}

test("another strategy's start on a state dir is refused naming both; nothing is moved or written", () => {
  const stateDir = pinksStateDir();
  const before = readdirSync(join(stateDir, "journal")).sort();
  const blue = loadConfig({ DITA_V2_STATE_DIR: stateDir, DITA_V2_STRATEGY: "blue", DITA_V2_SLOTS: "2" });
  expect(() => recoverJournal(blue, () => {})).toThrow(
    /^DITA_V2_STATE_DIR: .*journal holds the journal of strategy pink, not of blue: a strategy never recovers another's slots/,
  );
  expect(readdirSync(stateDir).sort()).toEqual(["journal"]);
  expect(readdirSync(join(stateDir, "journal")).sort()).toEqual(before);
});

test("the owner's start recovers its journal as always", () => {
  const stateDir = pinksStateDir();
  const pink = loadConfig({ DITA_V2_STATE_DIR: stateDir, DITA_V2_STRATEGY: "pink", DITA_V2_SLOTS: "2" });
  const start = recoverJournal(pink, () => {});
  expect(start.recovered?.kernel.account().capital).toBe(1_000);
  start.recovered?.kernel.destroy();
});
