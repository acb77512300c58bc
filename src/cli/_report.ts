/**
 * The operational-status document `dita-v2 status --report` prints: markdown rendered from what a
 * running serve answers (the status document, health, diagnostic counts from /metrics, and the
 * recent ERROR and CRITICAL diagnostics still held by its event ring). Pure: the caller fetches,
 * this renders, so the same inputs always give the same text.
 *
 * Invariants: every section is present even when empty (it says "none"); times are the server's
 * (`asOfMs` from its `Date` header), never this machine's clock.
 *
 * Entry points: `renderReport(input)`; `lastFlatten` (its Last flatten section).
 */

import type { FlattenReport } from "../contracts/flatten.ts";
import type { StatusDocument } from "../contracts/status_schema.ts";

export interface RecentDiagnostic {
  source: string;
  code: string;
  severity: string;
  slot_id: number | null;
  message: string;
  now_ms: number;
}

export interface ReportInput {
  url: string;
  status: StatusDocument;
  health: { ok: boolean; reasons: string[] };
  /** `dita_v2_diagnostics_total` by code, from /metrics. */
  diagnosticCounts: Record<string, number>;
  /** ERROR and CRITICAL diagnostics the event ring still holds, oldest first; null when unavailable. */
  recent: RecentDiagnostic[] | null;
  asOfMs: number | null;
}

const RECENT_MAX = 20;
const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : "—");
const n = (x: number, digits = 2) => x.toFixed(digits);
const cell = (x: unknown) => String(x ?? "—").replaceAll("|", "\\|");
const table = (head: string[], rows: unknown[][]) => [
  `| ${head.join(" | ")} |`,
  `|${head.map(() => "---").join("|")}|`,
  ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
];

function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  return `${d > 0 ? `${d} d ` : ""}${h} h ${m} min ${s % 60} s`;
}

function header(i: ReportInput): string[] {
  const st = i.status;
  const uptime = i.asOfMs === null ? "unknown (no Date header)" : duration(i.asOfMs - st.started_at_ms);
  return [
    `# DITAv2 operational status: ${st.strategy}`,
    "",
    `Generated from ${i.url} as of ${iso(i.asOfMs)} (server time).`,
    "",
    ...table(
      ["what", "value"],
      [
        ["version", st.version],
        ["started", iso(st.started_at_ms)],
        ["uptime", uptime],
        ["health", i.health.ok ? "ok" : `UNAVAILABLE: ${i.health.reasons.join("; ")}`],
        ["intake", st.intake_open ? "open" : "closed"],
        ["kernel", st.kernel.faulted ? "FAULTED (read-only)" : "ok"],
        ["stall watch", stallWatch(st.stall_watch)],
        ["state hash", st.state_hash],
      ],
    ),
  ];
}

/** The stall watch's row: its bound and whether its worker watches (absent: not a serve). */
function stallWatch(w: StatusDocument["stall_watch"]): string {
  if (w === undefined) return "not reported";
  if (w.stall_ms === 0) return "off (DITA_V2_STALL_MS=0)";
  return `${w.stall_ms / 1000} s${w.running ? "" : ", **its worker is not running**"}`;
}

function trading(st: StatusDocument): string[] {
  const c = st.control;
  const limit = (v: number, unit = "") => (v === 0 ? "off" : `${v}${unit}`);
  return [
    "## Trading state and limits",
    "",
    `Trading state: **${c.trading_state}** (control version ${c.version}, changed ${iso(c.updated_at_ms)}).`,
    "",
    ...table(
      ["limit", "value"],
      [
        ["max_notional_per_trade", limit(c.max_notional_per_trade, " USDT")],
        ["max_gross_exposure", limit(c.max_gross_exposure, " USDT")],
        ["max_orders_per_minute", limit(c.max_orders_per_minute)],
        ["max_leverage", limit(c.max_leverage)],
        ["max_drawdown_ratio", limit(c.max_drawdown_ratio)],
        ["active_slot_limit", `${c.active_slot_limit} of ${st.kernel.slot_count}`],
      ],
    ),
    "",
    `Mode ${c.mode}, verbosity ${c.verbosity}, backend ${c.backend}, reconcile_on_restart ${c.reconcile_on_restart}.`,
  ];
}

