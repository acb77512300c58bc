/**
 * Bench helpers around the built executable: `dist/dita-v2 sim` and `dist/dita-v2 serve` as their
 * own processes (ports parsed from their first lines), the sim's admin state, and a reader of
 * `GET /events` that hands each kernel transition to whoever waits on its slot.
 *
 * Entry points: `startSimProc`, `startServeProc`, `TransitionFeed`.
 */

import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..");
export const EXE = join(ROOT, "dist/dita-v2");

export interface Proc {
  url: string;
  stop(): Promise<number>;
}

/** Reads a process's stream until `pattern` matches (20 s at most), then keeps draining it. */
async function firstMatch(stream: ReadableStream<Uint8Array>, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Bun.nanoseconds() + 20e9;
  while (Bun.nanoseconds() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
    const m = pattern.exec(text);
    if (m) {
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return m;
    }
  }
  throw new Error(`${what} did not start: ${text.slice(-600)}`);
}

export async function startSimProc(apiKey: string, secret: string, seed: number): Promise<Proc & { wsUrl: string }> {
  const proc = Bun.spawn([EXE, "sim", "--port", "0", "--api-key", apiKey, "--secret", secret, "--seed", String(seed)], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const m = await firstMatch(
    proc.stdout as ReadableStream<Uint8Array>,
    /bingx-sim listening on (http:\/\/\S+) \(ws (ws:\/\/\S+)\)/,
    "bingx-sim",
  );
  return {
    url: m[1]!,
    wsUrl: m[2]!,
    stop: async () => {
      proc.kill("SIGTERM");
      return proc.exited;
    },
  };
}

export async function startServeProc(env: Record<string, string>): Promise<Proc> {
  const proc = Bun.spawn([EXE, "serve"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", DITA_V2_HTTP_PORT: "0", ...env },
    stdout: "ignore",
    stderr: "pipe",
  });
  const m = await firstMatch(proc.stderr as ReadableStream<Uint8Array>, /serving (http:\/\/\S+)/, "serve");
  return {
    url: m[1]!,
    stop: async () => {
      proc.kill("SIGTERM");
      return proc.exited;
    },
  };
}

export interface Transition {
  slot_id: number;
  from: string;
  to: string;
  trigger: string;
  now_ms: number;
}

/** The kernel's transitions from `GET /events`, dispatched to one-shot waiters per slot. */
export class TransitionFeed {
  private readonly waiters = new Map<number, Array<(t: Transition) => boolean>>();
  private readonly abort = new AbortController();

  constructor(url: string, token: string) {
    void this.read(url, token).catch(() => {});
  }

  /** Resolves with the first transition of `slot` that `pred` accepts (registered before acting). */
  next(slot: number, pred: (t: Transition) => boolean, timeoutMs: number): Promise<Transition> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        list.splice(list.indexOf(check), 1);
        reject(new Error(`slot ${slot}: no matching transition within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (t: Transition) => {
        if (!pred(t)) return false;
        clearTimeout(timer);
        resolve(t);
        return true;
      };
      const list = this.waiters.get(slot) ?? [];
      list.push(check);
      this.waiters.set(slot, list);
    });
  }

  close(): void {
    this.abort.abort();
  }

  private async read(url: string, token: string): Promise<void> {
    const res = await fetch(`${url}/events`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: this.abort.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf("\n\n");
        if (!block.includes("event: transition")) continue;
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (data) this.dispatch(JSON.parse(data.slice(6)) as Transition);
      }
    }
  }

  private dispatch(t: Transition): void {
    const list = this.waiters.get(t.slot_id);
    if (!list) return;
    const left = list.filter((check) => !check(t));
    this.waiters.set(t.slot_id, left);
  }
}
