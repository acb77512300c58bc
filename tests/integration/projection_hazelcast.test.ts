/**
 * HazelcastSink against a real Hazelcast 5.5.0 member (started for this file, stopped in afterAll):
 * a whole trade's map entries and topic messages field by field, compare-and-set on version, a member
 * killed mid-run (spool, restart, final state equals last state), bad configuration at start, and a
 * member that comes back empty (or maps cleared by hand) refilled with the whole image, closed slots
 * included, without any new write.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import { readTopic } from "../../src/projection/_iso_hz.ts";
import { type HzClient, newHzClient } from "../../src/projection/hz_client.ts";
import {
  createProjection,
  HazelcastSink,
  type Projection,
  type ProjectionDiagnostic,
} from "../../src/projection/index.ts";
import { freePort, type HazelcastService, startHazelcast } from "./_services.ts";
import { control, finishTrade, openTrade, TradeScript, wholeTrade } from "./projection_fixtures.ts";

/** The projection's epoch: its ManualClock's start time (map rows carry it; see README, Version epochs). */
const EPOCH = 1_700_000_000_000;

let hz: HazelcastService;
let reader: HzClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  hz = await startHazelcast("dita-it");
  reader = await newHzClient({ addr: hz.addr, cluster: hz.cluster }, false);
}, 120_000);
afterAll(async () => {
  await reader?.shutdown().catch(() => {});
  await hz?.destroy();
}, 60_000);
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function project(
  strategy: string,
  diags: ProjectionDiagnostic[] = [],
  required = true,
  addr = hz.addr,
  cluster = hz.cluster,
  imageCheckMs = 1_000,
): Promise<Projection> {
  const stateDir = mkdtempSync(join(tmpdir(), "proj-hz-"));
  const p = await createProjection({
    run: "t1",
    strategy,
    stateDir,
    clock: new ManualClock(),
    hazelcast: { addr, cluster },
    required,
    onDiagnostic: (d) => diags.push(d),
    tuning: {
      delayMs: 2,
      retryMinMs: 50,
      retryMaxMs: 300,
      connectTimeoutMs: 2_000,
      invocationTimeoutMs: 2_000,
      imageCheckMs,
    },
  });
  cleanups.push(async () => {
    await p.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  return p;
}
const entries = async (map: string) =>
  new Map(
    (await (await reader.getMap<string, Record<string, unknown>>(map)).entrySet()) as [
      string,
      Record<string, unknown>,
    ][],
  );

describe("HazelcastSink with a live member", () => {
  test("a whole trade leaves the final slot row, no active entry, the account row and OPEN/PARTIAL_EXIT/CLOSE messages", async () => {
    const p = await project("alpha");
    const k = new TradeScript();
    for (const o of wholeTrade(k, 3, "TA1")) p.onOutcome(o);
    expect(await p.flush(10_000)).toBe(true);
    const state = await entries("DOLPHIN_STATE_ALPHA");
    expect(state.get("3")).toEqual(JSON.parse(JSON.stringify({ strategy: "alpha", epoch: EPOCH, ...k.slot(3) })));
    expect(state.get("3")).toMatchObject({ stage: "CLOSED", size: 0, realized_pnl: 7, version: 12, trade_id: "TA1" });
    expect((await entries("DITA_V2_ACTIVE_SLOTS_ALPHA")).size).toBe(0);
    const pnl = (await entries("DOLPHIN_PNL_ALPHA")).get("account")!;
    expect(pnl).toMatchObject({
      strategy: "alpha",
      trade_seq: 1,
      version: k.account.version,
      capital: k.account.capital,
    });
    expect(typeof pnl.updated_at_ms).toBe("number");
    expect((await entries("DITA_V2_CONTROL_ALPHA")).get("control")).toMatchObject({
      strategy: "alpha",
      version: 1,
      mode: "NORMAL",
    });
    const msgs = await readTopic(reader, "DITA_V2_TRADE_EVENTS_ALPHA");
    expect(msgs.map((m) => m.row_id)).toEqual([
      "alpha:TA1:OPEN",
      "alpha:TA1:PX1:1",
      "alpha:TA1:PX2:0.5",
      "alpha:TA1:CLOSE",
    ]);
    expect(msgs[3]).toMatchObject({
      strategy: "alpha",
      event_type: "CLOSE",
      trade_id: "TA1",
      slot_id: 3,
      realized_pnl: 7,
      position_size: 0,
      trade_seq: 1,
    });
    expect(p.stats().sinks[0]).toMatchObject({ sink: "hazelcast", up: true, backlog_records: 0, records_written: 4 });
  }, 30_000);

  test("an open position is listed in the active registry with its confirmed stage", async () => {
    const p = await project("beta");
    const k = new TradeScript();
    for (const o of [k.enter(1, "TB1", 2), k.ack(1, "V"), k.fill(1, 2, 100, 0.1, true), k.exit(1, 1)]) p.onOutcome(o);
    expect(await p.flush(10_000)).toBe(true);
    expect((await entries("DITA_V2_ACTIVE_SLOTS_BETA")).get("1")).toEqual({
      strategy: "beta",
      epoch: EPOCH,
      slot_id: 1,
      stage: "POSITION_OPEN",
      trade_id: "TB1",
      asset: "BTC-USDT",
      side: "LONG",
      version: 3,
      updated_at_ms: k.slot(1).updated_at_ms - 1,
    });
  }, 30_000);

  test("a stale write never overwrites a newer version (compare-and-set on version)", async () => {
    const sink = new HazelcastSink({ addr: hz.addr, cluster: hz.cluster, strategy: "gamma" });
    await sink.connect();
    cleanups.push(() => sink.close());
    expect(
      await sink.writeMaps([
        { map: "DOLPHIN_STATE_GAMMA", key: "0", value: { strategy: "gamma", version: 7, v: "new" }, version: 7 },
      ]),
    ).toEqual({ applied: 1, stale: 0 });
    expect(
      await sink.writeMaps([
        { map: "DOLPHIN_STATE_GAMMA", key: "0", value: { strategy: "gamma", version: 6, v: "old" }, version: 6 },
      ]),
    ).toEqual({ applied: 0, stale: 1 });
    expect(await sink.writeMaps([{ map: "DOLPHIN_STATE_GAMMA", key: "0", value: null, version: 5 }])).toEqual({
      applied: 0,
      stale: 1,
    });
    expect((await entries("DOLPHIN_STATE_GAMMA")).get("0")).toEqual({ strategy: "gamma", version: 7, v: "new" });
    // Two processes racing on one key: whatever the interleaving, the highest version stays.
    const other = new HazelcastSink({ addr: hz.addr, cluster: hz.cluster, strategy: "gamma" });
    cleanups.push(() => other.close());
    const w = (v: number) => [
      { map: "DOLPHIN_STATE_GAMMA", key: "1", value: { strategy: "gamma", version: v }, version: v },
    ];
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? sink : other).writeMaps(w(i))));
    expect((await entries("DOLPHIN_STATE_GAMMA")).get("1")).toEqual({ strategy: "gamma", version: 9 });
  }, 30_000);

  test("bad configuration: one clear line when required, degraded and spooling otherwise", async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    await expect(project("delta", [], true, dead)).rejects.toThrow(
      `projection: hazelcast sink: cannot connect to ${dead} (cluster "${hz.cluster}")`,
    );
    await expect(project("delta", [], true, hz.addr, "wrong-cluster")).rejects.toThrow(
      `hazelcast sink: cannot connect to ${hz.addr} (cluster "wrong-cluster")`,
    );
    const diags: ProjectionDiagnostic[] = [];
    const p = await project("delta", diags, false, dead);
    const k = new TradeScript();
    for (const o of wholeTrade(k, 0, "TD1")) p.onOutcome(o);
    await p.flush(300);
    expect(diags[0]).toMatchObject({ code: "SINK_DEGRADED", sink: "hazelcast" });
    expect(diags[0]!.message.split("\n")).toHaveLength(1);
    expect(p.stats()).toMatchObject({ degraded: true, backlog_records: 4 });
  }, 60_000);
});

