/**
 * What the kernel depends on: venue connectivity, projection sinks and their spool backlog, the
 * event stream's clients, the journal and the kernel's own health. Refreshed from the status
 * document every 5 s.
 */

import { clockTime } from "./_format.ts";
import { html } from "./_html.ts";
import type { StatusDocument } from "./_types.ts";

const dot = (ok: boolean) => html`<span class=${ok ? "dot ok" : "dot bad"}></span>`;

export function SystemPanel({ status }: { status: StatusDocument | null }) {
  if (status === null)
    return html`<section class="panel system"><h2>System</h2><p class="muted">loading…</p></section>`;
  const p = status.projection;
  return html`<section class="panel system" id="system">
    <h2>System</h2>
    <dl class="facts">
      <dt>venue</dt><dd id="venue">${dot(status.venue.connected)} ${status.venue.name} ${status.venue.connected ? "connected" : "not connected"} · ${status.venue.inflight} in flight</dd>
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
