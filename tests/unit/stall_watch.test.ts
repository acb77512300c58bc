/**
 * The stall watch (src/launcher/_stall_watch.ts): serve's event loop making no turn for DITA_V2_STALL_MS
 * ends the process with one line on stderr and SIGKILL, so its supervisor restarts it — whether the loop
 * is stuck in synchronous code or in promises that never yield. A loop that turns, even with long
 * synchronous stretches below the bound, and a process stopped as a whole (SIGSTOP, a paused VM: the
 * watch's own thread did not run either) are left alone. Each case runs in a child process
 * (tests/unit/fixtures/stall_child.ts).
 */
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { ConfigError, loadConfig } from "../../src/launcher/index.ts";

const CHILD = resolve(import.meta.dir, "fixtures/stall_child.ts");

interface ChildEnd {
  ready: string | null;
  signal: string | null;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** From READY to the exit (ms). */
  afterReadyMs: number;
}

/** Runs the child; `whileRunning` gets its pid and a wait for a stdout line starting with a text. */
async function runChild(
  mode: string,
  stallMs: number,
  whileRunning?: (pid: number, line: (text: string) => Promise<void>) => Promise<void>,
): Promise<ChildEnd> {
  const child = Bun.spawn([process.execPath, CHILD], {
    env: { ...process.env, MODE: mode, STALL_MS: String(stallMs) },
    stdout: "pipe",
    stderr: "pipe",
  });
  const guard = setTimeout(() => child.kill(9), 20_000); // a watch that never fires must fail the test, not hang it
  let stdout = "";
  let ended = false;
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const pump = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      stdout += decoder.decode(chunk);
      wake();
    }
    ended = true;
    wake();
  })();
  const printed = (text: string) =>
    stdout
      .split("\n")
      .slice(0, -1)
      .some((l) => l.startsWith(text));
  const line = async (text: string) => {
    while (!printed(text)) {
      if (ended) throw new Error(`the child ended without printing ${text}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  await line("READY").catch(() => {}); // none: `ready` says so
  const readyAt = performance.now();
  const ready = /^READY (.*)$/m.exec(stdout)?.[1] ?? null;
  await whileRunning?.(child.pid, line);
  await pump;
  await child.exited;
  clearTimeout(guard);
  const stderr = await new Response(child.stderr).text();
  const signal = child.signalCode === null ? null : String(child.signalCode);
  return { ready, signal, exitCode: child.exitCode, stdout, stderr, afterReadyMs: performance.now() - readyAt };
}

const STALL_LINE =
  /^\[child\] stall watch: serve's event loop made no turn for \d+\.\d s \(DITA_V2_STALL_MS=1000\): no order, fill, request or heartbeat is handled; SIGKILL to this process so its supervisor restarts it/m;

describe("the stall watch", () => {
  test("a synchronous loop that never returns: one stderr line, then SIGKILL, once the bound passed", async () => {
    const end = await runChild("spin", 1000);
    expect(end.ready).toBe(JSON.stringify({ stall_ms: 1000, running: true }));
    expect(end.signal).toBe("SIGKILL");
    expect(end.stderr).toMatch(STALL_LINE);
    expect(end.afterReadyMs).toBeGreaterThanOrEqual(900);
    expect(end.afterReadyMs).toBeLessThan(10_000);
  }, 30_000);

  test("promises that never yield to the event loop (hazelcast-client's cluster-view loop): caught the same way", async () => {
    const end = await runChild("promises", 1000);
    expect({ signal: end.signal, line: STALL_LINE.test(end.stderr) }).toEqual({ signal: "SIGKILL", line: true });
  }, 30_000);

  test("a loop that keeps turning, with 300 ms synchronous stretches below the bound: left alone", async () => {
    const end = await runChild("healthy", 1000);
    expect({ exitCode: end.exitCode, signal: end.signal, done: end.stdout.includes("DONE") }).toEqual({
      exitCode: 0,
      signal: null,
      done: true,
    });
    expect(end.stderr).not.toContain("stall watch");
  }, 30_000);

  test("the whole process stopped for 2.5 s mid-way through a 600 ms synchronous stretch (SIGSTOP, a paused VM), bound 2 s: no stall, the watch did not run either", async () => {
    const end = await runChild("stopped", 2000, async (pid, line) => {
      await line("BLOCK");
      await Bun.sleep(250);
      process.kill(pid, "SIGSTOP");
      await Bun.sleep(2_500);
      process.kill(pid, "SIGCONT");
    });
    expect({ exitCode: end.exitCode, signal: end.signal, done: end.stdout.includes("DONE") }).toEqual({
      exitCode: 0,
      signal: null,
      done: true,
    });
  }, 30_000);

  test("DITA_V2_STALL_MS=0 turns it off: no worker, and a stall goes on", async () => {
    const end = await runChild("spin", 0, async (pid) => {
      await Bun.sleep(2_500);
      process.kill(pid, "SIGTERM");
    });
    expect({ ready: end.ready, signal: end.signal }).toEqual({ ready: "null", signal: "SIGTERM" });
  }, 30_000);

  test("DITA_V2_STALL_MS: default 10 s; 0 or 1000..600000, anything else refused naming the variable", () => {
    expect(loadConfig({}).stall_ms).toBe(10_000);
    expect(loadConfig({ DITA_V2_STALL_MS: "0" }).stall_ms).toBe(0);
    expect(loadConfig({ DITA_V2_STALL_MS: "1000" }).stall_ms).toBe(1000);
    for (const bad of ["999", "1", "600001", "-5", "10s", "1e4"]) {
      expect(() => loadConfig({ DITA_V2_STALL_MS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ DITA_V2_STALL_MS: bad })).toThrow(/DITA_V2_STALL_MS/);
    }
  });
});