describe("member killed mid-run", () => {
  test("the projection keeps accepting, spools, and after the restart the maps equal the last state", async () => {
    const p = await project("kappa");
    const k = new TradeScript();
    for (let s = 0; s < 4; s++) for (const o of openTrade(k, s, `TK${s}`)) p.onOutcome(o);
    expect(await p.flush(10_000)).toBe(true);
    await hz.kill();
    for (const o of finishTrade(k, 0, "TK0")) p.onOutcome(o); // trade 0 closes while the member is dead
    for (let s = 1; s < 4; s++) for (const o of [k.ack(s, `VX${s}`), k.fill(s, 1, 111, 0.01, true)]) p.onOutcome(o);
    for (const o of [k.enter(5, "TK5", 1), k.ack(5, "V5"), k.fill(5, 1, 100, 0, true)]) p.onOutcome(o);
    expect(await p.flush(1_500)).toBe(false);
    const down = p.stats().sinks[0]!;
    expect(down.up).toBe(false);
    expect(down.backlog_records).toBe(7);
    expect(down.last_error).not.toBeNull();
    await hz.restart();
    expect(await p.flush(30_000)).toBe(true);
    // The test's own reader gave up during the outage (its cluster connect timeout is 5 s).
    await reader.shutdown().catch(() => {});
    reader = await newHzClient({ addr: hz.addr, cluster: hz.cluster }, false);
    const state = await entries("DOLPHIN_STATE_KAPPA");
    for (const s of [0, 1, 2, 3, 5])
      expect(state.get(String(s))).toEqual(
        JSON.parse(JSON.stringify({ strategy: "kappa", epoch: EPOCH, ...k.slot(s) })),
      );
    const active = await entries("DITA_V2_ACTIVE_SLOTS_KAPPA");
    expect([...active.keys()].sort()).toEqual(["1", "2", "3", "5"]);
    expect((await entries("DOLPHIN_PNL_KAPPA")).get("account")).toMatchObject({
      version: k.account.version,
      capital: k.account.capital,
    });
    const msgs = await readTopic(reader, "DITA_V2_TRADE_EVENTS_KAPPA");
    // The killed member lost the earlier messages; every one published during the outage arrives once, in order.
    expect(msgs.map((m) => m.row_id)).toEqual([
      "kappa:TK0:PX1:1",
      "kappa:TK0:PX2:0.5",
      "kappa:TK0:CLOSE",
      "kappa:TK1:PX1:1",
      "kappa:TK2:PX1:1",
      "kappa:TK3:PX1:1",
      "kappa:TK5:OPEN",
    ]);
  }, 90_000);
});

