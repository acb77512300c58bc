/**
 * The soak's report (bench/soak.ts): per-minute rows, the verdict per resource, and a hand-written
 * SVG with one small panel per metric (restarts as red lines, the sink outage as a grey band).
 *
 * Verdict rules (the issue's), over the minutes after warm-up:
 *  - RSS: every minute's RSS (sampled at the minute's end) within ±10 % of their median;
 *  - descriptors: no growth: the median of the last third's minute-end counts at most 10 % + 2
 *    above the first third's (the count includes the load's open HTTP connections, which vary);
 *  - disk: the journal never above its bound, keep × (segment + one frame) + keep × snapshot;
 *  - event-loop lag: no minute without a restart whose lag maximum exceeds 50 ms.
 * Restart minutes are excluded from the RSS and lag rules (a new process warms up; the old one
 * stops) and shown as such; everything measured is in the rows, excluded or not.
 *
 * Entry points: `MinuteRow`, `percentile`, `verdict`, `svg`.
 */

export interface MinuteRow {
  minute: number;
  restart: boolean;
  sink_down: boolean;
  rss_mb: number;
  rss_mb_max: number;
  fds: number;
  fds_max: number;
  journal_mb: number;
  journal_files: number;
  spool_mb: number;
  /** Records the projection holds for its sinks at the minute's end (GET /status). */
  projection_backlog: number;
  lag_samples: number;
  lag_p99_ms: number;
  lag_max_ms: number;
  intent_p50_ms: number;
  intent_p99_ms: number;
  mark_p50_ms: number;
  mark_p99_ms: number;
  trade_p50_ms: number;
  trade_p99_ms: number;
  marks_ok: number;
  marks_failed: number;
  marks_skipped: number;
  trade_intents_ok: number;
  trade_intents_failed: number;
  /** serve's CPU use over the minute, % of one core (/proc/<pid>/stat; the new process's after a restart). */
  serve_cpu_pct: number;
  /** The host's 1-minute load average at the minute's end (/proc/loadavg; 2 cores). */
  host_load_1m: number;
}

export function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
}

const median = (xs: number[]) => percentile(xs, 0.5);

export interface Verdict {
  rss: { flat: boolean; median_mb: number; min_ratio: number; max_ratio: number; minutes: number };
  fds: { flat: boolean; first_third_median: number; last_third_median: number; min: number; max: number };
  disk: { bounded: boolean; journal_max_mb: number; bound_mb: number; spool_max_mb: number; spool_end_mb: number };
  lag: { ok: boolean; max_ms_outside_restarts: number; worst_minute: number; max_ms_in_restarts: number };
}

export function verdict(rows: MinuteRow[], warmup: number, boundMb: number): Verdict {
  const after = rows.filter((r) => r.minute > warmup);
  const steady = after.filter((r) => !r.restart);
  const rssMed = median(steady.map((r) => r.rss_mb));
  const ratios = steady.map((r) => r.rss_mb / rssMed);
  const third = Math.max(1, Math.floor(steady.length / 3));
  const firstFds = median(steady.slice(0, third).map((r) => r.fds));
  const lastFds = median(steady.slice(-third).map((r) => r.fds));
  const outside = rows.filter((r) => !r.restart);
  const none = { lag_max_ms: 0, minute: 0 }; // every minute had a restart (a short run)
  const worst = outside.reduce<{ lag_max_ms: number; minute: number }>(
    (a, r) => (r.lag_max_ms > a.lag_max_ms ? r : a),
    none,
  );
  const journalMax = Math.max(...rows.map((r) => r.journal_mb));
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    rss: {
      flat: ratios.every((x) => x >= 0.9 && x <= 1.1),
      median_mb: rssMed,
      min_ratio: r2(Math.min(...ratios)),
      max_ratio: r2(Math.max(...ratios)),
      minutes: steady.length,
    },
    fds: {
      flat: lastFds <= firstFds * 1.1 + 2,
      first_third_median: firstFds,
      last_third_median: lastFds,
      min: Math.min(...after.map((r) => r.fds)),
      max: Math.max(...after.map((r) => r.fds_max)),
    },
    disk: {
      bounded: journalMax <= boundMb,
      journal_max_mb: journalMax,
      bound_mb: r2(boundMb),
      spool_max_mb: Math.max(...rows.map((r) => r.spool_mb)),
      spool_end_mb: rows.at(-1)!.spool_mb,
    },
    lag: {
      ok: worst.lag_max_ms <= 50,
      max_ms_outside_restarts: worst.lag_max_ms,
      worst_minute: worst.minute,
      max_ms_in_restarts: Math.max(0, ...rows.filter((r) => r.restart).map((r) => r.lag_max_ms)),
    },
  };
}

