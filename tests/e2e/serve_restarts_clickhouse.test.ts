/**
 * Projected rows survive restarts exactly once, through the built executable against a real
 * ClickHouse 18.16: `dist/dita-v2 serve` (mock venue, DEBUG journal, real Zinc) on one state dir is
 * restarted five times (SIGKILL and SIGTERM mixed). Each run makes two whole trades, a burst of
 * CANCELs through the Zinc ring (a separate producer process; drained in batches, each record its
 * own journal seq) and one over HTTP, all refused by the kernel with one diagnostic row each, and
 * a killed run is killed right after one more ENTER was accepted, so rows still waiting for the
 * spool are lost and the next start's catch-up must rebuild them from the journal. Afterwards, in
 * the raw tables (no FINAL): no row id twice; every whole trade has all its transitions and its OPEN
 * and CLOSE; every killed run's last ENTER its transition; every refused input of a cleanly stopped
 * run its diagnostic (refused inputs are not journaled, so a SIGKILL may lose the last of those
 * rows, like the launcher's own diagnostics — never duplicate them); the journal-backed rows equal
 * what the journal directory (one segment per run) rebuilds into an empty database (`dita-v2
 * replay DIR --project`); and replaying it into the same tables inserts no row.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { type ClickHouseService, startClickHouse } from "../integration/_services.ts";
import { run, scratch } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes } from "./_sim.ts";

const DB = "e2e_restarts";
const RUNS = 6; // the first start and five restarts
const BURST = 40;
const RING_BURST = 300;
const ROOT = join(import.meta.dir, "../..");
let ch: ClickHouseService;
let q: ClickHouseClient;
const prefixes = new ShmPrefixes();
const stateDir = scratch("dita-restarts-");
const served: Served[] = [];

beforeAll(async () => {
  ch = await startClickHouse();
  q = createClient({ url: ch.url, request_timeout: 10_000, log: { level: ClickHouseLogLevel.OFF } });
}, 120_000);

afterAll(async () => {
  for (const s of served) if (s.proc.exitCode === null) await s.kill9();
  await q?.close();
  await ch?.destroy();
  prefixes.removeAll();
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

const prefix = prefixes.fresh("restarts");
const env = (db = DB) => ({
  DITA_V2_SLOTS: "4",
  DITA_V2_STRATEGY: "rst",
  DITA_V2_MODE: "DEBUG",
  DITA_V2_ZINC: "REAL",
  DITA_V2_ZINC_PREFIX: prefix,
  DITA_V2_CLICKHOUSE: "REAL",
  DITA_V2_CLICKHOUSE_URL: ch.url,
  DITA_V2_CLICKHOUSE_DATABASE: db,
  DITA_V2_MOCK_PRICES: "BTC-USDT=65000",
});

async function rows<T>(query: string): Promise<T[]> {
  return (await q.query({ query, format: "JSONEachRow" })).json<T>();
}
const count = async (sql: string) => Number((await rows<{ n: string }>(sql))[0]!.n);

/** Enter, fill, exit in full, closed: one whole trade on `slot`. */
async function trade(s: Served, slot: number, id: string): Promise<void> {
  const body = {
    type: "ENTER",
    slot_id: slot,
    trade_id: id,
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price: null,
    leverage: 5,
  };
  expect((await s.call("/intents", { body })).status).toBe(200);
  await eventually(`${id} filled`, async () => (await s.call(`/slots/${slot}`)).body.stage === "POSITION_OPEN", 10_000);
  const exit = { type: "EXIT", slot_id: slot, size: 0.01, reason: "TP" };
  expect((await s.call("/intents", { body: exit })).status).toBe(200);
  await eventually(`${id} closed`, async () => (await s.call(`/slots/${slot}`)).body.stage === "CLOSED", 10_000);
}