/** The four maps of a namespace, each as key → row. */
async function image(ns: string): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of ["DOLPHIN_STATE_", "DITA_V2_ACTIVE_SLOTS_", "DOLPHIN_PNL_", "DITA_V2_CONTROL_"])
    out[m] = Object.fromEntries([...(await entries(`${m}${ns}`))].sort(([a], [b]) => a.localeCompare(b)));
  return out;
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    if (await check().catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A closed trade (slot 0), an open position (slot 1), a confirmed working entry (slot 2), the control row. */
async function threeSlots(p: Projection): Promise<TradeScript> {
  const k = new TradeScript();
  p.onControl(control({ version: 3 }));
  for (const o of wholeTrade(k, 0, "TI0")) p.onOutcome(o);
  for (const o of openTrade(k, 1, "TI1")) p.onOutcome(o);
  for (const o of [k.enter(2, "TI2", 1), k.ack(2, "V2")]) p.onOutcome(o);
  expect(await p.flush(10_000)).toBe(true);
  return k;
}

describe("a member that lost the image", () => {
  test("SIGKILLed and restarted empty: within seconds every map holds the whole image again, closed slot included", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const p = await project("mu", diags, true, hz.addr, hz.cluster, 300);
    await threeSlots(p);
    const before = await image("MU");
    expect(Object.keys(before.DOLPHIN_STATE_!)).toEqual(["0", "1", "2"]);
    expect(before.DOLPHIN_STATE_!["0"]).toMatchObject({ stage: "CLOSED", trade_id: "TI0" });
    expect(Object.keys(before.DITA_V2_ACTIVE_SLOTS_!)).toEqual(["1", "2"]);
    expect(before.DITA_V2_CONTROL_!.control).toMatchObject({ version: 3 });
    await hz.kill();
    await hz.restart(); // a fresh member: every map is empty, and nothing new is projected
    await reader.shutdown().catch(() => {});
    reader = await newHzClient({ addr: hz.addr, cluster: hz.cluster }, false);
    // (The maps may already be refilled here: the projection checks as soon as its client reconnects.)
    await eventually("the whole image back", async () => Bun.deepEquals(await image("MU"), before), 20_000);
    expect(p.stats().sinks[0]!.resyncs).toBe(1); // the sentinel was found missing once: the member came back empty
    const resync = diags.filter((d) => d.code === "SINK_RESYNC");
    expect(resync).toHaveLength(1);
    expect(resync[0]!.message).toContain("writing all 8 rows again"); // 3 slot rows, 3 registry writes, account, control
  }, 90_000);

  test("maps cleared by hand while connected are noticed by the periodic check and refilled", async () => {
    const p = await project("nu", [], true, hz.addr, hz.cluster, 200);
    await threeSlots(p);
    const before = await image("NU");
    for (const m of ["DOLPHIN_STATE_NU", "DITA_V2_ACTIVE_SLOTS_NU", "DOLPHIN_PNL_NU", "DITA_V2_CONTROL_NU"])
      await (await reader.getMap(m)).clear();
    await eventually("the whole image back", async () => Bun.deepEquals(await image("NU"), before), 10_000);
    expect(p.stats().sinks[0]!.resyncs).toBe(1);
  }, 30_000);

  test("nothing is rewritten while the image is intact: checks find the sentinel and stay quiet", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const p = await project("xi", diags, true, hz.addr, hz.cluster, 100);
    await threeSlots(p);
    const applied = p.stats().sinks[0]!.map_writes_applied;
    await Bun.sleep(800);
    expect(p.stats().sinks[0]).toMatchObject({ resyncs: 0, map_writes_applied: applied });
    expect(diags.filter((d) => d.code === "SINK_RESYNC")).toEqual([]);
  }, 30_000);
});
