/**
 * Real test services for integration tests: starts a private ClickHouse 18.16 or Hazelcast 5.5.0
 * member on free loopback ports through scripts/services/*.sh, and stops exactly what it started
 * (by PID). A missing or failing service throws, so the test fails; nothing is skipped.
 *
 *   const ch = await startClickHouse();  ... ch.url ...   await ch.stop();
 *   const hz = await startHazelcast("ci"); ... hz.addr ... await hz.kill(); await hz.restart(); await hz.stop();
 *   const c = await startHazelcastCluster(3, "fleet"); ... c.addr (all members) ... c.members[1].kill() ...
 *
 * A cluster's members run the deployed member configuration, deploy/hazelcast/hazelcast.yaml, with
 * loopback values for its per-host properties: what is deployed is what is tested.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const SCRIPTS = resolve(import.meta.dir, "../../scripts/services");

/** A free TCP port on 127.0.0.1 chosen by the OS (never a service's default port). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((res, rej) => {
      const s = createServer();
      s.once("error", rej);
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    if (![5701, 8123, 9000, 9009].includes(port)) return port;
  }
  throw new Error("no free port");
}

async function run(script: string, cmd: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  const p = Bun.spawn(["bash", join(SCRIPTS, script), cmd], {
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  if (code !== 0)
    throw new Error(`${script} ${cmd} failed (exit ${code}): ${err.trim().split("\n").slice(-5).join(" | ")}`);
  return out;
}

function pidOf(file: string): number | null {
  return existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : null;
}

async function killHard(pidFile: string): Promise<void> {
  const pid = pidOf(pidFile);
  if (pid === null) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(pidFile, { force: true });
      return;
    }
    await Bun.sleep(50);
  }
  throw new Error(`process ${pid} survived SIGKILL`);
}

export interface ClickHouseService {
  url: string;
  /** With `startClickHouse({ user })`: the URL of that user, password included (`http://u:p@host:port`). */
  userUrl: string | null;
  dir: string;
  /** Graceful stop (TERM, then KILL after 15 s); the data dir stays for restart(). */
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Starts again on the same ports and data dir. */
  restart(): Promise<void>;
  /** Stops and removes the data dir. */
  destroy(): Promise<void>;
}

