/**
 * `dita-v2 ctl start|stop|restart|status|tail` over supervisorctl for `dolphin:dita_v2`, with exit
 * codes a script can trust (supervisorctl's own are odd: `start` answers 0 when the program is in
 * BACKOFF, `status` answers 0 for STARTING, `tail` 7 when supervisord is down):
 *
 *   status   0 RUNNING · 3 not running (STOPPED, EXITED, FATAL, BACKOFF, STARTING) · 4 supervisord unreachable
 *   start    0 RUNNING afterwards (up 15 s: supervisord's startsecs, longer than serve's slowest
 *            failing start) · 1 it did not come up · 2 refused, nothing started (below)
 *            · 4 supervisord could not be started
 *   stop     0 STOPPED afterwards (or was not running) · 1 still running · 4 unreachable
 *   restart  as start
 *   tail     0 supervisorctl's tail of the program's stdout (or stderr with --stderr) · 1 no log
 *            · 4 unreachable
 * Every action exits 2 when the supervisord of `conf` runs but has no `dolphin:dita_v2` (another
 * config): nothing is started there, nor a second supervisord.
 *
 * `start` launches the private supervisord of `supervisor/dolphin-supervisord.conf` when it is not
 * running, exporting the supervised posture defaults (BINGX, REAL Zinc, DEBUG, TRACE) unless the
 * environment overrides them. When it runs already, the program gets supervisord's environment, not
 * this shell's: `start` and `restart` refuse (exit 2, naming the variables, never their values) when
 * this shell sets a DITA_V2_* or BINGX_* variable otherwise than supervisord's environment
 * (/proc/<its pid>/environ), e.g. DITA_V2_VENUE=MOCK for a paper run over a supervisord started live.
 * Before launching supervisord, `start` makes `.dita-v2/` and `.dita-v2/supervisor/` 0700 (`prepareDirs`).
 */

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
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

/** supervisord is down (or unreachable), runs without PROGRAM, or runs it in `state`. */
type Probe = { up: false } | { up: true; state: string | null };

function probe(conf: string): Probe {
  const { code, out } = ctl(conf, ["status", PROGRAM]);
  if (/: ERROR \(no such (process|group)\)/.test(out)) return { up: true, state: null };
  if (code === 4 || /no such file|refused connection|ERROR/.test(out)) return { up: false };
  const state = /^\S+\s+([A-Z]+)/m.exec(out)?.[1];
  return state === undefined ? { up: false } : { up: true, state };
}

/** PROGRAM's state, or null when supervisord is unreachable or has no such program. */
export function programState(conf: string): string | null {
  const p = probe(conf);
  return p.up ? p.state : null;
}

/** Set by the config's own `environment=` (or read by no serve): a difference there changes nothing. */
const NOT_INHERITED = new Set(["DITA_V2_LAUNCHER_MODE", "DITA_V2_STATE_DIR", "DITA_V2_EXE"]);

/**
 * The DITA_V2_* and BINGX_* variables `env` sets otherwise than the running supervisord's own
 * environment (sorted names), or null when that environment cannot be read.
 */
function differingFromSupervisord(conf: string, env: Env): string[] | null {
  const r = ctl(conf, ["pid"]);
  const pid = r.code === 0 ? /^\d+$/m.exec(r.out)?.[0] : undefined;
  if (pid === undefined) return null;
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/environ`, "utf8");
  } catch {
    return null;
  }
  const theirs = new Map<string, string>();
  for (const kv of raw.split("\0")) {
    const i = kv.indexOf("=");
    if (i > 0) theirs.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return Object.entries(env)
    .filter(([k, v]) => v !== undefined && /^(DITA_V2_|BINGX_)/.test(k) && !NOT_INHERITED.has(k) && theirs.get(k) !== v)
    .map(([k]) => k)
    .sort();
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

/**
 * `<checkout>/.dita-v2` (the program's DITA_V2_STATE_DIR: journal, spool, token) and its `supervisor/`
 * (supervisord's socket and logs, serve's TRACE log among them) are the owner's alone: created 0700
 * whatever the umask, and set to 0700 when an earlier start (or an `mkdir -p`) left them looser.
 */
function prepareDirs(conf: string): void {
  const state = join(dirname(resolve(conf)), "../.dita-v2");
  for (const dir of [state, join(state, "supervisor")]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
}

function startSupervisord(conf: string, env: Env): CtlResult {
  prepareDirs(conf);
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
  const p = probe(conf);
  if (p.up && p.state === null) {
    return { code: 2, out: `the supervisord of ${conf} has no program ${PROGRAM}: is --conf the dolphin config?` };
  }
  const state = p.up ? p.state : null;
  const unreachable = { code: 4, out: `supervisord is not reachable through ${conf}` };
  switch (cmd) {
    case "status":
      if (state === null) return unreachable;
      return { code: state === "RUNNING" ? 0 : 3, out: `${PROGRAM} ${state}` };
    case "start":
    case "restart": {
      if (state === null) {
        const s = startSupervisord(conf, env);
        if (s.code !== 0) return { code: 4, out: `could not start supervisord: ${s.out.split("\n")[0]}` };
      } else {
        const differing = differingFromSupervisord(conf, env);
        if (differing !== null && differing.length > 0) {
          return {
            code: 2,
            out: `supervisord is already running with another ${differing.join(", ")} than this shell sets; ${PROGRAM} gets supervisord's environment, not this shell's. Nothing was ${cmd}ed. To run with this shell's: supervisorctl -c ${conf} shutdown (stops ${PROGRAM} too), then ctl start again`,
          };
        }
        ctl(conf, [cmd, PROGRAM]);
      }
      // RUNNING only after startsecs (15 s) up; a start failing after 10 s is tried 4 times: FATAL.
      const after = await waitState(conf, ["RUNNING", "FATAL"], 120_000, sleep);
      return { code: after === "RUNNING" ? 0 : 1, out: `${PROGRAM} ${after ?? "UNKNOWN"}` };
    }
    case "stop": {
      if (state === null) return unreachable;
      ctl(conf, ["stop", PROGRAM]);
      const after = await waitState(conf, ["STOPPED", "EXITED", "FATAL"], 30_000, sleep);
      return {
        code: after === "STOPPED" || after === "EXITED" || after === "FATAL" ? 0 : 1,
        out: `${PROGRAM} ${after ?? "UNKNOWN"}`,
      };
    }
    case "tail": {
      if (state === null) return unreachable;
      const r = ctl(conf, ["tail", PROGRAM, ...(stderr ? ["stderr"] : [])]);
      return { code: r.code === 0 ? 0 : r.code === 4 ? 4 : 1, out: r.out };
    }
    default:
      return { code: 2, out: `unknown ctl command '${cmd}' (start|stop|restart|status|tail)` };
  }
}
