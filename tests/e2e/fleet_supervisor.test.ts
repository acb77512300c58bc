/**
 * Non-impact, made executable: three strategies (pink, blue, green) as programs of one private
 * supervisord, laid out exactly as deploy/ ships them (deploy/supervisor/supervisord.conf, the three
 * example programs, run-strategy.sh reading one 0600 env file per strategy), each `dist/dita-v2
 * serve` trading its own bingx-sim account with REAL Zinc, projecting to a Hazelcast member started
 * from deploy/hazelcast/hazelcast.yaml and to a ClickHouse whose schema was applied from
 * deploy/clickhouse/schema.sql.
 *
 * Stopping and restarting pink leaves blue and green untouched: their supervisor pids, `/status`
 * (run, start, slots, account, state hash, control), maps and ClickHouse row counts are the same
 * before and after; pink leaves the fleet at once on its graceful stop and comes back with its open
 * position. `dita-v2 fleet --verify-isolation` prints the whole eight-item checklist with a verdict
 * per item: every item passes against the baseline saved before the restart with `--changed pink`,
 * and item 6 fails (naming pink's new pid) when the restart is not declared.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { HzClient } from "../../src/projection/index.ts";
import {
  type ClickHouseService,
  freePort,
  type HazelcastCluster,
  startClickHouse,
  startHazelcastCluster,
} from "../integration/_services.ts";
import { EXE, scratch } from "./_exe.ts";
import { fleetCli, mapsEqualStatus, mapsOf, reader, tradeCycle } from "./_fleet.ts";
import { eventually } from "./_serve.ts";
import { ShmPrefixes, type SimProc, startSim } from "./_sim.ts";

const REPO = resolve(import.meta.dir, "../..");
const NAMESPACES = ["pink", "blue", "green"] as const;
type Ns = (typeof NAMESPACES)[number];
const TOKEN = "e2e-fleet-supervisor-token-01";
const root = scratch("dita-desk-");
const conf = join(root, "deploy/supervisor/supervisord.conf");
const fleetDir = join(root, ".dita-v2/fleet");
const shm = new ShmPrefixes();
const sims = {} as Record<Ns, SimProc>;
const ports = {} as Record<Ns, number>;
let hz: HazelcastCluster;
let ch: ClickHouseService;
let rd: HzClient;

const sv = (...args: string[]) => {
  const r = spawnSync("supervisorctl", ["-c", conf, ...args], { encoding: "utf8", timeout: 60_000 });
  return `${r.stdout}${r.stderr}`;
};
/**
 * supervisorctl without blocking this process: a start waits out startsecs (15 s), longer than the
 * Hazelcast reader's 10 s heartbeat timeout, which a blocked event loop would trip.
 */