/** `user`: a second account that needs `password` (letters, digits and `-` only: it goes into XML). */
export async function startClickHouse(
  opts: { user?: { name: string; password: string } } = {},
): Promise<ClickHouseService> {
  const dir = mkdtempSync(join(tmpdir(), "ch-it-"));
  const u = opts.user;
  if (u && !/^[A-Za-z0-9-]+$/.test(u.name + u.password))
    throw new Error("startClickHouse: user and password: [A-Za-z0-9-]");
  const env: Record<string, string> = {
    CH_DIR: dir,
    CH_HTTP_PORT: String(await freePort()),
    CH_TCP_PORT: String(await freePort()),
    ...(u ? { CH_USER: u.name, CH_PASSWORD: u.password } : {}),
  };
  const start = () => run("clickhouse.sh", "start", env, 120_000);
  await start();
  const stop = async () => void (await run("clickhouse.sh", "stop", env, 30_000));
  return {
    url: `http://127.0.0.1:${env.CH_HTTP_PORT}`,
    userUrl: u ? `http://${u.name}:${u.password}@127.0.0.1:${env.CH_HTTP_PORT}` : null,
    dir,
    stop,
    kill: () => killHard(join(dir, "server.pid")),
    restart: async () => void (await start()),
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HazelcastService {
  addr: string;
  cluster: string;
  port: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Starts a fresh member (empty maps) on the same port. */
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startHazelcast(cluster = "ci"): Promise<HazelcastService> {
  const port = await freePort();
  const dirs: string[] = [];
  let dir = "";
  const start = async () => {
    dir = mkdtempSync(join(tmpdir(), "hz-it-"));
    dirs.push(dir);
    await run("hazelcast.sh", "start", { HZ_DIR: dir, HZ_PORT: String(port), HZ_CLUSTER: cluster }, 120_000);
  };
  await start();
  const stop = async () => void (await run("hazelcast.sh", "stop", { HZ_DIR: dir }, 40_000));
  return {
    addr: `127.0.0.1:${port}`,
    cluster,
    port,
    stop,
    kill: () => killHard(join(dir, "member.pid")),
    restart: start,
    destroy: async () => {
      await stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** The member configuration the deployment runs (deploy/README.md). */
export const DEPLOYED_HAZELCAST_CONFIG = resolve(import.meta.dir, "../../deploy/hazelcast/hazelcast.yaml");

export interface HazelcastMember {
  addr: string;
  port: number;
  /** SIGKILL (no goodbye to the cluster). */
  kill(): Promise<void>;
  /** Graceful stop (SIGTERM: the deployed config hands this member's partitions over first). */
  stop(): Promise<void>;
  /** Starts a fresh member on the same port; it joins the members that are running. */
  restart(): Promise<void>;
}

export interface HazelcastCluster {
  /** Every member, comma-separated: DITA_V2_HAZELCAST_ADDR. */
  addr: string;
  cluster: string;
  members: HazelcastMember[];
  /** `GET /hazelcast/health` of member `i`: `{ nodeState, clusterState, clusterSafe, migrationQueueSize, clusterSize }`. */
  health(i: number): Promise<Record<string, unknown> | null>;
  destroy(): Promise<void>;
}

/**
 * `n` members of one cluster on free loopback ports, started one after the other (each joins the
 * ones already up), all running deploy/hazelcast/hazelcast.yaml (with three members or more, account
 * leases need a side of two members, as deployed).
 */
export async function startHazelcastCluster(n: number, cluster: string): Promise<HazelcastCluster> {
  const ports = await distinctFreePorts(n);
  const addr = ports.map((p) => `127.0.0.1:${p}`).join(",");
  const dirs: string[] = [];
  const current: string[] = new Array(n).fill("");
  const env = (i: number) => ({
    HZ_DIR: current[i]!,
    HZ_PORT: String(ports[i]),
    HZ_CLUSTER: cluster,
    HZ_CONFIG: DEPLOYED_HAZELCAST_CONFIG,
    HZ_MEMBERS: addr,
  });
  const start = async (i: number) => {
    current[i] = mkdtempSync(join(tmpdir(), `hz-cl${i}-`));
    dirs.push(current[i]!);
    await run("hazelcast.sh", "start", env(i), 120_000);
  };
  const stop = async (i: number) => void (await run("hazelcast.sh", "stop", { HZ_DIR: current[i]! }, 60_000));
  const members: HazelcastMember[] = ports.map((port, i) => ({
    addr: `127.0.0.1:${port}`,
    port,
    kill: () => killHard(join(current[i]!, "member.pid")),
    stop: () => stop(i),
    restart: () => start(i),
  }));
  try {
    for (let i = 0; i < n; i++) await start(i);
  } catch (e) {
    for (let i = 0; i < n; i++) if (current[i]) await killHard(join(current[i]!, "member.pid"));
    throw e;
  }
  return {
    addr,
    cluster,
    members,
    async health(i) {
      const res = await fetch(`http://${members[i]!.addr}/hazelcast/health`).catch(() => null);
      return res?.ok ? ((await res.json()) as Record<string, unknown>) : null;
    },
    async destroy() {
      // Killed, not stopped: a graceful stop of the last members would wait for partition hand-overs.
      for (let i = 0; i < n; i++) await killHard(join(current[i]!, "member.pid"));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  for (let i = 0; i < 10 * n && out.size < n; i++) out.add(await freePort());
  if (out.size < n) throw new Error(`could not find ${n} distinct free ports`);
  return [...out];
}
