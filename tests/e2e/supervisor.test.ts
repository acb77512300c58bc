/**
 * `dolphin:dita_v2` under a real private supervisord (Debian's `supervisor` package, installed
 * when missing). A copy of supervisor/* and of dist/dita-v2 is laid out like a checkout in a temp
 * dir (<tmp>/supervisor/dolphin-supervisord.conf, <tmp>/dist/dita-v2), so the config's %(here)s
 * paths resolve there. The program trades BINGX against bingx-sim (its own process), with REAL
 * Zinc under a unique prefix and a free HTTP port, all exported in supervisord's environment.
 *
 * Covered: `dita-v2 ctl start|status|stop|restart|tail --conf` exit codes (status 0 RUNNING,
 * 3 not running, 4 unreachable), kill -9 of the program → supervisord restarts it and the new
 * process reconciles with the sim (its /status recovery report), a graceful stop (exit status 0),
 * supervisor/supervisorctl.sh, the smoke's supervisor precheck, that supervisord started
 * directly without the posture variables refuses the config naming the variable, and that a
 * start failing after 10 s (longer than supervisord's old startsecs) makes `ctl start` exit 1. supervisord is
 * never SIGKILLed; afterAll shuts it down and removes the temp dir and the /dev/shm files.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type ClickHouseService,
  freePort,
  type HazelcastService,
  startClickHouse,
  startHazelcast,
} from "../integration/_services.ts";
import { EXE, run, scratch } from "./_exe.ts";
import { eventually } from "./_serve.ts";
import { removeShm, type SimProc, simSize, startSim, uniquePrefix } from "./_sim.ts";

const REPO = resolve(import.meta.dir, "../..");
const TOKEN = "e2e-supervisor-token-0123456789";
const root = scratch("dita-sv-");
const conf = join(root, "supervisor/dolphin-supervisord.conf");
const svDir = join(root, ".dita-v2/supervisor");
const sock = join(svDir, "supervisor.sock");
const exe = join(root, "dist/dita-v2");
const prefix = uniquePrefix("sv");
let sim: SimProc;
let hz: HazelcastService;
let ch: ClickHouseService;
let port = 0;
let env: Record<string, string> = {};

function installSupervisor(): void {
  if (Bun.which("supervisord") && Bun.which("supervisorctl")) return;
  const r = spawnSync("bash", ["-c", `source ${join(REPO, "scripts/services/supervisor.sh")} && sv_install`], {
    encoding: "utf8",
    timeout: 300_000,
  });
  if (r.status !== 0 || !Bun.which("supervisord")) throw new Error(`could not install supervisor: ${r.stderr}`);
}

const ctl = (...args: string[]) => run(["ctl", ...args, "--conf", conf], env, root, exe);
const script = (...args: string[]) => {
  const r = spawnSync("bash", [join(root, "supervisor/supervisorctl.sh"), "dita_v2", ...args], {
    encoding: "utf8",
    env,
    timeout: 90_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};
const svLog = () => readFileSync(join(svDir, "supervisord.log"), "utf8");

/** supervisor.getProcessInfo over the XML-RPC unix socket (supervisord's XML-RPC API). */
async function processInfo(): Promise<{ state: string; pid: number; exitstatus: number }> {
  const body = `<?xml version="1.0"?><methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>dolphin:dita_v2</string></value></param></params></methodCall>`;
  const xml = await (
    await fetch("http://localhost/RPC2", {
      method: "POST",
      body,
      headers: { "Content-Type": "text/xml" },
      unix: sock,
    } as RequestInit)
  ).text();
  const f = (k: string) => new RegExp(`<name>${k}</name>\\s*<value><\\w+>([^<]*)<`).exec(xml)?.[1] ?? "";
  return { state: f("statename"), pid: Number(f("pid")), exitstatus: Number(f("exitstatus")) };
}

async function api(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init: RequestInit =
    body === undefined
      ? {}
      : {
          method: "POST",
          body: JSON.stringify(body),
          headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        };
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init).catch(() => null);
  return res === null ? { status: 0, body: null } : { status: res.status, body: await res.json().catch(() => null) };
}

