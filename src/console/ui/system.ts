/**
 * What the kernel depends on: venue connectivity and its request budget (the adapter's throttle
 * view when the status has one, else venue calls and RATE_LIMITED refusals from /metrics), live
 * reconciliation with the venue, the last flatten, projection sinks and their spool backlog, the
 * event stream's clients, the journal and the kernel's own health. Refreshed from the status
 * document every 5 s and after changes.
 */

import { age, clockTime } from "./_format.ts";
import { html } from "./_html.ts";
import type { FlattenReport, StatusDocument, VenueCalls } from "./_types.ts";

const dot = (ok: boolean) => html`<span class=${ok ? "dot ok" : "dot bad"}></span>`;

function budget(status: StatusDocument, calls: VenueCalls | null): string {
  const t = status.venue.throttle;
  if (t !== null && t !== undefined)
    return `${t.requests} requests · ${t.waited} waited (p50 ${t.wait_ms_p50} ms, p99 ${t.wait_ms_p99} ms) · ${t.queued} queued · ${t.refused} refused by the throttle · ${t.rate_limited} venue 429s · margin ${t.margin}`;
  if (calls === null) return "—";
  return `${calls.calls} venue calls · ${calls.rate_limited} refused for rate limit (RATE_LIMITED)`;
}

function reconciliation(status: StatusDocument, nowMs: number): string {
  const r = status.reconciliation;
  if (r.interval_ms === 0) return "off (DITA_V2_RECONCILE_INTERVAL_MS=0)";
  const last = r.last_pass_at_ms === null ? "no pass yet" : `last pass ${age(r.last_pass_at_ms, nowMs)} ago`;
  const mismatched = r.last_mismatches.length ? `slots ${r.last_mismatches.join(", ")} reconciled` : "no mismatch";
  const error = r.last_error === null ? "" : ` · last error: ${r.last_error}`;
  return `every ${r.interval_ms / 1000} s · ${last} (${mismatched}) · ${r.passes} passes, ${r.mismatches_total} mismatches in all${error}`;
}

function flattenLine(f: FlattenReport | null): string {
  if (f === null) return "none since start";
  const count = (x: string) => f.slots.filter((s) => s.result === x).length;
  return `${clockTime(f.finished_at_ms)}: ${f.complete ? "complete" : "INCOMPLETE"} · ${count("CLOSED")} closed, ${count("STILL_OPEN")} still open`;
}

export function SystemPanel({
  status,
  venueCalls,
  flatten,
  nowMs,
}: {
  status: StatusDocument | null;
  venueCalls: VenueCalls | null;
  flatten: FlattenReport | null;
  nowMs: number;
}) {
  if (status === null)
    return html`<section class="panel system"><h2>System</h2><p class="muted">loading…</p></section>`;
  const p = status.projection;
  return html`<section class="panel system" id="system">
    <h2>System</h2>
    <dl class="facts">
      <dt>venue</dt><dd id="venue">${dot(status.venue.connected)} ${status.venue.name} ${status.venue.connected ? "connected" : "not connected"} · ${status.venue.inflight} in flight</dd>
      <dt>request budget</dt><dd id="venue-budget">${budget(status, venueCalls)}</dd>
      <dt>reconciliation</dt><dd id="reconciliation">${dot(status.reconciliation.last_error === null)} ${reconciliation(status, nowMs)}</dd>
      <dt>last flatten</dt><dd id="last-flatten">${flattenLine(flatten)}</dd>
      <dt>kernel</dt><dd>${dot(!status.kernel.faulted)} ${status.kernel.faulted ? "FAULTED (read-only)" : "ok"} · intake ${status.intake_open ? "open" : "closed"}</dd>
      <dt>projection</dt><dd>${dot(!p.degraded)} ${p.degraded ? "degraded" : "ok"} · backlog ${p.backlog_records} records</dd>
      <dt>journal</dt><dd>${status.journal ? `${status.journal.entries} entries` : "off"}</dd>
      <dt>events</dt><dd>${status.events ? `${status.events.clients} clients · ${status.events.clients_dropped_total} dropped` : "—"}</dd>
      <dt>state hash</dt><dd class="mono">${status.state_hash.slice(0, 16)}</dd>
    </dl>
    <div class="scroll">
      <table id="sinks">
        <thead><tr><th>sink</th><th>address</th><th>up</th><th class="n">spool backlog</th><th class="n">written</th><th>last success</th><th>last error</th></tr></thead>
        <tbody>
          ${p.sinks.map(
            (s) => html`<tr key=${s.sink}>
              <td data-label="sink">${s.sink}</td>
              <td data-label="address" class="mono">${s.address}</td>
              <td data-label="up">${dot(s.up)} ${s.up ? "up" : "down"}${s.spooled ? " · spooled" : ""}</td>
              <td data-label="spool backlog" class="n">${s.backlog_records} (${Math.ceil(s.backlog_bytes / 1024)} KiB)</td>
              <td data-label="written" class="n">${s.records_written}</td>
              <td data-label="last success">${clockTime(s.last_success_ms)}</td>
              <td data-label="last error" class="err">${s.last_error ?? "—"}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}
