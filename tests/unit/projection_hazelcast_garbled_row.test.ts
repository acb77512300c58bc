/**
 * A stored map row that is not valid JSON (a hand edit, another tool, a torn value) must not wedge
 * HazelcastSink: compare-and-set reads every stored row's (epoch, version) before writing, and a
 * row it cannot read is no newer state, so it is replaced. Before, the JSON parse threw, the whole
 * batch failed and was retried for ever, and since the outbox sends map writes first, the topic
 * backlog stopped draining too (against an in-memory cluster: fixtures/fake_hz_projection.ts).
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import { createProjection, HazelcastSink, type Projection } from "../../src/projection/index.ts";
import { control, openTrade, TradeScript } from "../integration/projection_fixtures.ts";
import { FakeHazelcast, rawJson } from "./fixtures/fake_hz_projection.ts";

const STATE = "DOLPHIN_STATE_PINK";
const dirs: string[] = [];
const open: Projection[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sinkOn(hz: FakeHazelcast): HazelcastSink {
  return new HazelcastSink({ addr: "127.0.0.1:5701", cluster: "dev", strategy: "pink" }, hz.connect);
}

for (const stored of ["{garbled", "", "[1,2", "not json at all"]) {
  test(`a stored row ${JSON.stringify(stored)} is replaced by the next write, not a failed batch`, async () => {
    const hz = new FakeHazelcast();
    const sink = sinkOn(hz);
    await sink.connect();
    hz.cluster.map(STATE).set("0", await rawJson(stored));
    const r = await sink.writeMaps([
      { map: STATE, key: "0", value: { strategy: "pink", version: 5, epoch: 7 }, version: 5, epoch: 7 },
      { map: STATE, key: "1", value: { strategy: "pink", version: 2, epoch: 7 }, version: 2, epoch: 7 },
    ]);
    expect(r).toEqual({ applied: 2, stale: 0 });
    expect(hz.cluster.rows(STATE)).toEqual({
      "0": { strategy: "pink", version: 5, epoch: 7 },
      "1": { strategy: "pink", version: 2, epoch: 7 },
    });
  });
}

test("a delete of a key holding a garbled row removes it", async () => {
  const hz = new FakeHazelcast();
  const sink = sinkOn(hz);
  await sink.connect();
  hz.cluster.map(STATE).set("3", await rawJson("{garbled"));
  expect(await sink.writeMaps([{ map: STATE, key: "3", value: null, version: 1, epoch: 7 }])).toEqual({
    applied: 1,
    stale: 0,
  });
  expect(hz.cluster.rows(STATE)).toEqual({});
});

test("projection: one garbled slot row does not stop the other rows or the trade-event topic", async () => {
  const hz = new FakeHazelcast();
  const d = mkdtempSync(join(tmpdir(), "proj-hz-garbled-"));
  dirs.push(d);
  const p = await createProjection({
    run: "t1",
    strategy: "pink",
    stateDir: d,
    clock: new ManualClock(),
    epochMs: 1_000,
    required: true,
    onDiagnostic: () => {},
    sinks: [sinkOn(hz)],
    tuning: { delayMs: 1, retryMinMs: 1, retryMaxMs: 5 },
  });
  open.push(p);
  hz.cluster.map(STATE).set("0", await rawJson("{garbled"));
  const k = new TradeScript();
  p.onControl(control({ version: 3 }));
  for (const o of openTrade(k, 0, "T0")) p.onOutcome(o);
  for (const o of openTrade(k, 1, "T1")) p.onOutcome(o);
  expect(await p.flush(500)).toBe(true);
  expect(hz.cluster.rows(STATE)["0"]).toMatchObject({ trade_id: "T0", stage: "POSITION_OPEN" });
  expect(hz.cluster.rows(STATE)["1"]).toMatchObject({ trade_id: "T1", stage: "POSITION_OPEN" });
  expect(hz.cluster.published.map((m) => JSON.parse(m).row_id)).toEqual(["pink:T0:OPEN", "pink:T1:OPEN"]);
  expect(p.stats().sinks[0]).toMatchObject({ up: true, backlog_records: 0, pending_map_writes: 0 });
});