type Series = { label: string; color: string; pick: (r: MinuteRow) => number };
const PANELS: Array<{ title: string; series: Series[] }> = [
  { title: "RSS (MB, at minute end)", series: [{ label: "rss", color: "#1f77b4", pick: (r) => r.rss_mb }] },
  {
    title: "open file descriptors: minute end, max",
    series: [
      { label: "end", color: "#2ca02c", pick: (r) => r.fds },
      { label: "max", color: "#bcbd22", pick: (r) => r.fds_max },
    ],
  },
  {
    title: "disk (MB): journal, spool",
    series: [
      { label: "journal", color: "#9467bd", pick: (r) => r.journal_mb },
      { label: "spool", color: "#ff7f0e", pick: (r) => r.spool_mb },
    ],
  },
  {
    title: "projection backlog (records, minute end)",
    series: [{ label: "backlog", color: "#ff7f0e", pick: (r) => r.projection_backlog }],
  },
  {
    title: "event-loop lag (ms): p99, max",
    series: [
      { label: "p99", color: "#1f77b4", pick: (r) => r.lag_p99_ms },
      { label: "max", color: "#d62728", pick: (r) => r.lag_max_ms },
    ],
  },
  {
    title: "serve CPU (% of a core), host load average (x100)",
    series: [
      { label: "cpu %", color: "#8c564b", pick: (r) => r.serve_cpu_pct },
      { label: "load x100", color: "#7f7f7f", pick: (r) => r.host_load_1m * 100 },
    ],
  },
  {
    title: "intent latency (ms): p50, p99",
    series: [
      { label: "p50", color: "#2ca02c", pick: (r) => r.intent_p50_ms },
      { label: "p99", color: "#ff7f0e", pick: (r) => r.intent_p99_ms },
    ],
  },
];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** One panel per metric, stacked; x is the minute. */
export function svg(rows: MinuteRow[], title: string): string {
  const W = 640;
  const H = 150;
  const L = 56;
  const R = 110;
  const T = 24;
  const B = 22;
  const n = Math.max(1, rows.length);
  const x = (m: number) => L + ((m - 0.5) / n) * (W - L - R);
  const out: string[] = [];
  PANELS.forEach((p, i) => {
    const top = 30 + i * H;
    const ys = p.series.flatMap((s) => rows.map(s.pick));
    const max = Math.max(1e-9, ...ys) * 1.1;
    const y = (v: number) => top + T + (1 - v / max) * (H - T - B);
    out.push(`<text x="${L}" y="${top + 14}" font-size="12" font-weight="bold">${esc(p.title)}</text>`);
    for (const r of rows) {
      if (r.sink_down)
        out.push(
          `<rect x="${x(r.minute - 0.5)}" y="${top + T}" width="${x(1.5) - x(0.5)}" height="${H - T - B}" fill="#eee"/>`,
        );
      if (r.restart)
        out.push(
          `<line x1="${x(r.minute)}" x2="${x(r.minute)}" y1="${top + T}" y2="${top + H - B}" stroke="#f99" stroke-dasharray="3,2"/>`,
        );
    }
    out.push(`<line x1="${L}" x2="${W - R}" y1="${top + H - B}" y2="${top + H - B}" stroke="#333"/>`);
    out.push(`<line x1="${L}" x2="${L}" y1="${top + T}" y2="${top + H - B}" stroke="#333"/>`);
    for (const v of [0, max / 2.2, max / 1.1])
      out.push(
        `<text x="${L - 4}" y="${y(v) + 4}" font-size="10" text-anchor="end">${v >= 10 ? v.toFixed(0) : v.toFixed(2)}</text>`,
      );
    for (const r of rows)
      if (r.minute === 1 || r.minute % 5 === 0 || r.minute === n)
        out.push(`<text x="${x(r.minute)}" y="${top + H - 8}" font-size="9" text-anchor="middle">${r.minute}</text>`);
    p.series.forEach((s, k) => {
      const pts = rows.map((r) => `${x(r.minute).toFixed(1)},${y(s.pick(r)).toFixed(1)}`).join(" ");
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/>`);
      out.push(
        `<text x="${W - R + 8}" y="${top + T + 12 + k * 14}" font-size="11" fill="${s.color}">${s.label}</text>`,
      );
    });
  });
  const height = 40 + PANELS.length * H;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif">`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
    `<text x="${L}" y="18" font-size="13">${esc(title)} — minute on x; red dashes: restarts; grey: sink outage</text>`,
    ...out,
    "</svg>",
    "",
  ].join("\n");
}
