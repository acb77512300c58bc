/**
 * The control region across processes: an operator process changes a switch through the
 * mailbox and sees the new versioned snapshot; corrupt snapshot bytes are refused naming the
 * key; a restarted writer continues the version past the surviving snapshot.
 */

import { afterEach, expect, test } from "bun:test";
import { closeSync, openSync, writeSync } from "node:fs";
import { ControlError } from "../../src/contracts/control.ts";
import { type CommandResult, RealControlCommandClient, RealZincControlPlane } from "../../src/control/index.ts";
import { INITIAL } from "./control_contract.ts";
import { cleanupPrefixes, ensureLib, regionPath, spawnFixture, uniquePrefix } from "./zinc_support.ts";

const libPath = ensureLib();
afterEach(cleanupPrefixes);
const NOW = 1_700_000_001_000;

test("a control change posted by another process takes effect and yields a new versioned snapshot", async () => {
  const prefix = uniquePrefix("ctlx");
  const plane = RealZincControlPlane.open({ libPath, prefix, slotCount: 4, initial: INITIAL });
  const v0 = plane.snapshot().version;
  const proc = spawnFixture("zinc_control_client.ts", [
    libPath,
    prefix,
    "4",
    JSON.stringify({ mode: "DEBUG", active_slot_limit: 3 }),
    "42",
  ]);
  const results: CommandResult[] = [];
  // The kernel loop in miniature: wait for a publish, poll the mailbox (bounded rounds).
  for (let round = 0; round < 100 && results.length === 0; round++) {
    const seq = plane.seq();
    results.push(...plane.pollCommands(NOW));
    if (results.length === 0) await plane.waitSeq(seq, 200);
  }
  expect(await proc.exited).toBe(0);
  const out = JSON.parse(await new Response(proc.stdout).text());
  plane.close();
  expect(results).toMatchObject([{ requestId: 42, status: "APPLIED", version: v0 + 1 }]);
  expect(out.post).toBe("OK");
  expect(out.snapshot).toMatchObject({ version: v0 + 1, mode: "DEBUG", active_slot_limit: 3, updated_at_ms: NOW });
  expect(out.result).toMatchObject({ requestId: 42, status: "APPLIED" });
});

test("snapshot bytes with an out-of-range enum are refused by readers with ControlError naming the key", () => {
  const prefix = uniquePrefix("ctlbad");
  const plane = RealZincControlPlane.open({ libPath, prefix, slotCount: 4, initial: INITIAL });
  const fd = openSync(regionPath(prefix, "control"), "r+");
  writeSync(fd, new Uint8Array([9]), 0, 1, 320 + 20); // ControlSnapshot.mode
  closeSync(fd);
  const client = RealControlCommandClient.open({ libPath, prefix, slotCount: 4 });
  expect(() => client.snapshot()).toThrow(ControlError);
  try {
    client.snapshot();
  } catch (e) {
    expect((e as ControlError).key).toBe("mode");
    expect((e as Error).message).toMatch(/control snapshot mode = 9 is outside 1\.\.2/);
  }
  client.close();
  plane.close();
});

test("a restarted control writer publishes its initial snapshot with a version past the surviving one", () => {
  const prefix = uniquePrefix("ctlrestart");
  const first = RealZincControlPlane.open({ libPath, prefix, slotCount: 4, initial: INITIAL });
  first.apply({ mode: "DEBUG" }, NOW);
  first.apply({ verbosity: "TRACE" }, NOW);
  first.close();
  const second = RealZincControlPlane.open({ libPath, prefix, slotCount: 4, initial: INITIAL });
  expect(second.snapshot()).toEqual({ ...INITIAL, version: 4 });
  expect(() => RealZincControlPlane.open({ libPath, prefix, slotCount: 4, initial: INITIAL })).toThrow(
    /control: refused, a live writer/,
  );
  second.close();
});
