/**
 * Starts `dist/dita-v2 serve` as its own process for e2e tests: ephemeral HTTP port (parsed from
 * its "serving http://..." line), a private state dir, and helpers to call it, stop it with
 * SIGTERM (expecting exit 0) or kill it with SIGKILL. Its resident memory is watched (every 500 ms,
 * and its peak at the end): serve idles at ~150 MB, so one past RSS_MAX_KB is a runaway — killed at
 * once (it would push a 2-core CI host into swap and time every other test out); every later `call`
 * to it fails naming it (peak and stderr tail), and its stop or kill logs it. Neither throws: an
 * afterAll that stops several processes must still stop them all.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { requireExe, scratch } from "./_exe.ts";

/** Resident memory no serve in these tests comes near (they peak at ~200 MB). */
const RSS_MAX_KB = 1_536_000;

/** A /proc/<pid>/status memory field in kB (VmRSS now, VmHWM the peak), null once the process is gone. */
function residentKb(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export interface Served {
  url: string;
  stateDir: string;
  token: string;
  proc: ReturnType<typeof Bun.spawn>;
  stderr: () => string;
  call(
    path: string,
    init?: { method?: string; body?: unknown; token?: string | null; raw?: string },
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<number>;
  kill9(): Promise<void>;
}

/** `startMs`: how long to wait for the "serving" line (a start that waits out an unreachable sink needs more). */
export async function startServe(
  env: Record<string, string> = {},
  stateDir = scratch("dita-serve-"),
  startMs = 10_000,
): Promise<Served> {
  const proc = Bun.spawn([requireExe(), "serve"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      DITA_V2_STATE_DIR: stateDir,
      DITA_V2_HTTP_PORT: "0",
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  let err = "";
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      err += decoder.decode(value);
    }
  })();
  let runaway: string | null = null;
  const runawayAt = (kb: number) =>
    `serve (pid ${proc.pid}) reached ${Math.round(kb / 1024)} MB resident (limit ${Math.round(RSS_MAX_KB / 1024)} MB): a runaway; stderr tail: ${err.slice(-600)}`;
  const watch = setInterval(() => {
    const kb = residentKb(proc.pid, "VmRSS");
    if (runaway !== null || kb === null || kb <= RSS_MAX_KB) return;
    runaway = runawayAt(kb);
    proc.kill("SIGKILL");
  }, 500);
  watch.unref();
  void proc.exited.then(() => clearInterval(watch));
  /** Logs a runaway (killed by the watch, or its peak past the limit) at stop; the tests' calls to it failed already. */
  const checkPeak = (peakKb: number | null) => {
    if (runaway === null && peakKb !== null && peakKb > RSS_MAX_KB) runaway = runawayAt(peakKb);
    if (runaway !== null) console.error(`RUNAWAY ${runaway}`);
  };
  let url: string | null = null;
  for (let i = 0; i < startMs / 50 && url === null; i++) {
    await Bun.sleep(50);
    url = /serving (http:\/\/[^ ]+)/.exec(err)?.[1] ?? null;
    if (proc.exitCode !== null) break;
  }
  if (url === null) {
    proc.kill("SIGKILL");
    throw new Error(runaway ?? `serve did not start: exit=${proc.exitCode} stderr=${err.slice(-800)}`);
  }
  const token = env.DITA_V2_OPERATOR_TOKEN ?? readFileSync(join(stateDir, "operator.token"), "utf8").trim();
  const base = url;
  return {
    url: base,
    stateDir,
    token,
    proc,
    stderr: () => err,
    async call(path, init = {}) {
      if (runaway !== null) throw new Error(runaway);
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      const t = init.token === undefined ? token : init.token;
      if (t !== null) headers.Authorization = `Bearer ${t}`;
      const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
      const res = await fetch(`${base}${path}`, {
        method: init.method ?? (body === undefined ? "GET" : "POST"),
        headers,
        body,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // text body (metrics)
      }
      return { status: res.status, body: parsed };
    },
    async stop() {
      const peak = residentKb(proc.pid, "VmHWM");
      proc.kill("SIGTERM");
      const code = await proc.exited;
      await pump;
      checkPeak(peak);
      return code;
    },
    async kill9() {
      const peak = residentKb(proc.pid, "VmHWM");
      proc.kill("SIGKILL");
      await proc.exited;
      await pump;
      checkPeak(peak);
    },
  };
}

/** Polls until `check` returns a truthy value or the time runs out (then throws with `what`). */
export async function eventually<T>(what: string, check: () => Promise<T> | T, timeoutMs = 5000): Promise<T> {
  let last: T | undefined;
  for (let waited = 0; waited <= timeoutMs; waited += 25) {
    last = await check();
    if (last) return last;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
