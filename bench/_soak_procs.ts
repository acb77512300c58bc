/**
 * Process and disk probes for the soak (bench/soak.ts): spawning a process whose output goes to a
 * file until a line matches; a process's RSS, open descriptors and CPU ticks from /proc; the bytes
 * under a directory (files pruned while it is walked are skipped).
 *
 * Entry points: `spawnUntil`, `safeRead`, `procStats`, `bytesUnder`.
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" };

/** Spawns `args` with stderr and stdout into `file`; resolves with the first match of `re` in it. */
export async function spawnUntil(args: string[], env: Record<string, string>, file: string, re: RegExp) {
  const proc = Bun.spawn(args, { env: { ...base, ...env }, stdout: Bun.file(`${file}.out`), stderr: Bun.file(file) });
  for (let i = 0; i < 1200; i++) {
    await Bun.sleep(50);
    const text = `${safeRead(file)}\n${safeRead(`${file}.out`)}`;
    const m = re.exec(text);
    if (m) return { proc, m };
    if (proc.exitCode !== null) break;
  }
  proc.kill("SIGKILL");
  throw new Error(`${args[1]} did not start: ${safeRead(file).slice(-800)}`);
}

export function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

export function bytesUnder(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { bytes, files };
  }
  for (const n of names) {
    try {
      const s = statSync(join(dir, n));
      if (s.isDirectory()) {
        const inner = bytesUnder(join(dir, n));
        bytes += inner.bytes;
        files += inner.files;
      } else {
        bytes += s.size;
        files++;
      }
    } catch {} // pruned between the listing and the stat
  }
  return { bytes, files };
}

export function procStats(pid: number): { rss_mb: number; fds: number; cpu_ticks: number } | null {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN);
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime, in clock ticks), counted after the ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = Number(f[11]) + Number(f[12]);
    return { rss_mb: Math.round(kb / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length, cpu_ticks: cpu };
  } catch {
    return null;
  }
}
