/**
 * No credential leaves the process, through the built executable: serve runs against a real
 * ClickHouse whose user needs a password (given in DITA_V2_CLICKHOUSE_URL's userinfo), a real
 * Hazelcast member, and bingx-sim with a BingX API key and secret. A trade reaches ClickHouse (the
 * credentials work); ClickHouse is then killed (SINK_DOWN) and restarted (SINK_UP). Then a wrong
 * ClickHouse password with DITA_V2_HAZELCAST_USER/PASSWORD set (the open-source member refuses any
 * client credentials: both sinks degraded), the same required, and a malformed URL. None of the
 * four secrets appears in `GET /status` (with and without a token), `/metrics`, an HTTP error
 * answer, serve's stderr, the one-line start errors, `dita-v2 once`, or any file in the state dir
 * (journal, spools, mark); the masked URL (`http://dita:***@...`) does.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import {
  type ClickHouseService,
  type HazelcastService,
  startClickHouse,
  startHazelcast,
} from "../integration/_services.ts";
import { run, scratch } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { type SimProc, startSim } from "./_sim.ts";

const CH_PASSWORD = "Pw-e2e-CH-7788";
const HZ_PASSWORD = "hz-e2e-pass-4455";
const BINGX_KEY = "e2e-secret-key-AK91";
const BINGX_SECRET = "e2e-secret-sk-ZZ42";
const SECRETS = [CH_PASSWORD, HZ_PASSWORD, BINGX_KEY, BINGX_SECRET];

let ch: ClickHouseService;
let hz: HazelcastService;
let sim: SimProc;
let q: ClickHouseClient;
const dirs: string[] = [];
const served: Served[] = [];

beforeAll(async () => {
  [ch, hz, sim] = await Promise.all([
    startClickHouse({ user: { name: "dita", password: CH_PASSWORD } }),
    startHazelcast("secrets"),
    startSim(31, BINGX_KEY, BINGX_SECRET),
  ]);
  q = createClient({ url: ch.url, request_timeout: 10_000, log: { level: ClickHouseLogLevel.OFF } });
}, 120_000);

afterAll(async () => {
  for (const s of served) if (s.proc.exitCode === null) await s.kill9();
  await q?.close();
  await sim?.stop();
  await hz?.destroy();
  await ch?.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 60_000);

const env = (url: string, extra: Record<string, string> = {}) => ({
  ...sim.env,
  DITA_V2_SLOTS: "2",
  DITA_V2_STRATEGY: "sec",
  DITA_V2_MODE: "DEBUG",
  DITA_V2_CLICKHOUSE: "REAL",
  DITA_V2_CLICKHOUSE_URL: url,
  DITA_V2_CLICKHOUSE_DATABASE: "e2e_secrets",
  DITA_V2_HAZELCAST: "REAL",
  DITA_V2_HAZELCAST_ADDR: hz.addr,
  DITA_V2_HAZELCAST_CLUSTER: hz.cluster,
  ...extra,
});

/** Every file under `dir`, as text. */
function filesOf(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesOf(p));
    else out.push([p, readFileSync(p).toString("latin1")]);
  }
  return out;
}

function expectNoSecret(where: string, text: string): void {
  for (const s of SECRETS) if (text.includes(s)) throw new Error(`${where} contains the secret ${s.slice(0, 6)}…`);
}

async function start(url: string, extra: Record<string, string> = {}): Promise<Served> {
  const dir = scratch("dita-secrets-");
  dirs.push(dir);
  const s = await startServe(env(url, extra), dir, 30_000); // a refused Hazelcast costs its connect timeout
  served.push(s);
  return s;
}

