/**
 * The human form of `dita-v2 strategy-status`: one block per topic (kernel, account, ring and
 * lanes, slots as a table, recent refusals), plain text with aligned columns. The JSON document
 * (`--json`) carries the same facts; this file only formats it. The control line leads with the
 * trading state (a HALTED or REDUCING kernel refuses entries) and names every risk limit that is on.
 * Text read from the regions (namespace, trade ids, assets, outcome messages) is shown as one printable
 * line each (`printableLine`): hostile bytes there must not print escape sequences or forge lines.
 */

import { type AccountRecord, type ControlSnapshot, RISK_LIMIT_RANGES, type SlotRecord } from "../contracts/index.ts";
import { printableLine } from "../contracts/printable.ts";
import type { RingStats } from "../zinc/index.ts";

export type StatusSlot =
  | SlotRecord
  | { slot_id: number; stage: "IDLE"; never_written: true }
  | { slot_id: number; unreadable: string };

export interface RefusalRow {
  lane: number;
  client_intent_id: string;
  now_ms: number;
  origin: string;
  input_kind: string | number;
  slot_id: number | null;
  code: string | null;
  retry_after_ms: number | null;
  message: string;
}

export interface StatusDoc {
  prefix: string;
  namespace: string | null;
  kernel: { alive: boolean; pid: number; generation: number; closed_cleanly: boolean };
  slots: StatusSlot[];
  /** `unreadable`: torn by a kernel that died mid-mirror, or a read that did not stabilise. */
  account: (AccountRecord & { state_hash: string }) | { unreadable: string };
  ring: RingStats & { capacity: number; depth: number };
  outcomes: {
    published: number;
    unroutable: number;
    overwritten: number;
    lanes: number;
    lanes_owned: number;
    lanes_in_use: Array<{
      lane: number;
      owner_pid: number;
      /** False: the owner died without releasing the lane (a producer's next claim may take it). */
      owner_alive: boolean;
      generation: number;
      head: number;
      unread: number;
      overwritten: number;
    }>;
    undecodable: number;
  };
  recent_refusals: RefusalRow[];
  control: ControlSnapshot | null | { unreadable: string };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join("  ")
      .trimEnd(),
  );
}

const RISK_LIMIT_KEYS = Object.keys(RISK_LIMIT_RANGES) as Array<keyof typeof RISK_LIMIT_RANGES>;

const num = (v: unknown, digits = 4) => (typeof v === "number" ? String(Number(v.toFixed(digits))) : "-");

/** `v` with every string in it made one printable line (objects and arrays copied, other values kept). */
function printable<T>(v: T): T {
  if (typeof v === "string") return printableLine(v) as T;
  if (Array.isArray(v)) return v.map(printable) as T;
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, printable(x)])) as T;
}

export function statusText(doc: StatusDoc): string {
  const d = printable(doc);
  const k = d.kernel;
  const a = d.account;
  const ring = d.ring;
  const o = d.outcomes;
  const lines = [
    `strategy-status ${d.prefix} (namespace ${d.namespace ?? "unknown"})`,
    `kernel   ${k.alive ? "RUNNING" : "NOT RUNNING"} pid ${k.pid}${k.alive ? "" : k.closed_cleanly ? " (closed cleanly)" : " (dead: the regions hold its last belief)"}, generation ${k.generation}`,
    "unreadable" in a
      ? `account  UNREADABLE: ${a.unreadable}`
      : `account  capital ${num(a.capital)}  equity ${num(a.equity)}  unrealized ${num(a.unrealized_pnl)}  drawdown ${num(a.drawdown_ratio)}  trades ${a.trade_seq}${a.seeded ? "" : "  (not seeded)"}`,
    `ring     depth ${ring.depth}/${ring.capacity}  head ${ring.head}  abandoned ${ring.abandoned}${ring.stalledPid ? `  stalled on pid ${ring.stalledPid}` : ""}`,
    `outcomes published ${o.published}  unroutable ${o.unroutable}  overwritten ${o.overwritten}  lanes ${o.lanes_owned}/${o.lanes} held${o.undecodable ? `  undecodable ${o.undecodable}` : ""}`,
  ];
  for (const l of o.lanes_in_use)
    lines.push(
      `  lane ${l.lane}: pid ${l.owner_pid}${l.owner_alive ? "" : " (dead)"} gen ${l.generation}, ${l.unread} unread, ${l.overwritten} overwritten`,
    );
  lines.push("slots");
  const rows = [["slot", "stage", "trade", "asset", "side", "size", "entry", "unrealized", "realized"]];
  for (const s of d.slots) {
    if ("unreadable" in s) rows.push([String(s.slot_id), `UNREADABLE: ${s.unreadable}`]);
    else if ("never_written" in s) rows.push([String(s.slot_id), "IDLE", "", "", "", "0", "-", "-", "-"]);
    else
      rows.push([
        String(s.slot_id),
        s.stage,
        s.trade_id ?? "",
        s.asset ?? "",
        s.side ?? "",
        num(s.size, 8),
        num(s.entry_price),
        num(s.unrealized_pnl),
        num(s.realized_pnl),
      ]);
  }
  lines.push(...table(rows).map((r) => `  ${r}`));
  const refusals = d.recent_refusals;
  lines.push(`recent refusals (${refusals.length})`);
  for (const r of refusals)
    lines.push(
      `  lane ${r.lane} ${r.origin} ${r.input_kind} slot ${r.slot_id ?? "-"}: ${r.code}${r.retry_after_ms !== null ? ` (retry after ${r.retry_after_ms} ms)` : ""} ${r.message}`,
    );
  const c = d.control;
  if (c !== null && "unreadable" in c) lines.push(`control  UNREADABLE: ${c.unreadable}`);
  else if (c !== null) {
    // the trading state first (HALTED / REDUCING refuse entries), then every risk limit that is on
    const limits = RISK_LIMIT_KEYS.filter((key) => c[key] !== 0).map((key) => `  ${key} ${c[key]}`);
    lines.push(
      `control  v${c.version} ${c.trading_state} ${c.mode} ${c.verbosity} active_slot_limit ${c.active_slot_limit}${limits.join("")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
