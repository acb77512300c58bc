/**
 * HazelcastSink's image-loss check against an in-memory cluster (fixtures/fake_hz_projection.ts).
 * The sentinel is the control row: once this sink wrote it, its absence means the cluster lost
 * the image. The check must not be fooled by the sink itself writing the sentinel to a new
 * cluster before it looked, nor forget a reconnect because the check's own call failed.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import { createProjection, HazelcastSink, type MapWrite, type Projection } from "../../src/projection/index.ts";
import { control, openTrade, TradeScript, wholeTrade } from "../integration/projection_fixtures.ts";
import { FakeCluster, FakeHazelcast } from "./fixtures/fake_hz_projection.ts";

const CONTROL = "DITA_V2_CONTROL_PINK";
const STATE = "DOLPHIN_STATE_PINK";
const EPOCH = 1_000;

const dirs: string[] = [];
const open: Projection[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const controlWrite = (version: number): MapWrite => ({
  map: CONTROL,
  key: "control",
  value: { strategy: "pink", version, epoch: EPOCH },
  version,
  epoch: EPOCH,
});
const slotWrite = (id: number, version: number): MapWrite => ({
  map: STATE,
  key: String(id),
  value: { strategy: "pink", slot_id: id, version, epoch: EPOCH },
  version,
  epoch: EPOCH,
});

function sinkOn(hz: FakeHazelcast): HazelcastSink {
  return new HazelcastSink({ addr: "127.0.0.1:5701", cluster: "dev", strategy: "pink" }, hz.connect);
}

test("a new client after the old one gave up, whose first call writes the control row to an emptied cluster, still reports the image lost", async () => {
  const hz = new FakeHazelcast();
  const sink = sinkOn(hz);
  await sink.connect();
  expect(await sink.imageLost()).toBe(false); // nothing written yet
  await sink.writeMaps([controlWrite(3), slotWrite(0, 5), slotWrite(1, 7)]);
  expect(await sink.imageLost()).toBe(false); // intact

  // The cluster restarts empty during an outage long enough for the client to give up; meanwhile
  // the control changed, so the first batch the new client sends holds the control row.
  hz.down = true;
  hz.giveUp();
  hz.cluster = new FakeCluster();
  await expect(sink.writeMaps([controlWrite(4)])).rejects.toThrow("cannot connect");
  hz.down = false;
  await sink.writeMaps([controlWrite(4)]);
  expect(hz.connects).toBe(2);
  expect(Object.keys(hz.cluster.rows(STATE))).toEqual([]); // slots 0 and 1 are gone

  expect(sink.reconnected()).toBe(true);
  expect(await sink.imageLost()).toBe(true);
  expect(await sink.imageLost()).toBe(false); // reported once
});

for (const how of ["CHANGED_CLUSTER on the same client", "a new client after the old one gave up"]) {
  test(`a reconnect (${how}) is not forgotten when the check's own call fails: the loss is still reported once`, async () => {
    const hz = new FakeHazelcast();
    const sink = sinkOn(hz);
    await sink.connect();
    await sink.writeMaps([controlWrite(3), slotWrite(0, 5)]);
    expect(await sink.imageLost()).toBe(false);

    // A new, empty cluster behind the address; its first map call fails (partitions not ready).
    hz.cluster = new FakeCluster();
    if (how.startsWith("CHANGED")) hz.fire("CHANGED_CLUSTER");
    else hz.giveUp();
    hz.failNext.set("getMap", 1);
    const first = await sink.imageLost().catch(() => "failed");
    // A pending control change lands before the next check (retried once, as the outbox does, if the failing call was its own).
    await sink.writeMaps([controlWrite(4)]).catch(() => sink.writeMaps([controlWrite(4)]));
    const reports = [first, await sink.imageLost(), await sink.imageLost()];
    expect(reports.filter((r) => r === true)).toHaveLength(1);
  });
}

test("projection: after an outage that emptied the cluster, a control change pending at reconnect does not hide the loss; every slot row comes back", async () => {
  const hz = new FakeHazelcast();
  const d = mkdtempSync(join(tmpdir(), "proj-hz-check-"));
  dirs.push(d);
  const p = await createProjection({
    run: "t1",
    strategy: "pink",
    stateDir: d,
    clock: new ManualClock(),
    epochMs: EPOCH,
    required: true,
    onDiagnostic: () => {},
    sinks: [sinkOn(hz)],
    tuning: { delayMs: 1, retryMinMs: 1, retryMaxMs: 5, imageCheckMs: 40 },
  });
  open.push(p);
  const k = new TradeScript();
  p.onControl(control({ version: 3 }));
  for (const o of wholeTrade(k, 0, "T0")) p.onOutcome(o);
  for (const o of openTrade(k, 1, "T1")) p.onOutcome(o);
  expect(await p.flush(2_000)).toBe(true);
  const before = hz.cluster.rows(STATE);
  expect(Object.keys(before)).toEqual(["0", "1"]);

  hz.down = true;
  hz.giveUp();
  hz.cluster = new FakeCluster();
  p.onControl(control({ version: 4 }));
  expect(await p.flush(30)).toBe(false);
  hz.down = false;
  expect(await p.flush(2_000)).toBe(true);
  await Bun.sleep(150); // a few periodic checks
  expect(await p.flush(2_000)).toBe(true);

  expect(hz.cluster.rows(STATE)).toEqual(before);
  expect(hz.cluster.rows(CONTROL).control).toMatchObject({ version: 4 });
  expect(p.stats().sinks[0]!.resyncs).toBe(1);
});
