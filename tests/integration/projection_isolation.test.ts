/**
 * verifyIsolation against a real Hazelcast member and ClickHouse 18.16: two namespaces (pink, blue)
 * projecting side by side pass; a row deliberately leaked into the other namespace's map, or a table
 * row written under the wrong strategy, fails with the surface named.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { ManualClock } from "../../src/contracts/clock.ts";
import { newHzClient } from "../../src/projection/hz_client.ts";
import { createProjection, type Projection, verifyIsolation } from "../../src/projection/index.ts";
import { type ClickHouseService, type HazelcastService, startClickHouse, startHazelcast } from "./_services.ts";
import { openTrade, TradeScript, wholeTrade } from "./projection_fixtures.ts";

let hz: HazelcastService;
let ch: ClickHouseService;
const dirs: string[] = [];
const projections: Projection[] = [];

async function project(strategy: string): Promise<Projection> {
  const stateDir = mkdtempSync(join(tmpdir(), `proj-iso-${strategy}-`));
  dirs.push(stateDir);
  const p = await createProjection({
    run: "t1",
    strategy,
    stateDir,
    clock: new ManualClock(),
    hazelcast: { addr: hz.addr, cluster: hz.cluster },
    clickhouse: { url: ch.url, database: "it_iso" },
    required: true,
    onDiagnostic: () => {},
    tuning: { delayMs: 2 },
  });
  projections.push(p);
  return p;
}

beforeAll(async () => {
  [hz, ch] = await Promise.all([startHazelcast("iso"), startClickHouse()]);
  const pink = await project("pink");
  const blue = await project("blue");
  const kp = new TradeScript();
  const kb = new TradeScript();
  for (const o of [...wholeTrade(kp, 0, "P1"), ...openTrade(kp, 1, "P2")]) pink.onOutcome(o);
  for (const o of [...wholeTrade(kb, 0, "B1"), ...openTrade(kb, 1, "B2")]) blue.onOutcome(o);
  expect(await pink.flush(10_000)).toBe(true);
  expect(await blue.flush(10_000)).toBe(true);
}, 120_000);
afterAll(async () => {
  for (const p of projections) await p.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await Promise.all([hz?.destroy(), ch?.destroy()]);
}, 60_000);

const verify = () =>
  verifyIsolation({
    strategy: "pink",
    others: ["blue"],
    hazelcast: { addr: hz.addr, cluster: hz.cluster },
    clickhouse: { url: ch.url, database: "it_iso" },
  });

describe("verifyIsolation", () => {
  test("two namespaces projecting side by side are isolated", async () => {
    const r = await verify();
    expect(r.rows.filter((x) => !x.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    const surfaces = r.rows.map((x) => `${x.namespace}:${x.surface}`);
    expect(surfaces).toContain("blue:DOLPHIN_STATE_BLUE");
    expect(surfaces).toContain("pink:it_iso.trade_events");
    expect(r.rows.find((x) => x.surface === "DOLPHIN_STATE_PINK")!.entries).toBe(2);
    expect(r.rows.find((x) => x.surface === "DITA_V2_TRADE_EVENTS_BLUE")!.entries).toBe(5); // 4 + OPEN of B2
    expect(r.rows.find((x) => x.namespace === "blue" && x.surface === "it_iso.trade_events")!.entries).toBe(5);
  }, 30_000);

  test("a pink row leaked into blue's slot map fails, naming the map", async () => {
    const c = await newHzClient({ addr: hz.addr, cluster: hz.cluster }, false);
    const m = await c.getMap<string, Record<string, unknown>>("DOLPHIN_STATE_BLUE");
    await m.set("7", { strategy: "pink", slot_id: 7, trade_id: "P9", version: 1 });
    try {
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.rows.filter((x) => !x.ok)).toEqual([
        {
          namespace: "blue",
          surface: "DOLPHIN_STATE_BLUE",
          kind: "map",
          entries: 3,
          foreign: 1,
          ok: false,
          detail: "7:strategy=pink",
        },
      ]);
    } finally {
      await m.delete("7");
      await c.shutdown();
    }
    expect((await verify()).ok).toBe(true);
  }, 30_000);

  test("a table row written under blue for a pink trade fails on the table and on the shared trade id", async () => {
    const q = createClient({ url: ch.url, request_timeout: 10_000, log: { level: ClickHouseLogLevel.OFF } });
    try {
      await q.insert({
        table: "it_iso.trade_events",
        values: [
          { row_id: "pink:P1:OPEN", strategy: "blue", seq: 1, event_type: "OPEN", trade_id: "P1", slot_id: 0 }, // pink's row id under blue
          { row_id: "blue:P2:OPEN", strategy: "blue", seq: 2, event_type: "OPEN", trade_id: "P2", slot_id: 1 }, // pink's trade under blue
        ],
        format: "JSONEachRow",
      });
      const r = await verify();
      expect(r.ok).toBe(false);
      const bad = r.rows.filter((x) => !x.ok).map((x) => `${x.namespace}:${x.surface}:${x.foreign}`);
      expect(bad).toEqual(["blue:it_iso.trade_events:1", "pink,blue:trade ids:1"]);
      expect(r.rows.at(-1)!.detail).toBe("P2 in pink+blue");
    } finally {
      await q.close();
    }
  }, 30_000);
});