function slots(st: StatusDocument): string[] {
  const byStage = new Map<string, number>();
  for (const s of st.slots) byStage.set(s.stage, (byStage.get(s.stage) ?? 0) + 1);
  const busy = st.slots.filter((s) => s.stage !== "IDLE");
  return [
    "## Slots",
    "",
    ...table(["stage", "slots"], [...byStage]),
    "",
    ...(busy.length === 0
      ? ["Every slot is IDLE."]
      : table(
          ["slot", "stage", "trade", "asset", "side", "size", "entry", "mark", "unrealized", "realized"],
          busy.map((s) => [
            s.slot_id,
            s.stage,
            s.trade_id,
            s.asset,
            s.side,
            s.size,
            s.entry_price,
            s.mark_price,
            n(s.unrealized_pnl, 4),
            n(s.realized_pnl, 4),
          ]),
        )),
  ];
}

function account(st: StatusDocument): string[] {
  const a = st.account;
  return [
    "## Account",
    "",
    ...table(
      ["what", "value"],
      [
        ["capital", `${n(a.capital)}${a.seeded ? "" : " (not seeded from the venue yet)"}`],
        ["equity", n(a.equity)],
        ["unrealized PnL", n(a.unrealized_pnl)],
        ["realized PnL total", n(a.realized_pnl_total)],
        ["drawdown", `${n(a.drawdown)} (${n(a.drawdown_ratio * 100)} % of peak ${n(a.peak_capital)})`],
        ["fees paid", n(a.fees_paid, 4)],
        ["settled trades", a.trade_seq],
      ],
    ),
  ];
}

function venue(st: StatusDocument, counts: Record<string, number>): string[] {
  const v = st.venue;
  const budget =
    v.throttle === undefined
      ? `no throttle view from the adapter; RATE_LIMITED refusals since start: ${counts.RATE_LIMITED ?? 0}`
      : `throttle: ${JSON.stringify(v.throttle)}`;
  return [
    "## Venue",
    "",
    `${v.name}: ${v.connected ? "connected" : "**NOT CONNECTED**"}, ${v.inflight} calls in flight. Request budget: ${budget}.`,
  ];
}

function projection(st: StatusDocument): string[] {
  const p = st.projection;
  return [
    "## Projection",
    "",
    `${p.degraded ? "**Degraded**" : "All sinks up"}; ${p.backlog_records} records waiting in all.`,
    "",
    ...table(
      [
        "sink",
        "address",
        "up",
        "backlog records",
        "backlog KiB",
        "written",
        "sealed files (MiB)",
        "last success",
        "last error",
      ],
      p.sinks.map((s) => [
        s.sink,
        s.address,
        s.up ? "up" : "DOWN",
        s.backlog_records,
        Math.ceil(s.backlog_bytes / 1024),
        s.records_written,
        s.sealed === null ? "—" : `${s.sealed.files} (${Math.ceil(s.sealed.bytes / 2 ** 20)})`,
        iso(s.last_success_ms),
        s.last_error ?? "—",
      ]),
    ),
  ];
}