async function shutdownSupervisord(): Promise<void> {
  const pidFile = join(svDir, "supervisord.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  spawnSync("supervisorctl", ["-c", conf, "shutdown"], { timeout: 60_000 });
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await Bun.sleep(100);
  }
  process.kill(pid, "SIGTERM"); // never SIGKILL: its children would survive it
}

beforeAll(async () => {
  installSupervisor();
  sim = await startSim(21);
  [hz, ch] = await Promise.all([startHazelcast("supervised"), startClickHouse()]);
  port = await freePort();
  mkdirSync(join(root, "supervisor"), { recursive: true });
  mkdirSync(join(root, "dist"), { recursive: true });
  for (const f of ["dolphin-supervisord.conf", "supervisorctl.sh"])
    copyFileSync(join(REPO, "supervisor", f), join(root, "supervisor", f));
  copyFileSync(EXE, exe);
  env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    ...sim.env,
    DITA_V2_ZINC_PREFIX: prefix,
    DITA_V2_HTTP_PORT: String(port),
    DITA_V2_OPERATOR_TOKEN: TOKEN,
    DITA_V2_SLOTS: "8",
    DITA_V2_HAZELCAST_ADDR: hz.addr,
    DITA_V2_HAZELCAST_CLUSTER: hz.cluster,
    DITA_V2_CLICKHOUSE_URL: ch.url,
  };
}, 300_000);