/** RING_BURST cancels of idle slot 2 pushed into the Zinc ring by another process, applied once drained. */
async function ringBurst(s: Served): Promise<void> {
  const before = (await s.call("/status")).body.zinc.ring.head as number;
  const p = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "fixtures/ring_cancels.ts"),
      join(ROOT, "ffi/build/libzinc.so"),
      prefix,
      "2",
      String(RING_BURST),
    ],
    { cwd: ROOT, stdout: "pipe", stderr: "pipe" },
  );
  expect(await p.exited).toBe(0);
  expect(JSON.parse(await new Response(p.stdout as ReadableStream).text())).toEqual({
    pushed: RING_BURST,
    gave_up: false,
  });
  await eventually("ring drained", async () => {
    const ring = (await s.call("/status")).body.zinc.ring;
    return ring.head === before + RING_BURST && ring.tail === ring.head;
  });
}

/** BURST cancels of idle slot 3: each is refused by the kernel with one diagnostic (not journaled). */
async function burst(s: Served): Promise<void> {
  const answers = await Promise.all(
    Array.from({ length: BURST }, () => s.call("/intents", { body: { type: "CANCEL", slot_id: 3 } })),
  );
  expect(answers.every((a) => a.status === 422 && a.body.diagnostics[0]?.code === "INVALID_TRANSITION")).toBe(true);
}

