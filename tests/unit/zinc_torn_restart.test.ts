/**
 * A kernel killed inside its state mirror leaves that slot's seqlock odd (ffi/README.md §5): the image
 * is torn. The next kernel adopts the region as its writer, so libzinc's reader rule ("torn once the
 * writer is dead") never fired for it: the writer's own read retried an odd lock that nothing would
 * ever make even, the start threw "seqlock read did not stabilise", and every later start threw the
 * same (found by an audit: one kill at the wrong instant, an outage until someone removed the region).
 * Now the writer reads an odd lock as TORN at once (its own writes end before its calls return), the
 * start adopts nothing from that image (one line), and the writer's first mirror rewrites every torn
 * slot, so the region is whole again for strategy clients. A slot image that fails validation (a stray
 * write) is not adopted either. Real regions in /dev/shm; a runtime journaling into a temp dir.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, unlinkSync } from "node:fs";
import { strategyStatus } from "../../src/cli/strategy_status.ts";
import { RealZincPlane } from "../../src/zinc/index.ts";
import { btcEntry, restartableRuntimes, until } from "../_support/runtime.ts";
import { pokeFile, STATE_AT, u64le, zincRegionsPerTest } from "../_support/zinc_regions.ts";

const zinc = zincRegionsPerTest("torn_restart");
const runtimes = restartableRuntimes("dita-torn-restart-");

const prefixes: string[] = [];
afterEach(() => {
  for (const p of prefixes.splice(0))
    for (const k of ["intents", "state", "control", "outcomes", "bell"])
      if (existsSync(`/dev/shm/${p}.${k}`)) unlinkSync(`/dev/shm/${p}.${k}`);
});

describe("libzinc: a writer adopting a region with a torn slot", () => {
  test("reads the torn image as TORN at once, and its first mirror rewrites the torn slot whole", () => {
    const first = zinc.plane({ slotCount: 2 });
    const image = new Uint8Array(2 * 448);
    image[448] = 1; // slot 1: slot_id 1, stage IDLE (1)
    image[448 + 4] = 1;
    first.plane.publishState(image, new Uint32Array([0b11, 0, 0, 0, 0, 0, 0, 0]), new Uint8Array(96), 7n);
    first.plane.close(); // the writer is gone; its region stays
    pokeFile(`/dev/shm/${first.prefix}.state`, STATE_AT.slotLock(1), u64le(9n)); // died inside slot 1's copy

    const next = RealZincPlane.open({
      libPath: zinc.libPath,
      prefix: first.prefix,
      slotCount: 2,
      ringCapacity: 64,
      outcomeLanes: 2,
    });
    zinc.cleanup(() => next.close());
    expect(() => next.readSlot(1)).toThrow(/slot 1: image was being written when its writer died/);
    expect(next.readSlot(0)[4]).toBe(0); // never written: all zero

    const mine = new Uint8Array(2 * 448);
    mine[448] = 1;
    mine[448 + 4] = 3; // slot 1 as this kernel holds it (POSITION_OPEN), not marked dirty
    next.publishState(mine, new Uint32Array(8), new Uint8Array(96), 8n);
    expect(next.readSlot(1)[4]).toBe(3);
    mine[448 + 4] = 4; // later mirrors write only the dirty slots
    next.publishState(mine, new Uint32Array(8), new Uint8Array(96), 9n);
    expect(next.readSlot(1)[4]).toBe(3);
  });
});

describe("a start on a state region a killed kernel left", () => {
  async function openedThenStopped(prefix: string) {
    const dir = runtimes.stateDir();
    const env = { DITA_V2_ZINC: "REAL", DITA_V2_ZINC_PREFIX: prefix, DITA_V2_SLOTS: "2", DITA_V2_WARM_PATH_MS: "0" };
    const a = await runtimes.start(dir, env);
    expect(a.rt.submitStrategy({ ...btcEntry("TORN-1"), slot_id: 1 }).accepted).toBe(true);
    await until(() => a.rt.b.kernel.slot(1).stage === "POSITION_OPEN");
    await runtimes.stop(a.rt);
    return { dir, env };
  }

  test("a torn slot is not adopted (one line), the journal's state is, and clients read the slot whole again", async () => {
    const prefix = `dita_test_torn_rt_${process.pid}_1`;
    prefixes.push(prefix);
    const { dir, env } = await openedThenStopped(prefix);
    pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.slotLock(1), u64le(41n));

    const b = await runtimes.start(dir, env);
    expect(b.lines.join("\n")).toMatch(/slot 1: image was being written when its writer died.*not adopted/);
    expect(b.rt.b.kernel.slot(1).stage).toBe("POSITION_OPEN"); // the journal's belief
    const doc = strategyStatus(zinc.libPath, prefix, 10);
    expect(doc.slots[1]).toMatchObject({ slot_id: 1, stage: "POSITION_OPEN", trade_id: "TORN-1" });
  });

  test("a slot image that is no slot image (a stray write) is not adopted; the start goes on and rewrites it", async () => {
    const prefix = `dita_test_torn_rt_${process.pid}_2`;
    prefixes.push(prefix);
    const { dir, env } = await openedThenStopped(prefix);
    pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.slotImage(0), new Uint8Array([9, 0, 0, 0, 77])); // slot_id 9, stage 77

    const b = await runtimes.start(dir, env);
    expect(b.lines.join("\n")).toMatch(/slot 0 image has slot_id 9, stage 77.*not adopted/);
    const doc = strategyStatus(zinc.libPath, prefix, 10);
    expect(doc.slots[0]).toMatchObject({ slot_id: 0, stage: "IDLE" });
    expect(doc.slots[1]).toMatchObject({ slot_id: 1, stage: "POSITION_OPEN" });
  });
});
