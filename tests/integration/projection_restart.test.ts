/**
 * Process restart with a non-empty spool, against a real ClickHouse 18.16: a child bun process spools
 * (its ClickHouse URL is dead) and is SIGKILLed; the next process, pointed at the live server with the
 * same state dir, drains every row exactly once. A corrupt/torn tail left behind is skipped with a
 * SPOOL_CORRUPT diagnostic and never stops the drain.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { ManualClock } from "../../src/contracts/clock.ts";
import { encodeFrames } from "../../src/projection/_frame.ts";
import { createProjection, type ProjectionDiagnostic } from "../../src/projection/index.ts";
import { type ClickHouseService, freePort, startClickHouse } from "./_services.ts";

let ch: ClickHouseService;
let q: ClickHouseClient;
beforeAll(async () => {
  ch = await startClickHouse();
  q = createClient({ url: ch.url, request_timeout: 10_000, log: { level: ClickHouseLogLevel.OFF } });
}, 120_000);
afterAll(async () => {
  await q?.close();
  await ch?.destroy();
}, 60_000);

async function spoolInChild(stateDir: string, db: string, trades: number): Promise<number> {
  const env = {
    ...process.env,
    STATE_DIR: stateDir,
    CH_URL: `http://127.0.0.1:${await freePort()}`,
    CH_DB: db,
    TRADES: String(trades),
  };
  const child = Bun.spawn([process.execPath, resolve(import.meta.dir, "projection_child.ts")], {
    env,
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  let out = "";
  for (let i = 0; i < 200 && !out.includes("\n"); i++) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  child.kill("SIGKILL");
  await child.exited;
  expect(child.signalCode).toBe("SIGKILL");
  const m = /SPOOLED (\d+)/.exec(out);
  if (!m) throw new Error(`child printed ${JSON.stringify(out)}`);
  return Number(m[1]);
}

async function drain(stateDir: string, db: string, diags: ProjectionDiagnostic[]) {
  const p = await createProjection({
    run: "t1",
    strategy: "pink",
    stateDir,
    clock: new ManualClock(),
    clickhouse: { url: ch.url, database: db },
    required: true,
    onDiagnostic: (d) => diags.push(d),
    tuning: { delayMs: 2 },
  });
  const ok = await p.flush(30_000);
  const stats = p.stats();
  await p.close();
  return { ok, stats };
}
const count = async (sql: string) =>
  Number((await (await q.query({ query: sql, format: "JSONEachRow" })).json<{ n: string }>())[0]!.n);

describe("restart with a non-empty spool", () => {
  test("a SIGKILLed process's spool is drained by the next process, every row exactly once", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "proj-restart-"));
    try {
      const spooled = await spoolInChild(stateDir, "it_restart", 25);
      expect(spooled).toBe(25 * (4 + 11) + 1); // 25 trades' rows, and the control row
      const diags: ProjectionDiagnostic[] = [];
      const r = await drain(stateDir, "it_restart", diags);
      expect(r.ok).toBe(true);
      expect(r.stats.backlog_records).toBe(0);
      expect(diags).toEqual([]);
      expect(await count("SELECT count() AS n FROM it_restart.trade_events")).toBe(100);
      expect(await count("SELECT count() AS n FROM it_restart.dita_v2_transitions")).toBe(275);
      expect(await count("SELECT uniqExact(row_id) AS n FROM it_restart.dita_v2_transitions")).toBe(275);
      // A third process finds nothing left to send.
      const again = await drain(stateDir, "it_restart", diags);
      expect(again.stats.sinks[0]!.records_written).toBe(0);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);

  test("a torn tail after the SIGKILL is skipped with SPOOL_CORRUPT and the good records still drain", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "proj-restart-"));
    try {
      const spooled = await spoolInChild(stateDir, "it_torn", 4);
      const frame = encodeFrames([{ kind: "diagnostic", row: { row_id: "pink:x" } }]).bytes;
      appendFileSync(join(stateDir, "spool", "clickhouse.spool"), frame.subarray(0, frame.length - 7)); // a write cut short
      const diags: ProjectionDiagnostic[] = [];
      const r = await drain(stateDir, "it_torn", diags);
      expect(r.ok).toBe(true);
      expect(diags.map((d) => d.code)).toEqual(["SPOOL_CORRUPT"]);
      expect(diags[0]!.message).toContain("torn_tail");
      expect(await count("SELECT count() AS n FROM it_torn.trade_events")).toBe(16);
      expect(spooled).toBe(4 * 15 + 1);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});