afterAll(async () => {
  await shutdownSupervisord();
  await sim?.stop();
  await Promise.all([hz?.destroy(), ch?.destroy()]);
  removeShm(prefix);
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe("dolphin:dita_v2 under a real supervisord", () => {
  test("before supervisord runs, ctl status exits 4 (unreachable)", () => {
    const r = ctl("status");
    expect(r.code).toBe(4);
    expect(r.stdout).toContain("supervisord is not reachable");
  });

  test("supervisord started directly without the posture variables refuses the config and names the variable", () => {
    mkdirSync(svDir, { recursive: true });
    const r = spawnSync("supervisord", ["-c", conf], {
      encoding: "utf8",
      env: { PATH: env.PATH, HOME: env.HOME },
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'ENV_DITA_V2_VENUE'");
    expect(existsSync(join(svDir, "supervisord.pid"))).toBe(false);
  });

  test("ctl start launches supervisord with the posture (REAL Zinc, DEBUG, TRACE, Hazelcast and ClickHouse projection) and the program comes up healthy: exit 0", async () => {
    const r = ctl("start");
    expect([r.code, r.stdout.trim()]).toEqual([0, "dolphin:dita_v2 RUNNING"]);
    await eventually("health 200", async () => (await api("/health")).status === 200, 15_000);
    const status = (await api("/status")).body;
    expect(status.zinc).toMatchObject({ kind: "REAL", prefix });
    expect(status.control).toMatchObject({ mode: "DEBUG", verbosity: "TRACE", backend: "BINGX" });
    const sinks = Object.fromEntries(status.projection.sinks.map((s: { sink: string; up: boolean }) => [s.sink, s.up]));
    expect(sinks).toMatchObject({ hazelcast: true, clickhouse: true });
  }, 60_000);

  test("ctl status exits 0 while RUNNING, and supervisorctl.sh dita_v2 status agrees", () => {
    expect(ctl("status").code).toBe(0);
    const s = script("status");
    expect(s.code).toBe(0);
    expect(s.out).toContain("dolphin:dita_v2 RUNNING");
  }, 30_000);

  test("kill -9 of the program: supervisord restarts it and the new process reconciles the open position with the sim", async () => {
    const enter = await api("/intents", {
      type: "ENTER",
      slot_id: 0,
      trade_id: "SV1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: null,
      leverage: 5,
    });
    expect(enter.status).toBe(200);
    await eventually("position open", async () => (await api("/slots/0")).body?.stage === "POSITION_OPEN", 10_000);
    expect(simSize(await sim.state(), "BTC-USDT")).toBeCloseTo(0.01, 9);
    const before = await processInfo();
    expect(before.state).toBe("RUNNING");
    process.kill(before.pid, "SIGKILL");
    const after = await eventually(
      "restarted with a new pid",
      async () => {
        const info = await processInfo();
        return info.state === "RUNNING" && info.pid !== before.pid ? info : null;
      },
      20_000,
    );
    expect(svLog()).toContain("exited: dita_v2 (terminated by SIGKILL; not expected)");
    const status = await eventually("the restarted process answers", async () => (await api("/status")).body, 15_000);
    expect(status.started_at_ms).toBeGreaterThan(0);
    expect(status.recovery).toMatchObject({
      restored: [0],
      reconciled: [{ slot_id: 0, from: "POSITION_OPEN", to: "POSITION_OPEN", size_before: 0.01, size_after: 0.01 }],
      refused: [],
    });
    expect(status.slots[0]).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    expect(after!.pid).not.toBe(before.pid);
  }, 60_000);

  test("the smoke's supervisor precheck refuses a live smoke while dolphin:dita_v2 is RUNNING (exit 3)", () => {
    // Keys and BINGX_BASE_URL point at the sim, so nothing could leave the machine even if it ran.
    const r = run(["smoke", "--symbol", "BTC-USDT", "--conf", conf], { ...env, BINGX_SMOKE_LIVE: "1" }, root, exe);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("precheck: dolphin:dita_v2 is RUNNING");
  }, 30_000);

  test("ctl tail --stderr shows the program's log with its recovery line", () => {
    const r = ctl("tail", "--stderr");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[dita-v2\] recovered in [\d.]+ ms: restored \[0\]/);
  }, 30_000);

  test("ctl stop is graceful: exit 0, the program exited with status 0, then ctl status exits 3", async () => {
    const r = ctl("stop");
    expect([r.code, r.stdout.trim()]).toEqual([0, "dolphin:dita_v2 STOPPED"]);
    const info = await processInfo();
    expect([info.state, info.exitstatus]).toEqual(["STOPPED", 0]);
    expect(svLog()).toContain("stopped: dita_v2 (exit status 0)");
    expect(ctl("status").code).toBe(3);
    expect(script("status").code).toBe(3);
  }, 60_000);

  test("supervisorctl.sh dita_v2 start and stop work with ctl's exit codes; ctl restart comes back RUNNING with a new pid", async () => {
    expect(script("start").code).toBe(0);
    expect(ctl("status").code).toBe(0);
    const first = (await processInfo()).pid;
    const r = ctl("restart");
    expect(r.code).toBe(0);
    const second = await processInfo();
    expect(second.state).toBe("RUNNING");
    expect(second.pid).not.toBe(first);
    await eventually("health 200 after restart", async () => (await api("/health")).status === 200, 15_000);
    expect(script("stop").code).toBe(0);
    expect((await processInfo()).exitstatus).toBe(0);
    expect(script("bogus").code).toBe(2);
  }, 90_000);

  test("after supervisord shuts down, ctl status exits 4 again", async () => {
    await shutdownSupervisord();
    expect(ctl("status").code).toBe(4);
  }, 60_000);

  test("a start that fails after 10 s (a required ClickHouse that never answers) is not RUNNING: ctl start exits 1, FATAL", async () => {
    // A ClickHouse address that accepts connections and never answers: the projection's connect
    // waits its whole 10 s timeout, then serve refuses to start (DITA_V2_PROJECTION_REQUIRED=1).
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const saved = env;
    try {
      env = {
        ...saved,
        DITA_V2_PROJECTION_REQUIRED: "1",
        DITA_V2_CLICKHOUSE_URL: `http://127.0.0.1:${silent.port}`,
      };
      const r = ctl("start");
      expect(`${r.stdout}${r.stderr}`).toContain("FATAL");
      expect(r.code).toBe(1);
      expect(ctl("status").code).toBe(3);
    } finally {
      env = saved;
      await shutdownSupervisord();
      silent.stop(true);
    }
  }, 180_000);
});
