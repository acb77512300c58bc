/**
 * Restart from the journal, in one process with the mock venue (fast tier): the next start's kernel
 * holds the state the journal leads to — seen-event memory included, so a fill the venue delivers
 * again after the restart is refused as DUPLICATE_EVENT — and is then reconciled as before; a
 * corrupt newest snapshot falls back to the previous one with one log line; a torn tail is cut with
 * one log line; the journal's variables are checked at start.
 */

import { describe, expect, test } from "bun:test";
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";
import type { Runtime } from "../../src/launcher/runtime.ts";
import { btcEntry, restartableRuntimes, until } from "../_support/runtime.ts";

/** Process lifetimes on a state dir: `start` builds and starts one (recovery done), `events` gets every venue event. */
const runtimes = restartableRuntimes("dita-restart-");
const { stateDir, start } = runtimes;
/** Shuts `rt` down (1 s bound); its kernel's state hash. */
const stop = (rt: Runtime) => runtimes.stop(rt, 1000);

async function trade(rt: Runtime, trade_id: string): Promise<void> {
  const o = rt.submitStrategy(btcEntry(trade_id));
  expect(o.accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
}

describe("restart from the journal", () => {
  test("the new kernel holds the journal's state, and a fill delivered again after the restart is DUPLICATE_EVENT", async () => {
    const dir = stateDir();
    const first = await start(dir);
    await trade(first.rt, "R1");
    const fill = first.events.find((e) => e.kind === "FULL_FILL")!;
    expect(fill).toBeDefined();
    const before = await stop(first.rt);

    const second = await start(dir);
    expect(second.rt.recovery?.belief_source).toBe("journal");
    expect(second.rt.b.journalBelief?.state_hash).toBe(before);
    expect(second.lines.some((l) => l.startsWith(`journal: recovered state ${before} from snapshot 1`))).toBe(true);
    expect(second.rt.recovery?.restored).toEqual([0]);
    expect(second.rt.b.kernel.slot(0).stage).toBe("POSITION_OPEN");
    const again = second.rt.executor.onVenueEvent(fill);
    expect(again.accepted).toBe(false);
    expect(again.diagnostics.map((d) => d.code)).toEqual(["DUPLICATE_EVENT"]);
    expect(second.rt.b.kernel.account().seeded).toBe(true); // re-seeded for recovery, not refused
  });

  test("a corrupt newest snapshot at start falls back to the previous one with one log line", async () => {
    const dir = stateDir();
    const a = await start(dir);
    await trade(a.rt, "C1");
    await stop(a.rt);
    const b = await start(dir); // writes snapshot 2 (the recovered state) before its segment
    const hashB = await stop(b.rt);
    const snap = join(dir, "journal", "snapshot-000000000002.bin");
    const bytes = readFileSync(snap);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    writeFileSync(snap, bytes);
    const c = await start(dir);
    const journalLines = c.lines.filter((l) => l.startsWith("journal: snapshot"));
    expect(journalLines).toEqual([
      expect.stringMatching(
        /^journal: snapshot-000000000002\.bin refused: snapshot refused: checksum .* \(corrupt\); trying snapshot-000000000001\.bin$/,
      ),
    ]);
    expect(c.rt.b.journalBelief?.state_hash).toBe(hashB);
    expect(c.rt.b.journalBelief?.snapshot).toBe(1);
  });

  test("a torn tail left by a crash mid-write is cut at start with one log line; the inputs before it are kept", async () => {
    const dir = stateDir();
    const a = await start(dir);
    await trade(a.rt, "T1");
    const hash = await stop(a.rt);
    const seg = join(dir, "journal", "segment-000000000001.bin");
    const size = statSync(seg).size;
    const fd = openSync(seg, "a");
    writeSync(fd, new Uint8Array([0x11, 0x22, 0x33, 0x44, 40, 0, 0, 0, 1, 0])); // a frame header cut short
    closeSync(fd);
    const b = await start(dir);
    expect(b.lines.filter((l) => l.includes("torn tail"))).toEqual([
      expect.stringMatching(
        /^journal: segment-000000000001\.bin: a torn tail of 10 bytes \(an incomplete frame header at byte \d+\): cut at byte \d+ \(a crash mid-write\)$/,
      ),
    ]);
    expect(statSync(seg).size).toBe(size);
    expect(b.rt.b.journalBelief?.state_hash).toBe(hash);
    expect(readdirSync(join(dir, "journal")).filter((f) => f.startsWith("segment"))).toHaveLength(2);
  });
});

describe("journal variables", () => {
  test("DITA_V2_JOURNAL_SEGMENT_MB and DITA_V2_JOURNAL_KEEP default to 64 and 8 and refuse bad values by name", () => {
    const c = loadConfig({});
    expect([c.journal_segment_mb, c.journal_keep]).toEqual([64, 8]);
    expect(() => loadConfig({ DITA_V2_JOURNAL_SEGMENT_MB: "0" })).toThrow(ConfigError);
    expect(() => loadConfig({ DITA_V2_JOURNAL_SEGMENT_MB: "0" })).toThrow(
      /DITA_V2_JOURNAL_SEGMENT_MB.*1\.\.4096, got '0'/,
    );
    expect(() => loadConfig({ DITA_V2_JOURNAL_KEEP: "1" })).toThrow(/DITA_V2_JOURNAL_KEEP.*2\.\.10000, got '1'/);
    expect(() => loadConfig({ DITA_V2_JOURNAL_KEEP: "eight" })).toThrow(/DITA_V2_JOURNAL_KEEP/);
  });
});