const svAsync = async (...args: string[]) => {
  const p = Bun.spawn(["supervisorctl", "-c", conf, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return `${out}${err}`;
};
const svPid = (ns: Ns): number => Number(/pid (\d+)/.exec(sv("status", `dita_v2_${ns}`))?.[1] ?? 0);
const api = async (ns: Ns, path: string, body?: unknown) => {
  const init: RequestInit =
    body === undefined
      ? {}
      : {
          method: "POST",
          body: JSON.stringify(body),
          headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        };
  // Bounded: one request a serve never answers must fail its step (status 0, retried by `eventually`,
  // named in its message), not hang the whole test until its timeout with no step named.
  const signal = AbortSignal.timeout(10_000);
  const res = await fetch(`http://127.0.0.1:${ports[ns]}${path}`, { ...init, signal }).catch(() => null);
  return res === null
    ? { status: 0, body: null as any }
    : { status: res.status, body: (await res.json().catch(() => null)) as any };
};
const caller = (ns: Ns) => ({ call: (path: string, init?: { body?: unknown }) => api(ns, path, init?.body) });
const deskEnv = () => ({
  DITA_V2_HAZELCAST: "REAL",
  DITA_V2_HAZELCAST_ADDR: hz.addr,
  DITA_V2_HAZELCAST_CLUSTER: hz.cluster,
  DITA_V2_CLICKHOUSE: "REAL",
  DITA_V2_CLICKHOUSE_URL: ch.url,
  DITA_V2_CLICKHOUSE_DATABASE: "dita",
});

async function chQuery(sql: string): Promise<string> {
  const res = await fetch(ch.url, { method: "POST", body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse: ${text.slice(0, 300)}`);
  return text;
}

/** Rows per table of one namespace (tables hold each row id once: no FINAL needed). */
async function rowCounts(ns: Ns): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ["trade_events", "dita_v2_transitions", "dita_v2_diagnostics"])
    out[t] = Number((await chQuery(`SELECT count() FROM dita.${t} WHERE strategy = '${ns}'`)).trim());
  return out;
}

/** What must not move in an untouched kernel. */
async function snapshot(ns: Ns) {
  const st = (await api(ns, "/status")).body;
  const maps = JSON.stringify(await mapsOf(rd, ns));
  return {
    pid: svPid(ns),
    status: {
      run: st.run,
      started: st.started_at_ms,
      slots: st.slots,
      account: st.account,
      hash: st.state_hash,
      control: st.control,
    },
    maps: createHash("sha256").update(maps).digest("hex"),
    rows: await rowCounts(ns),
  };
}

function layOut(): void {
  mkdirSync(join(root, "deploy"), { recursive: true });
  cpSync(join(REPO, "deploy/supervisor"), join(root, "deploy/supervisor"), { recursive: true });
  mkdirSync(join(root, "dist"), { recursive: true });
  symlinkSync(EXE, join(root, "dist/dita-v2"));
  mkdirSync(join(fleetDir, "env"), { recursive: true });
  for (const ns of NAMESPACES) {
    const env: Record<string, string> = {
      ...sims[ns].env,
      ...deskEnv(),
      DITA_V2_HTTP_PORT: String(ports[ns]),
      DITA_V2_OPERATOR_TOKEN: TOKEN,
      DITA_V2_ZINC: "REAL",
      DITA_V2_CONTROL_PLANE: "REAL_ZINC",
      DITA_V2_ZINC_PREFIX: shm.fresh(ns),
      DITA_V2_MODE: "DEBUG",
      DITA_V2_SLOTS: "4",
      DITA_V2_FLEET_TTL_MS: "3000",
      DITA_V2_BINGX_IP_SHARE: "3", // three BingX kernels on this one host
    };
    const file = join(fleetDir, "env", `${ns}.env`);
    writeFileSync(
      file,
      `${Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n")}\n`,
    );
    chmodSync(file, 0o600);
  }
}

beforeAll(async () => {
  const simsUp = Promise.all(
    NAMESPACES.map((ns, i) => startSim(61 + i, `desk-${ns}-key-0001`, `desk-${ns}-secret-01`)),
  );
  [hz, ch] = await Promise.all([startHazelcastCluster(1, "desk"), startClickHouse()]);
  for (const [i, s] of (await simsUp).entries()) sims[NAMESPACES[i]!] = s;
  for (const ns of NAMESPACES) ports[ns] = await freePort();
  const schema = readFileSync(join(REPO, "deploy/clickhouse/schema.sql"), "utf8").replace(/^--.*$/gm, "");
  for (const stmt of schema
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean))
    await chQuery(stmt);
  layOut();
  rd = await reader(hz.addr, hz.cluster);
  const up = spawnSync("supervisord", ["-c", conf], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
  });
  if (up.status !== 0) throw new Error(`supervisord did not start: ${up.stderr}`);
}, 180_000);

afterAll(async () => {
  const pidFile = join(fleetDir, "supervisord.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    sv("shutdown");
    for (let i = 0; i < 300; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await Bun.sleep(100);
    }
  }
  await rd?.shutdown().catch(() => {});
  await Promise.all(Object.values(sims).map((s) => s.stop()));
  await Promise.all([hz?.destroy(), ch?.destroy()]);
  shm.removeAll();
  rmSync(root, { recursive: true, force: true });
}, 90_000);

describe("three strategies under one supervisord, as deploy/ ships them", () => {
  test("pink, blue and green come up as programs, each healthy, trading its own account, listed by fleet", async () => {
    for (const ns of NAMESPACES)
      await eventually(`${ns} healthy`, async () => (await api(ns, "/health")).status === 200, 30_000);
    const running = () =>
      sv("status")
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/).slice(0, 2));
    const all = ["blue", "green", "pink"].map((ns) => [`dita_v2_${ns}`, "RUNNING"]);
    // RUNNING only after startsecs (15 s) up, counted from each program's spawn.
    await eventually("three programs RUNNING", () => Bun.deepEquals(running(), all), 30_000);
    await tradeCycle(caller("pink"), 0, "BTC-USDT", 0.01);
    await tradeCycle(caller("green"), 0, "SOL-USDT", 1);
    for (const [ns, asset, size] of [
      ["pink", "ETH-USDT", 0.05],
      ["blue", "BTC-USDT", 0.01],
    ] as const) {
      const r = await api(ns, "/intents", {
        type: "ENTER",
        slot_id: 1,
        trade_id: `${ns}-hold`,
        asset,
        side: "LONG",
        size,
        price: null,
        leverage: 5,
      });
      expect(r.status).toBe(200);
      await eventually(`${ns} holds`, async () => (await api(ns, "/slots/1")).body.stage === "POSITION_OPEN", 10_000);
    }
    for (const ns of NAMESPACES) {
      await eventually(`${ns} maps equal /status`, () => mapsEqualStatus(rd, ns, caller(ns)), 15_000);
      await eventually(
        `${ns} projection drained`,
        async () => (await api(ns, "/status")).body.projection.backlog_records === 0,
        15_000,
      );
    }
    const f = await fleetCli(["--json"], deskEnv());
    expect(f.code).toBe(0);
    expect(JSON.parse(f.stdout).kernels.map((k: any) => [k.namespace, k.state, k.pid])).toEqual(
      (["blue", "green", "pink"] as const).map((ns) => [ns, "ok", svPid(ns)]),
    );
  }, 120_000);

  test("stopping and restarting pink leaves blue and green untouched; fleet --verify-isolation prints all eight items, each PASS", async () => {
    const base = join(root, "baseline.json");
    const first = await fleetCli(["--verify-isolation", "--save", base], deskEnv());
    expect(first.code).toBe(0);
    const before = { blue: await snapshot("blue"), green: await snapshot("green") };
    const pinkPid = svPid("pink");

    expect(sv("stop", "dita_v2_pink")).toContain("dita_v2_pink: stopped");
    const gone = JSON.parse((await fleetCli(["--json"], deskEnv())).stdout);
    expect(gone.kernels.map((k: any) => k.namespace)).toEqual(["blue", "green"]); // a graceful stop leaves at once
    expect(await svAsync("start", "dita_v2_pink")).toContain("dita_v2_pink: started");
    await eventually("pink healthy again", async () => (await api("pink", "/health")).status === 200, 30_000);
    expect(svPid("pink")).not.toBe(pinkPid);
    const pink = (await api("pink", "/status")).body;
    expect(pink.slots[1]).toMatchObject({ stage: "POSITION_OPEN", trade_id: "pink-hold" });
    await eventually("pink's maps equal its new /status", () => mapsEqualStatus(rd, "pink", caller("pink")), 15_000);
    await eventually(
      "pink listed again",
      async () => {
        const f = JSON.parse((await fleetCli(["--json"], deskEnv())).stdout);
        return f.kernels.length === 3 && f.kernels.every((k: any) => k.state === "ok");
      },
      15_000,
    );

    expect({ blue: await snapshot("blue"), green: await snapshot("green") }).toEqual(before);

    const check = await fleetCli(["--verify-isolation", "--baseline", base, "--changed", "pink"], deskEnv());
    const lines = check.stdout.trim().split("\n");
    expect(lines[0]).toBe("namespaces seen: blue, green, pink");
    expect(lines[1]).toMatch(/^#\s+VERDICT\s+ASSERTION\s+METHOD\s+DETAIL$/);
    expect(lines.slice(2, 10).map((l) => l.split(/\s+/).slice(0, 2))).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [String(n), "PASS"]),
    );
    expect(lines[10]).toBe("isolation: ok");
    expect(check.code).toBe(0);

    const undeclared = await fleetCli(["--verify-isolation", "--baseline", base], deskEnv());
    expect(undeclared.code).toBe(1);
    const item6 = undeclared.stdout.split("\n").find((l) => /^6\s/.test(l))!;
    expect(item6).toMatch(
      new RegExp(`^6\\s+FAIL\\s+.*pink: \\S+ pid ${pinkPid} run [0-9a-f]{16} → \\S+ pid ${svPid("pink")}`),
    );
  }, 150_000);
});
