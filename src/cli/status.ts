/**
 * `dita-v2 status` and `dita-v2 healthcheck`: read a running serve over HTTP. `status --report`
 * prints the operational-status document (markdown, `_report.ts`) built from what serve answers:
 * /status, /health, /metrics, and the ERROR and CRITICAL diagnostics its event ring still holds
 * (read once from `GET /events`, resuming before the ring's oldest event, then closed).
 */

import { defineCommand } from "citty";
import type { StatusDocument } from "../contracts/status_schema.ts";
import { baseUrl, call, cliToken, print, urlArg } from "./_client.ts";
import { CliFailure } from "./_fail.ts";
import { type RecentDiagnostic, renderReport } from "./_report.ts";

export const statusCommand = defineCommand({
  meta: { name: "status", description: "Print the status document of a running serve (GET /status)" },
  args: {
    url: urlArg,
    report: { type: "boolean", description: "print the operational-status report (markdown) instead of JSON" },
  },
  async run({ args }) {
    const r = await call(args.url, "/status");
    if (r.status !== 200) throw new CliFailure(`status answered HTTP ${r.status}: ${JSON.stringify(r.body)}`);
    if (!args.report) return print(r.body);
    const status = r.body as StatusDocument;
    const [health, metrics, recent] = await Promise.all([
      call(args.url, "/health"),
      call(args.url, "/metrics"),
      recentDiagnostics(baseUrl(args.url), status),
    ]);
    const h = health.body as { status?: string; reasons?: string[] };
    const asOf = r.date === null ? Number.NaN : Date.parse(r.date);
    print(
      renderReport({
        url: baseUrl(args.url),
        status,
        health: { ok: health.status === 200, reasons: h.reasons ?? [] },
        diagnosticCounts: countsFrom(typeof metrics.body === "string" ? metrics.body : ""),
        recent,
        asOfMs: Number.isFinite(asOf) ? asOf : null,
      }),
    );
  },
});

function countsFrom(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics.matchAll(/^dita_v2_diagnostics_total\{code="([A-Z_]+)"\} (\d+)$/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}

const RING_READ_MS = 2000;

/**
 * The ERROR and CRITICAL diagnostics among the events serve still holds: `GET /events` resumed
 * just before the oldest event, read until the event that was last when /status answered (or
 * 2 s), then closed. Null when the stream cannot be read (no event stream, refused, too many clients).
 */
async function recentDiagnostics(base: string, status: StatusDocument): Promise<RecentDiagnostic[] | null> {
  const ev = status.events;
  if (ev === undefined) return null;
  const token = cliToken();
  const headers: Record<string, string> = { "Last-Event-ID": `${ev.epoch}-${Math.max(0, ev.oldest_seq - 1)}` };
  if (token) headers.Authorization = `Bearer ${token}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), RING_READ_MS);
  const found: RecentDiagnostic[] = [];
  try {
    const res = await fetch(`${base}/events`, { headers, signal: abort.signal });
    if (res.status !== 200 || res.body === null) return null;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (let seq = 0; seq < ev.last_seq; ) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        seq = Math.max(seq, Number(/^id: [a-z0-9]+-(\d+)$/m.exec(frame)?.[1] ?? seq));
        if (!/^event: diagnostic$/m.test(frame)) continue;
        const d = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null") as RecentDiagnostic | null;
        if (d !== null && (d.severity === "ERROR" || d.severity === "CRITICAL")) found.push(d);
      }
    }
    abort.abort();
    return found;
  } catch (e) {
    // The bound passed: what arrived by then is what the ring had to say.
    return (e as Error).name === "AbortError" ? found : null;
  } finally {
    clearTimeout(timer);
  }
}

export const healthcheckCommand = defineCommand({
  meta: {
    name: "healthcheck",
    description: "Exit 0 when serve can trade, 1 when it answers unhealthy, 2 when unreachable",
  },
  args: { url: urlArg },
  async run({ args }) {
    const r = await call(args.url, "/health");
    const body = (typeof r.body === "object" && r.body !== null ? r.body : {}) as {
      status?: unknown;
      reasons?: unknown;
    };
    // Healthy is serve's own answer, not any 200 (another server on the port, a page).
    const healthy = r.status === 200 && body.status === "ok";
    const reasons = Array.isArray(body.reasons)
      ? body.reasons.map(String)
      : [r.status === 200 ? "HTTP 200 without serve's health document" : `HTTP ${r.status}`];
    console.log(healthy ? "healthy" : `unhealthy: ${reasons.join("; ")}`);
    process.exitCode = healthy ? 0 : 1;
  },
});
