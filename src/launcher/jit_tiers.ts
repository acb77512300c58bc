/**
 * Eager JIT tiers for `serve`: the order path's code runs optimized although it runs rarely.
 * JavaScriptCore compiles a function to its faster tiers (baseline, DFG, FTL) only after it ran
 * some thousands of times. A strategy's orders come a few a second at most, so the code between an
 * intent and its order on the wire (record checks, executor, journal, rules, signing, request
 * bytes) stays interpreted for a long time, and an interpreted pass on this path costs
 * microseconds by the hundred. With the tier thresholds lowered (EAGER_JIT_ENV), the same code is
 * optimized after a few dozen orders: bench/clients.ts measures the path both ways.
 *
 * JavaScriptCore reads its options once, from the environment, before any script runs. So serve,
 * when the executable starts it without them, replaces its own process image with itself and the
 * options added (execve: the same pid, the same descriptors 0-2, nothing started yet), before it
 * opens a file or a socket. `DITA_V2_JIT=DEFAULT` keeps the engine's own thresholds; an operator's
 * own `BUN_JSC_threshold…` variables are never overridden (then nothing is re-executed). If execve
 * fails, serve goes on with the default tiers and says so.
 *
 * Entry points: `eagerJitEnv(env, tiers, compiled)` (pure: the environment to re-execute with, or
 * null); `reexecWith(env)` (returns only when it could not replace the process); `runsCompiled()`.
 */

import { ptr } from "bun:ffi";
import { inExecutable } from "../kernel/index.ts";
import { lastErrno, libc } from "./_libc.ts";

/** The thresholds, in JavaScriptCore's execution-counter units (defaults 500 / 1000 / 100000). */
export const EAGER_JIT_ENV: Readonly<Record<string, string>> = {
  BUN_JSC_thresholdForJITAfterWarmUp: "5",
  BUN_JSC_thresholdForJITSoon: "5",
  BUN_JSC_thresholdForOptimizeAfterWarmUp: "20",
  BUN_JSC_thresholdForOptimizeAfterLongWarmUp: "20",
  BUN_JSC_thresholdForOptimizeSoon: "20",
  BUN_JSC_thresholdForFTLOptimizeAfterWarmUp: "50",
  BUN_JSC_thresholdForFTLOptimizeSoon: "50",
};

export type JitTiers = "EAGER" | "DEFAULT";

/** Any variable so named sets a tier threshold: ours after the re-exec, or the operator's. */
const THRESHOLD = "BUN_JSC_threshold";

/** True when this process runs the compiled executable (its script is inside the binary). */
export function runsCompiled(): boolean {
  return inExecutable(Bun.main);
}

/**
 * The environment serve should run under, or null when it already does: tiers DEFAULT, any
 * `BUN_JSC_threshold…` already set (ours after the re-exec, or the operator's), or not the compiled
 * executable (a development run under `bun`, whose own flags a re-exec could not restate).
 */
export function eagerJitEnv(
  env: Record<string, string | undefined>,
  tiers: JitTiers,
  compiled: boolean,
): Record<string, string> | null {
  if (tiers === "DEFAULT" || !compiled) return null;
  if (Object.keys(env).some((k) => k.startsWith(THRESHOLD))) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return { ...out, ...EAGER_JIT_ENV };
}

/** The tiers this process runs with, for serve's start line: "eager", "operator's BUN_JSC_…" or "default". */
export function jitInUse(env: Record<string, string | undefined>): string {
  if (Object.entries(EAGER_JIT_ENV).every(([k, v]) => env[k] === v)) return "eager";
  const own = Object.keys(env).filter((k) => k.startsWith(THRESHOLD));
  return own.length > 0 ? `operator's ${own.join(",")}` : "default";
}

/**
 * Replaces this process with the executable under `next` (same arguments). Returns a one-line
 * reason only when execve failed (the process goes on as it was).
 */
export function reexecWith(next: Record<string, string>): string {
  const cstr = (s: string) => Buffer.from(`${s}\0`, "utf8");
  const keep: Buffer[] = [];
  const table = (items: string[]) => {
    const t = new BigUint64Array(items.length + 1);
    items.forEach((s, i) => {
      const b = cstr(s);
      keep.push(b);
      t[i] = BigInt(ptr(b));
    });
    return t;
  };
  const path = cstr(process.execPath);
  const argv = table([process.execPath, ...process.argv.slice(2)]);
  const envp = table(Object.entries(next).map(([k, v]) => `${k}=${v}`));
  libc().execve(ptr(path), ptr(argv), ptr(envp));
  const errno = lastErrno();
  keep.length = 0; // the strings stayed referenced until execve had read them
  return `execve ${process.execPath} failed (errno ${errno}): serving with the engine's default JIT tiers`;
}