describe("serve restarted five times on one state dir (SIGKILL and SIGTERM mixed)", () => {
  const trades: string[] = [];
  const killedEntries: string[] = [];
  const stops = ["KILL", "TERM", "KILL", "KILL", "TERM", "KILL"] as const;

  test("every transition, diagnostic and lifecycle row of every trade is in the raw tables exactly once", async () => {
    for (let r = 0; r < RUNS; r++) {
      const s = await startServe(env(), stateDir);
      served.push(s);
      for (const slot of [0, 1]) {
        const id = `R${r}S${slot}`;
        await trade(s, slot, id);
        trades.push(id);
      }
      await ringBurst(s);
      await burst(s);
      if (stops[r] === "KILL") {
        const id = `K${r}`; // accepted, journaled; its rows are still in memory when the kill lands
        const body = {
          type: "ENTER",
          slot_id: 1,
          trade_id: id,
          asset: "BTC-USDT",
          side: "LONG",
          size: 0.01,
          price: null,
          leverage: 5,
        };
        expect((await s.call("/intents", { body })).status).toBe(200);
        killedEntries.push(id);
        await s.kill9();
      } else expect(await s.stop()).toBe(0);
    }
    const last = await startServe(env(), stateDir); // the sixth start's catch-up, then a clean stop
    served.push(last);
    await eventually("backlog drained", async () => (await last.call("/status")).body.projection.backlog_records === 0);
    expect(await last.stop()).toBe(0);
    const caughtUp = served
      .map((s) => s.stderr())
      .join("\n")
      .match(/catch-up: run [0-9a-f]+: re-projected [1-9]\d* input/g);
    expect(caughtUp?.length ?? 0).toBeGreaterThan(0); // some SIGKILL left inputs after the mark, rebuilt

    for (const table of ["dita_v2_transitions", "dita_v2_diagnostics", "trade_events"]) {
      const all = await count(`SELECT count() AS n FROM ${DB}.${table}`);
      expect(all).toBeGreaterThan(0);
      expect(await count(`SELECT uniqExact(row_id) AS n FROM ${DB}.${table}`)).toBe(all);
    }
    const entered = await rows<{ trade_id: string }>(
      `SELECT trade_id FROM ${DB}.dita_v2_transitions WHERE trade_id LIKE 'K%' AND trigger = 'ENTER' ORDER BY trade_id`,
    );
    expect(entered.map((t) => t.trade_id)).toEqual([...killedEntries].sort());
    const perTrade = await rows<{ trade_id: string; n: string }>(
      `SELECT trade_id, count() AS n FROM ${DB}.dita_v2_transitions WHERE trade_id LIKE 'R%' GROUP BY trade_id ORDER BY trade_id`,
    );
    expect(perTrade.map((t) => t.trade_id)).toEqual([...trades].sort());
    const first = Number(perTrade[0]!.n);
    expect(first).toBeGreaterThanOrEqual(6); // ENTER, ACK, FULL_FILL, EXIT, ACK, FULL_FILL at least
    expect(perTrade.every((t) => Number(t.n) === first)).toBe(true);
    const lifecycle = await rows<{ trade_id: string; e: string[] }>(
      `SELECT trade_id, groupArray(event_type) AS e FROM (SELECT trade_id, event_type FROM ${DB}.trade_events WHERE trade_id LIKE 'R%' ORDER BY seq) GROUP BY trade_id ORDER BY trade_id`,
    );
    expect(lifecycle).toEqual([...trades].sort().map((trade_id) => ({ trade_id, e: ["OPEN", "CLOSE"] })));
    // Every start seeds capital once (a diagnostic of its run). A cleanly stopped run's bursts left
    // every refusal; a killed run's at most that many (the last may not have reached the spool).
    // Repeated refusals are one row and a summary row counting the rest (`details.repeated`, >= 1).
    const refusals = (slot: number) =>
      `sumIf(greatest(visitParamExtractUInt(details, 'repeated'), 1), slot_id = ${slot})`;
    const perRun = await rows<{ run: string; seeded: string; refused: string; ring: string }>(
      `SELECT run, countIf(code = 'CAPITAL_SEEDED') AS seeded, ${refusals(3)} AS refused, ${refusals(2)} AS ring FROM ${DB}.dita_v2_diagnostics GROUP BY run`,
    );
    expect(perRun).toHaveLength(RUNS + 1);
    expect(perRun.filter((r) => r.seeded === "1")).toHaveLength(RUNS + 1);
    const cleanRuns = stops.filter((x) => x === "TERM").length;
    const refused = perRun.map((r) => Number(r.refused)).sort((a, b) => b - a);
    const ring = perRun.map((r) => Number(r.ring)).sort((a, b) => b - a);
    expect(refused.slice(0, cleanRuns)).toEqual(Array(cleanRuns).fill(BURST));
    expect(ring.slice(0, cleanRuns)).toEqual(Array(cleanRuns).fill(RING_BURST));
    expect(refused.every((n) => n <= BURST) && ring.every((n) => n <= RING_BURST)).toBe(true);
  }, 240_000);

  test("the journal rebuilds exactly these rows into an empty database, and into the same tables inserts none", async () => {
    const dir = join(stateDir, "journal");
    const segments = readdirSync(dir).filter((f) => f.startsWith("segment-"));
    expect(segments).toHaveLength(RUNS + 1); // one segment per run: none reached 64 MB
    const fresh = "e2e_restarts_rebuilt";
    const into = run(["replay", dir, "--project"], env(fresh));
    expect(into.code).toBe(0);
    expect(JSON.parse(into.stdout).run.split(",")).toHaveLength(RUNS + 1); // every run, from the oldest snapshot
    const again = run(["replay", dir, "--project"], env());
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ rows_inserted: 0 });
    expect(JSON.parse(again.stdout).rows_already_stored).toBe(JSON.parse(into.stdout).rows_inserted);
    // Journal-backed rows only: refused inputs and the launcher's own diagnostics (ids `<run>:L<n>`)
    // were never journaled, so no journal rebuilds them.
    const journaled = "position(row_id, ':L') = 0";
    for (const table of ["dita_v2_transitions", "dita_v2_diagnostics", "trade_events"]) {
      const live = await rows<{ row_id: string }>(
        `SELECT row_id FROM ${DB}.${table} WHERE ${journaled} ORDER BY row_id`,
      );
      const rebuilt = await rows<{ row_id: string }>(`SELECT row_id FROM ${fresh}.${table} ORDER BY row_id`);
      expect(rebuilt).toEqual(live);
      expect(await count(`SELECT count() AS n FROM ${DB}.${table} WHERE ${journaled}`)).toBe(live.length); // nothing added
    }
  }, 240_000);
});
