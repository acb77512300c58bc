/**
 * MapRecheck (src/projection/_map_recheck.ts), alone: which write of a key in doubt is sent again, and
 * when its window starts and ends. The late landing it guards against is shown end to end in
 * projection_hazelcast_late_put.test.ts.
 */
import { expect, test } from "bun:test";
import { MapRecheck, RECHECK_KEYS_MAX } from "../../src/projection/_map_recheck.ts";
import type { MapWrite } from "../../src/projection/index.ts";

const write = (key: string, version: number, live = true, epoch = 7): MapWrite => ({
  map: "DITA_V2_ACTIVE_SLOTS_PINK",
  key,
  value: live ? { version, epoch } : null,
  version,
  epoch,
});

test("a key in doubt is re-sent with the newest write offered for it since, failed or applied", () => {
  const r = new MapRecheck(1_000);
  r.failed([write("0", 5)]);
  r.sent([write("0", 6, false), write("1", 2)]); // key 1 was never in doubt
  r.sent([write("0", 4)]); // an older write never replaces the newer one
  expect(r.due(0)).toEqual([write("0", 6, false)]);
  r.failed([write("0", 3, true, 8)]); // a newer epoch wins whatever the version
  expect(r.due(0)).toEqual([write("0", 3, true, 8)]);
});

test("the window starts only when the sink succeeds after the failure, so a long outage does not use it up", () => {
  const r = new MapRecheck(1_000);
  r.failed([write("0", 5)]);
  expect(r.due(1_000_000)).toHaveLength(1); // still down: kept however late
  r.up(2_000_000);
  expect(r.due(2_000_999)).toHaveLength(1);
  expect(r.due(2_001_000)).toHaveLength(1); // the window ended: sent one last time...
  expect(r.due(2_001_001)).toHaveLength(0); // ...then forgotten
  expect(r.size).toBe(0);
});

test("a new failure restarts the key's window", () => {
  const r = new MapRecheck(1_000);
  r.failed([write("0", 5)]);
  r.up(0);
  r.failed([write("0", 6)]);
  r.up(900);
  expect(r.due(1_500)).toHaveLength(1);
  expect(r.due(1_900)).toHaveLength(1);
  expect(r.due(1_901)).toHaveLength(0);
});

test("at most RECHECK_KEYS_MAX keys are held: the oldest doubt is forgotten first", () => {
  const r = new MapRecheck(1_000);
  r.failed([write("first", 1)]);
  r.failed(Array.from({ length: RECHECK_KEYS_MAX }, (_, i) => write(String(i), 1)));
  expect(r.size).toBe(RECHECK_KEYS_MAX);
  expect(r.due(0).some((w) => w.key === "first")).toBe(false);
});

test("a negative window is refused with a clear error", () => {
  expect(() => new MapRecheck(-1)).toThrow("Invariant: MapRecheck needs windowMs >= 0, got -1");
});
