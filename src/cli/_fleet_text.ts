/**
 * Text renderings for `dita-v2 fleet`: the kernel table (one row per kernel, its verdict first
 * among the columns an operator scans) and the isolation checklist (one row per item, its verdict).
 * Pure functions of what was read; the command prints them. Every cell and line is printable
 * (`printable`): a value any client of the cluster wrote cannot forge a row with a newline, reach the
 * terminal with an escape sequence, or widen every row with a huge string.
 */

import { type ChecklistItem, type FleetListing, ipShareFindings } from "../fleet/index.ts";

/** Longest cell or line printed; what any client of the cluster wrote may be huge. */
const MAX_TEXT = 300;

/**
 * One printable line of `s`: control characters (a newline would forge a row, an escape sequence
 * would reach the terminal) shown as `\n` / `\uXXXX`, and cut after `max` characters, saying so.
 */
export function printable(s: string, max = MAX_TEXT): string {
  const cut = s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === "\n" ? "\\n" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function table(header: string[], rows: string[][], max = MAX_TEXT): string[] {
  rows = rows.map((r) => r.map((cell) => printable(cell, max)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((line) =>
    line
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
}

function ago(ms: number | null, nowMs: number): string {
  if (ms === null) return "-";
  const s = (nowMs - ms) / 1000;
  return s < 60 ? `${s.toFixed(1)}s ago` : s < 3600 ? `${(s / 60).toFixed(1)}m ago` : `${(s / 3600).toFixed(1)}h ago`;
}

export function fleetLines(f: FleetListing): string[] {
  const header = ["NAMESPACE", "STATE", "HOST", "PID", "RUN", "VERSION", "TRADING", "SLOTS", "LAST INPUT"];
  header.push("BACKLOG", "HEARTBEAT", "LEASE", "WHY");
  const rows = f.kernels.map((k) => [
    k.namespace,
    k.state === "ok" ? "ok" : k.state.toUpperCase(),
    k.host,
    String(k.pid),
    k.run,
    k.version,
    k.trading_state,
    `${k.slots_in_use}/${k.slot_count}`,
    ago(k.last_input_ms, f.now_ms),
    String(k.projection_backlog),
    ago(k.heartbeat_at_ms, f.now_ms),
    k.lease,
    k.why,
  ]);
  const count = (s: string) => f.kernels.filter((k) => k.state === s).length;
  const n = f.malformed.length;
  const bad = n === 0 ? "" : `; ${n} malformed ${n === 1 ? "entry" : "entries"}`;
  const summary = `${f.kernels.length} kernel(s): ${count("ok")} ok, ${count("stale")} stale, ${count("unhealthy")} unhealthy${bad}`;
  const malformed = f.malformed.map((m) => `malformed entry: ${printable(m)}`);
  return [...table(header, rows), ...malformed, ...findings(f), summary];
}

function findings(f: FleetListing): string[] {
  return ipShareFindings(f.kernels).map((l) => printable(l, 2 * MAX_TEXT));
}

/**
 * What `dita-v2 fleet` (without --verify-isolation) prints, and its exit code: 0 only when every
 * kernel is ok, no entry is malformed (an entry that does not parse is a kernel nobody can judge,
 * never a healthy fleet) and no host runs more BingX kernels than one of them declares in
 * DITA_V2_BINGX_IP_SHARE (`ipShareFindings`: `warnings`, in the table's lines too), 1 otherwise.
 * Good kernels are listed either way.
 */
export function fleetReport(f: FleetListing, json: boolean): { lines: string[]; warnings: string[]; exitCode: number } {
  const lines = json ? [JSON.stringify(f, null, 2)] : fleetLines(f);
  const warnings = findings(f);
  const healthy = f.kernels.every((k) => k.state === "ok") && f.malformed.length === 0 && warnings.length === 0;
  return { lines, warnings, exitCode: healthy ? 0 : 1 };
}

export function checklistLines(items: readonly ChecklistItem[]): string[] {
  const rows = items.map((i) => [String(i.n), i.verdict, i.assertion, i.method, i.detail]);
  return table(["#", "VERDICT", "ASSERTION", "METHOD", "DETAIL"], rows, 4 * MAX_TEXT); // details list namespaces
}
