/**
 * `dita-v2 ctl start|stop|restart|status|tail` over supervisorctl for `dolphin:dita_v2`, with exit
 * codes a script can trust (supervisorctl's own are odd: `start` answers 0 when the program is in
 * BACKOFF, `status` answers 0 for STARTING):
 *
 *   status   0 RUNNING · 3 not running (STOPPED, EXITED, FATAL, BACKOFF, STARTING) · 4 supervisord unreachable
 *   start    0 RUNNING afterwards (up 15 s: supervisord's startsecs, longer than serve's slowest
 *            failing start) · 1 it did not come up · 4 supervisord could not be started
 *   stop     0 STOPPED afterwards (or was not running) · 1 still running · 4 unreachable
 *   restart  as start
 *   tail     supervisorctl's tail of the program's stdout (or stderr with --stderr)
 *
 * `start` launches the private supervisord of `supervisor/dolphin-supervisord.conf` when it is not
 * running, exporting the supervised posture defaults (BINGX, REAL Zinc, DEBUG, TRACE) unless the
 * environment overrides them.
 */

import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PROGRAM = "dolphin:dita_v2";
export const POSTURE: Record<string, string> = {
  DITA_V2_VENUE: "BINGX",
  DITA_V2_ZINC: "REAL",
  DITA_V2_CONTROL_PLANE: "REAL_ZINC",
  DITA_V2_MODE: "DEBUG",
  DITA_V2_VERBOSITY: "TRACE",
  // DEBUG mode projects every transition to ClickHouse, and a restart's belief comes from
  // Hazelcast when the state region is gone: the posture runs both projections.
  DITA_V2_HAZELCAST: "REAL",
  DITA_V2_CLICKHOUSE: "REAL",
};

export interface CtlResult {
  code: number;
  out: string;
}

type Env = Record<string, string | undefined>;

function ctl(conf: string, args: string[]): CtlResult {
  // A start blocks while supervisord tries it (startsecs 15, 3 retries with their backoff).
  const r = spawnSync("supervisorctl", ["-c", conf, ...args], { encoding: "utf8", timeout: 120_000 });
  if (r.error) return { code: 4, out: `supervisorctl could not run: ${r.error.message}` };
  return { code: r.status ?? 4, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

export function programState(conf: string): string | null {
  const { code, out } = ctl(conf, ["status", PROGRAM]);
  if (code === 4 || /no such file|refused connection|ERROR/.test(out)) return null;
  return /^\S+\s+([A-Z]+)/m.exec(out)?.[1] ?? null;
}

async function waitState(
  conf: string,
  want: string[],
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<string | null> {
  let state: string | null = null;
  for (let waited = 0; waited <= timeoutMs; waited += 200) {
    state = programState(conf);
    if (state !== null && want.includes(state)) return state;
    await sleep(200);
  }
  return state;
}

function startSupervisord(conf: string, env: Env): CtlResult {
  mkdirSync(join(dirname(resolve(conf)), "../.dita-v2/supervisor"), { recursive: true });
  const childEnv: Env = { ...process.env, ...env };
  for (const [k, v] of Object.entries(POSTURE)) childEnv[k] = env[k] ?? v;
  const r = spawnSync("supervisord", ["-c", conf], {
    encoding: "utf8",
    env: childEnv as NodeJS.ProcessEnv,
    timeout: 30_000,
  });
  if (r.error) return { code: 4, out: `supervisord could not run: ${r.error.message}` };
  return { code: r.status === 0 ? 0 : 4, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

export async function supervisorCtl(
  cmd: string,
  conf: string,
  env: Env,
  sleep: (ms: number) => Promise<void>,
  stderr = false,
): Promise<CtlResult> {
  const state = programState(conf);
  switch (cmd) {
    case "status":
      if (state === null) return { code: 4, out: `supervisord is not reachable through ${conf}` };
      return { code: state === "RUNNING" ? 0 : 3, out: `${PROGRAM} ${state}` };
    case "start":
    case "restart": {
      if (state === null) {
        const s = startSupervisord(conf, env);
        if (s.code !== 0) return { code: 4, out: `could not start supervisord: ${s.out.split("\n")[0]}` };
      } else {
        ctl(conf, [cmd, PROGRAM]);
      }
      // RUNNING only after startsecs (15 s) up; a start failing after 10 s is tried 4 times: FATAL.
      const after = await waitState(conf, ["RUNNING", "FATAL"], 120_000, sleep);
      return { code: after === "RUNNING" ? 0 : 1, out: `${PROGRAM} ${after ?? "UNKNOWN"}` };
    }
    case "stop": {
      if (state === null) return { code: 4, out: `supervisord is not reachable through ${conf}` };
      ctl(conf, ["stop", PROGRAM]);
      const after = await waitState(conf, ["STOPPED", "EXITED", "FATAL"], 30_000, sleep);
      return {
        code: after === "STOPPED" || after === "EXITED" || after === "FATAL" ? 0 : 1,
        out: `${PROGRAM} ${after ?? "UNKNOWN"}`,
      };
    }
    case "tail":
      return ctl(conf, ["tail", PROGRAM, ...(stderr ? ["stderr"] : [])]);
    default:
      return { code: 2, out: `unknown ctl command '${cmd}' (start|stop|restart|status|tail)` };
  }
}