function bookkeeping(st: StatusDocument): string[] {
  const j = st.journal;
  const r = st.reconciliation;
  const rec = st.recovery;
  const z = st.zinc;
  return [
    "## Journal, Zinc and recovery",
    "",
    `Journal: ${j === null ? "off" : `${j.entries} entries in ${j.path} (segment ${j.segment}, ${j.rotations} rotations; ${j.refused_not_journaled} refused inputs not journaled)`}.`,
    `Zinc: ${z.kind}${z.prefix ? ` prefix ${z.prefix}` : ""}, ring head ${z.ring.head} tail ${z.ring.tail}${z.hostile ? `, **region corrupt: ${z.hostile}**` : ""}.`,
    rec === null
      ? "Recovery: not finished."
      : `Recovery at start: belief from ${rec.belief_source}, ${rec.restored.length} slots restored, ${rec.reconciled.length} reconciled, ${rec.refused.length} refused, ${rec.orphans.length} orphan positions${rec.orphans.map((o) => ` (${o.side} ${o.size} ${o.asset})`).join("")}.`,
    "",
    "## Live reconciliation",
    "",
    r.interval_ms === 0
      ? "Off (DITA_V2_RECONCILE_INTERVAL_MS=0)."
      : `Every ${r.interval_ms} ms: ${r.passes} passes, ${r.mismatches_total} mismatches in all; last pass ${iso(r.last_pass_at_ms)}` +
        `${r.last_mismatches.length ? ` reconciled slots ${r.last_mismatches.join(", ")}` : " (no mismatch)"}` +
        `${r.last_error ? `; last error: ${r.last_error}` : ""}.`,
  ];
}

/** The Last flatten section: the verdict, each slot still open and why, each position and open order the venue held. */
export function lastFlatten(f: FlattenReport | null): string[] {
  if (f === null) return ["## Last flatten", "", "None since serve started."];
  const open = f.slots.filter((s) => s.result === "STILL_OPEN");
  const v = f.venue;
  return [
    "## Last flatten",
    "",
    `${iso(f.started_at_ms)} → ${iso(f.finished_at_ms)}: **${f.complete ? "complete" : "INCOMPLETE"}**; ` +
      `${f.slots.filter((s) => s.result === "CLOSED").length} closed, ${open.length} still open; ` +
      (v.checked
        ? `venue: ${v.positions.length} positions, ${v.open_orders.length} open orders, balance ${v.balance}.`
        : `venue could not confirm: ${v.error}.`),
    ...open.map((s) => `- slot ${s.slot_id} ${s.asset}: ${s.after}: ${s.detail}`),
    ...(v.checked ? v.positions.map((p) => `- venue position ${p.asset} ${p.side} ${p.size}`) : []),
    ...(v.checked ? v.open_orders.map((o) => `- venue open order ${o.asset} ${o.client_order_id}`) : []),
  ];
}

function diagnostics(i: ReportInput): string[] {
  const counts = Object.entries(i.diagnosticCounts).sort((a, b) => b[1] - a[1]);
  const recent = i.recent === null ? null : i.recent.slice(-RECENT_MAX);
  return [
    "## Diagnostics",
    "",
    counts.length === 0
      ? "No diagnostics since start."
      : `Since start: ${counts.map(([c, k]) => `${c} ${k}`).join(", ")}.`,
    "",
    recent === null
      ? "Recent ERROR and CRITICAL diagnostics: not available (the event stream could not be read)."
      : recent.length === 0
        ? "Recent ERROR and CRITICAL diagnostics: none in the event ring."
        : `Recent ERROR and CRITICAL diagnostics (the last ${recent.length} the event ring holds):`,
    ...(recent !== null && recent.length > 0
      ? [
          "",
          ...table(
            ["time", "severity", "code", "source", "slot", "message"],
            recent.map((d) => [iso(d.now_ms), d.severity, d.code, d.source, d.slot_id, d.message]),
          ),
        ]
      : []),
  ];
}

export function renderReport(i: ReportInput): string {
  const sections = [
    header(i),
    trading(i.status),
    slots(i.status),
    account(i.status),
    venue(i.status, i.diagnosticCounts),
    projection(i.status),
    bookkeeping(i.status),
    lastFlatten(i.status.flatten),
    diagnostics(i),
  ];
  return `${sections.map((s) => s.join("\n")).join("\n\n")}\n`;
}
