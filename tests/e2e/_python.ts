/**
 * Runs Python snippets that use the strategy client (clients/python, on PYTHONPATH) against a
 * serve started by the test: `runPython` waits and parses the last stdout line as JSON;
 * `spawnPython` returns the process for tests that act on serve while the client waits.
 * Every snippet gets PREFIX and LIB (libzinc written out by `dist/dita-v2 zinc-lib`) in its
 * environment, and `from dita_v2_client import *` already done.
 */

import { join } from "node:path";
import { requireExe, scratch } from "./_exe.ts";

export const PY_PKG = join(import.meta.dir, "../../clients/python");

let lib: string | null = null;

/** libzinc as a strategy machine gets it: written out of the executable by `dita-v2 zinc-lib`. */
export function zincLib(): string {
  if (lib !== null) return lib;
  const r = Bun.spawnSync([requireExe(), "zinc-lib", "--out", scratch("dita-zinclib-")], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`zinc-lib failed: ${r.stderr.toString()}`);
  lib = r.stdout.toString().trim();
  return lib;
}

const PRELUDE =
  "import json, os, sys, time\nfrom dita_v2_client import *\nLIB = os.environ['LIB']; PREFIX = os.environ['PREFIX']\n";

export interface PyProc {
  proc: ReturnType<typeof Bun.spawn>;
  /** Writes one line to the snippet's stdin (a handshake the snippet waits for with readline()). */
  send(line: string): void;
  /** Resolves the first stdout line (not read before) that satisfies `match`; "" if stdout ends first. */
  until(match: (line: string) => boolean): Promise<string>;
}

export function spawnPython(code: string, env: Record<string, string>, stdin: "pipe" | "ignore" = "ignore"): PyProc {
  const proc = Bun.spawn(["python3", "-c", PRELUDE + code], {
    stdin,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      PYTHONPATH: PY_PKG,
      LIB: env.LIB ?? zincLib(),
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const lines: string[] = [];
  let partial = "";
  let ended = false;
  const pull = async (): Promise<boolean> => {
    const { value, done } = await reader.read();
    if (done) return false;
    partial += new TextDecoder().decode(value);
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    return true;
  };
  return {
    proc,
    send(line) {
      const w = proc.stdin as import("bun").FileSink;
      w.write(`${line}\n`);
      w.flush();
    },
    async until(match) {
      for (;;) {
        const i = lines.findIndex(match);
        if (i >= 0) return lines.splice(0, i + 1).pop()!;
        if (ended || !(await pull())) {
          ended = true;
          if (partial !== "") lines.push(partial);
          partial = "";
          const j = lines.findIndex(match);
          return j >= 0 ? lines.splice(0, j + 1).pop()! : "";
        }
      }
    },
  };
}

/** Waits for the snippet to end; `json` is its last stdout line parsed (null if it is not JSON). */
export async function finish(p: PyProc): Promise<{ code: number; json: any; err: string }> {
  const last = (async () => {
    let l = "";
    for (;;) {
      const next = await p.until(() => true);
      if (next === "") return l;
      l = next;
    }
  })();
  const [code, out, err] = await Promise.all([
    p.proc.exited,
    last,
    new Response(p.proc.stderr as ReadableStream).text(),
  ]);
  let json: any = null;
  try {
    json = JSON.parse(out);
  } catch {
    json = null;
  }
  return { code, json, err };
}

export function runPython(code: string, env: Record<string, string>) {
  return finish(spawnPython(code, env));
}
