/**
 * The desk: every kernel heartbeating into the Hazelcast cluster (`GET /fleet`, the listing
 * `dita-v2 fleet` prints), one row each — namespace, host and pid, its verdict (ok, stale once a
 * heartbeat is missed, unhealthy with the reasons), trading state, slots in use, last input, projection backlog,
 * account lease and heartbeat age. The verdicts are the server's; the console only shows them.
 * Without a cluster (404) or with it unreadable (503) the panel says the server's reason.
 */

import { age } from "./_format.ts";
import { html } from "./_html.ts";
import type { FleetListing, FleetView } from "./_types.ts";

type Kernel = FleetListing["kernels"][number];

const verdict = (k: Kernel) =>
  html`<span class=${k.state === "ok" ? "dot ok" : "dot bad"}></span> ${k.state}${k.why ? html` <span class="err">${k.why}</span>` : null}`;

function Row({ k, nowMs }: { k: Kernel; nowMs: number }) {
  return html`<tr key=${k.namespace} data-namespace=${k.namespace} class=${`fleet-${k.state}`}>
    <td data-label="namespace">${k.namespace}</td>
    <td data-label="host · pid" class="mono">${k.host} · ${k.pid}</td>
    <td data-label="state">${verdict(k)}</td>
    <td data-label="trading">${k.trading_state}</td>
    <td data-label="slots" class="n">${k.slots_in_use} / ${k.slot_count}</td>
    <td data-label="last input">${k.last_input_ms === null ? "—" : `${age(k.last_input_ms, nowMs)} ago`}</td>
    <td data-label="backlog" class="n">${k.projection_backlog}</td>
    <td data-label="lease">${k.lease}</td>
    <td data-label="heartbeat">${age(k.heartbeat_at_ms, nowMs)} ago (TTL ${k.ttl_ms / 1000} s)</td>
  </tr>`;
}

export function FleetPanel({ fleet, nowMs }: { fleet: FleetView | null; nowMs: number }) {
  const head = html`<h2>Fleet</h2>`;
  if (fleet === null)
    return html`<section class="panel fleet" id="fleet">${head}<p class="muted">loading…</p></section>`;
  if (fleet.listing === null)
    return html`<section class="panel fleet" id="fleet">${head}<p class="muted" id="fleet-why">${fleet.error}</p></section>`;
  const { kernels, malformed } = fleet.listing;
  const ok = kernels.filter((k) => k.state === "ok").length;
  return html`<section class="panel fleet" id="fleet">
    <h2>Fleet <small id="fleet-summary">${kernels.length} kernels · ${ok} ok</small></h2>
    <div class="scroll">
      <table id="fleet-table">
        <thead><tr><th>namespace</th><th>host · pid</th><th>state</th><th>trading</th><th class="n">slots</th><th>last input</th><th class="n">backlog</th><th>lease</th><th>heartbeat</th></tr></thead>
        <tbody>${kernels.map((k) => html`<${Row} k=${k} nowMs=${nowMs} />`)}</tbody>
      </table>
    </div>
    ${malformed.length > 0 ? html`<p class="err" id="fleet-malformed">${malformed.length} entries did not parse: ${malformed.join(" · ")}</p>` : null}
  </section>`;
}
