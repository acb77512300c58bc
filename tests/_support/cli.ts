/**
 * Running `dita-v2` commands in tests: `runCli` / `cliRefusal` run one citty command in this
 * process (stdout captured, as main.ts would end it: a thrown error's exit code, 1 when it names
 * none), `spawnCli` runs `bun src/cli/main.ts` in a child process (`CLI_MAIN`).
 */

import { resolve } from "node:path";
import { type ArgsDef, type CommandDef, runCommand } from "citty";

/** The CLI's entry point, src/cli/main.ts. */
export const CLI_MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");

/** How a command run in this process ended. */
export interface CliRun {
  /** A thrown error's exit code (1 when it names none), else process.exitCode as the command left it (0 when unset). */
  code: number;
  /** The thrown error's message ("" when nothing was thrown). */
  message: string;
  /** What the command printed on stdout. */
  stdout: string;
}

/**
 * Runs `cmd` with `rawArgs` in this process, its stdout captured; `env` (when given) is set in
 * process.env for the run and process.env restored after it. process.exitCode is left unset.
 */
export async function runCli<T extends ArgsDef>(
  cmd: CommandDef<T>,
  rawArgs: string[],
  env?: Record<string, string>,
): Promise<CliRun> {
  const saved = env === undefined ? null : { ...process.env };
  const write = process.stdout.write;
  let stdout = "";
  process.stdout.write = ((s: string) => {
    stdout += s;
    return true;
  }) as typeof process.stdout.write;
  if (env !== undefined) Object.assign(process.env, env);
  process.exitCode = undefined;
  try {
    await runCommand(cmd, { rawArgs });
    return { code: Number(process.exitCode ?? 0), message: "", stdout };
  } catch (e) {
    const code = (e as { exitCode?: unknown }).exitCode;
    return { code: typeof code === "number" ? code : 1, message: (e as Error).message, stdout };
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
    if (env !== undefined && saved !== null) {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }
}

/**
 * A run's exit code and message, for asserting a refusal in one `toEqual`. A run that refused
 * nothing has code 0 and, as its message, the start of what it printed (so a failed assertion
 * shows what the command did instead).
 */
export async function cliRefusal<T extends ArgsDef>(
  cmd: CommandDef<T>,
  rawArgs: string[],
): Promise<{ code: number; message: string }> {
  const r = await runCli(cmd, rawArgs);
  return { code: r.code, message: r.code === 0 ? r.stdout.slice(0, 40) : r.message };
}

/**
 * Runs `bun src/cli/main.ts ...args` in a child process: `env` replaces the environment (default:
 * this process's), `preload` is loaded first (`bun --preload`), `timeout` in ms ends it.
 */
export function spawnCli(
  args: string[],
  o: { env?: Record<string, string>; preload?: string; timeout?: number } = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = Bun.spawnSync([process.execPath, ...(o.preload ? ["--preload", o.preload] : []), CLI_MAIN, ...args], {
    ...(o.env ? { env: o.env } : {}),
    stdout: "pipe",
    stderr: "pipe",
    ...(o.timeout === undefined ? {} : { timeout: o.timeout }),
  });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
