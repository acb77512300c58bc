/**
 * Runs the built executable `dist/dita-v2` (e2e tests use nothing else). `npm test` builds it
 * first; a missing executable fails the test with a clear message.
 */

import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const EXE = join(import.meta.dir, "../../dist/dita-v2");

export function requireExe(): string {
  if (!existsSync(EXE)) throw new Error(`${EXE} is missing: run 'npm run build' (npm test builds it)`);
  return EXE;
}

export function scratch(prefix = "dita-e2e-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(args: string[], env: Record<string, string> = {}, cwd?: string, exe = requireExe()): Run {
  const r = Bun.spawnSync([exe, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** `dita-v2 spool DIR --export rows --kind KIND` (the local sink's rows): its exit code, stderr and the rows printed. */
export function spoolRows(stateDir: string, kind: string): Run & { rows: Array<Record<string, any>> } {
  const r = run(["spool", stateDir, "--export", "rows", "--kind", kind], { DITA_V2_STATE_DIR: stateDir });
  const lines = r.stdout.trim() === "" ? [] : r.stdout.trim().split("\n");
  return { ...r, rows: r.code === 0 ? lines.map((l) => JSON.parse(l)) : [] };
}