describe("credentials never leave the process", () => {
  test("working credentials: a trade reaches ClickHouse; status, metrics, errors, logs and files show none of them", async () => {
    const url = ch.userUrl!;
    const masked = url.replace(CH_PASSWORD, "***");
    const s = await start(url);
    const enter = {
      type: "ENTER",
      slot_id: 0,
      trade_id: "SEC1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: null,
      leverage: 5,
    };
    expect((await s.call("/intents", { body: enter })).status).toBe(200);
    await eventually("filled", async () => (await s.call("/slots/0")).body.stage === "POSITION_OPEN", 10_000);
    await eventually(
      "rows in ClickHouse",
      async () =>
        Number(
          (
            await (
              await q.query({ query: "SELECT count() AS n FROM e2e_secrets.trade_events", format: "JSONEachRow" })
            ).json<{ n: string }>()
          )[0]!.n,
        ) === 1,
      10_000,
    );
    const status = (await s.call("/status", { token: null })).body;
    expect(status.projection.sinks.map((x: { address: string; up: boolean }) => [x.address, x.up])).toEqual([
      [hz.addr, true],
      [masked, true],
    ]);

    await ch.kill();
    const exit = { type: "EXIT", slot_id: 0, size: 0.01, reason: "TP" };
    expect((await s.call("/intents", { body: exit })).status).toBe(200);
    await eventually("SINK_DOWN logged", () => s.stderr().includes("projection SINK_DOWN: clickhouse sink"), 15_000);
    expect(s.stderr()).toContain(`clickhouse sink at ${masked} is down`);
    const down = (await s.call("/status", { token: null })).body;
    expect(down.projection.sinks[1]).toMatchObject({ up: false, address: masked });
    await ch.restart();
    await eventually("SINK_UP logged", () => s.stderr().includes("projection SINK_UP: clickhouse sink"), 20_000);

    const texts: Array<[string, string]> = [
      ["status (no token)", JSON.stringify((await s.call("/status", { token: null })).body)],
      ["status", JSON.stringify((await s.call("/status")).body)],
      ["status while down", JSON.stringify(down)],
      ["metrics", String((await s.call("/metrics")).body)],
      ["error answer", JSON.stringify((await s.call("/intents", { raw: "{not json" })).body)],
      ["refused answer", JSON.stringify((await s.call("/intents", { body: { type: "VENUE_EVENT" } })).body)],
    ];
    expect(await s.stop()).toBe(0);
    texts.push(["stderr", s.stderr()], ...filesOf(s.stateDir));
    expect(texts.some(([, t]) => t.includes(masked))).toBe(true);
    for (const [where, text] of texts) expectNoSecret(where, text);
  }, 120_000);

  test("refused credentials: degraded serve logs SINK_DEGRADED masked; a required one stops with one masked line", async () => {
    const wrong = ch.userUrl!.replace(CH_PASSWORD, `${CH_PASSWORD}-x`);
    const hzCreds = { DITA_V2_HAZELCAST_USER: "dita", DITA_V2_HAZELCAST_PASSWORD: HZ_PASSWORD };
    const s = await start(wrong, hzCreds);
    expect(s.stderr()).toContain("projection SINK_DEGRADED: projection degraded: clickhouse sink: ");
    expect(s.stderr()).toContain(
      `projection SINK_DEGRADED: projection degraded: hazelcast sink: cannot connect to ${hz.addr}`,
    );
    expect(s.stderr()).toContain("http://dita:***@127.0.0.1:");
    const status = JSON.stringify((await s.call("/status", { token: null })).body);
    expect(await s.stop()).toBe(0);
    for (const [where, text] of [["status", status], ["stderr", s.stderr()], ...filesOf(s.stateDir)] as const)
      expectNoSecret(where, text);

    const dir = scratch("dita-secrets-");
    dirs.push(dir);
    const required = run(["serve"], {
      ...env(wrong, { ...hzCreds, DITA_V2_PROJECTION_REQUIRED: "1" }),
      DITA_V2_STATE_DIR: dir,
    });
    expect(required.code).not.toBe(0);
    // The last line says why (before it, the account lease's one line: the cluster refused it too).
    expect(required.stderr.trim().split("\n").at(-1)).toStartWith(
      `dita-v2: projection: hazelcast sink: cannot connect to ${hz.addr}`,
    );
    expect(required.stderr).toContain("; clickhouse sink: schema setup on http://dita:***@");
    const malformed = run(["once"], { ...env(`http://dita:${CH_PASSWORD}@ bad`), DITA_V2_STATE_DIR: dir });
    expect(malformed.stderr.trim()).toBe(
      "dita-v2: DITA_V2_CLICKHOUSE_URL: must be an http(s) URL, got 'http://dita:***@ bad'",
    );
    const once = run(["once"], { ...env(ch.userUrl!), DITA_V2_STATE_DIR: dir });
    expect(once.code).toBe(0);
    expect(once.stdout).toContain("http://dita:***@");
    for (const [where, text] of [
      ["required", required.stdout + required.stderr],
      ["malformed", malformed.stdout + malformed.stderr],
      ["once", once.stdout + once.stderr],
      ...filesOf(dir),
    ] as const)
      expectNoSecret(where, text);
  }, 120_000);
});
