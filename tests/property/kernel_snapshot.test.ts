/**
 * Kernel snapshots and the segmented journal under random runs (fast-check; the seed is printed on
 * failure):
 *
 *  1. a snapshot taken at any point of a run, restored into a fresh kernel, has the run's state
 *     hash there, and the restored kernel answers every later input exactly as the original does
 *     (accepted flags, diagnostics, transitions, hash);
 *  2. a random run journaled into small segments (many rotations, each with a snapshot) replays,
 *     from the newest snapshot and from the oldest, to its state hash;
 *  3. a snapshot with any one byte flipped is refused and changes nothing.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { SegmentJournal, walkJournal } from "../../src/kernel/index.ts";
import { kernelsPerTest } from "../_support/kernel.ts";
import { actionArb, Driver } from "../_support/kernel_actions.ts";

const RUNS = Number(process.env.DITA_V2_PROPERTY_RUNS ?? 100);
const SLOTS = 3;
const kernel = kernelsPerTest({ slots: SLOTS, hungMs: 2_000 });
const dir = mkdtempSync(join(tmpdir(), "dita-snap-prop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(prop: fc.IProperty<never>, runs = RUNS) {
  const result = fc.check(prop as fc.IProperty<unknown>, { numRuns: runs });
  if (result.failed)
    throw new Error(
      `property failed: seed=${result.seed} path=${result.counterexamplePath}\n${fc.defaultReportMessage(result)}`,
    );
}

// Hostile shapes never reach a journal (every edge parses first); their kernel behaviour is pinned elsewhere.
const actions = fc.array(
  actionArb(SLOTS).filter((a) => a.t !== "hostile"),
  { minLength: 40, maxLength: 160, size: "max" },
);

describe("kernel snapshots under random runs", () => {
  test("a snapshot at any point restores to the same hash and answers every later input the same", () => {
    check(
      fc.property(actions, fc.nat(), (as, at) => {
        const a = kernel();
        const d = new Driver(a);
        const cut = at % as.length;
        for (const x of as.slice(0, cut)) d.apply(x);
        const b = kernel({ capital: 0 });
        if (!b.restoreSnapshot(a.snapshot()).ok || b.stateHashHex() !== a.stateHashHex()) return false;
        for (const x of as.slice(cut)) {
          const original = d.apply(x);
          if (original === null) continue;
          const restored = b.apply(d.sent.at(-1)!);
          if (JSON.stringify(restored) !== JSON.stringify(original)) return false;
          if (b.stateHashHex() !== a.stateHashHex()) return false;
        }
        return JSON.stringify(b.slots()) === JSON.stringify(a.slots());
      }) as never,
    );
  });

  test("a run journaled into small segments replays from the newest and the oldest snapshot to its hash", () => {
    let n = 0;
    check(
      fc.property(actions, (as) => {
        const sub = join(dir, `run${n++}`);
        mkdirSync(sub);
        const journal = new SegmentJournal({
          dir: sub,
          segmentBytes: 4096,
          keep: 1000,
          run: "00000000000000aa",
          strategy: "pink",
          slotCount: SLOTS,
          activeSlotLimit: SLOTS,
          hungOrderMs: 2_000,
        });
        const k = kernel({ journal, capital: 0 });
        journal.begin(k, 1);
        k.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: 1 });
        const d = new Driver(k);
        for (const a of as) {
          d.apply(a);
          journal.flush();
        }
        journal.close();
        const newest = walkJournal(sub, { log: () => {} })!;
        const oldest = walkJournal(sub, { from: "oldest", log: () => {} })!;
        newest.kernel.destroy();
        oldest.kernel.destroy();
        return newest.state_hash === k.stateHashHex() && oldest.state_hash === k.stateHashHex();
      }) as never,
      40,
    );
  });

  test("a snapshot with any one byte flipped is refused and changes nothing", () => {
    const a = kernel();
    const d = new Driver(a);
    const stream = fc.sample(actions, { numRuns: 1, seed: 7 })[0]!;
    for (const x of stream) d.apply(x);
    const bytes = a.snapshot();
    const b = kernel({ capital: 0 });
    const before = b.stateHashHex();
    check(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const bad = bytes.slice();
        bad[at] = bad[at]! ^ mask;
        const r = b.restoreSnapshot(bad);
        return !r.ok && r.reason.startsWith("snapshot refused: ") && b.stateHashHex() === before;
      }) as never,
      2000,
    );
    expect(b.restoreSnapshot(bytes).ok).toBe(true);
    expect(b.stateHashHex()).toBe(a.stateHashHex());
  });
});
