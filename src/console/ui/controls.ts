/**
 * The control snapshot's runtime switches and their changes through POST /control: mode,
 * verbosity, active_slot_limit and the three toggles, each behind a confirmation (backend and
 * reconcile_on_restart are shown, fixed at start). Without the operator token the widgets are
 * disabled. Trading state, risk limits and flatten are the trading panel (trading.ts).
 */

import { useState } from "preact/hooks";
import { sendControl } from "./_changes.ts";
import { controlChange, useConfirm } from "./_confirm.ts";
import { clockTime } from "./_format.ts";
import { html } from "./_html.ts";
import type { ControlSnapshot } from "./_types.ts";

const EFFECTS: Record<string, (to: unknown) => string> = {
  mode: (to) =>
    to === "DEBUG"
      ? "DEBUG mode: with debug_clickhouse_enabled on, every kernel transition is projected to ClickHouse, not only venue-confirmed ones."
      : "NORMAL mode: only venue-confirmed transitions are projected.",
  verbosity: (to) =>
    to === "QUIET"
      ? "QUIET: no venue traffic or transitions in the log (unless trace_transitions is on)."
      : to === "VERBOSE"
        ? "VERBOSE: every venue request and answer is logged, credentials masked."
        : "TRACE: venue requests and answers and every kernel transition are logged.",
  active_slot_limit: (to) =>
    `The kernel accepts new entries on at most ${to} slots at once; trades already open are not touched.`,
  debug_clickhouse_enabled: (to) =>
    to ? "In DEBUG mode every kernel transition goes to ClickHouse." : "Debug rows stop going to ClickHouse.",
  trace_transitions: (to) =>
    to ? "Every kernel transition is logged, at any verbosity." : "Transitions are logged only at verbosity TRACE.",
  mirror_to_hazelcast: (to) =>
    to
      ? "Hazelcast map writes resume; the last confirmed rows are written again."
      : "Hazelcast map writes stop until this is turned on again (ClickHouse and the spool are not affected).",
};

const TOGGLES = ["debug_clickhouse_enabled", "trace_transitions", "mirror_to_hazelcast"] as const;

export function ControlPanel(props: { control: ControlSnapshot | null; slotCount: number; hasToken: boolean }) {
  const { ask, dialog } = useConfirm();
  const [limit, setLimit] = useState("");
  const c = props.control;
  if (c === null) return html`<section class="panel controls"><h2>Controls</h2><p class="muted">loading…</p></section>`;
  const off = !props.hasToken;
  const change = (key: string, to: unknown) => {
    const from = String((c as unknown as Record<string, unknown>)[key]);
    if (from === String(to)) return;
    ask(controlChange(key, from, to, EFFECTS[key]?.(to) ?? ""), () => sendControl(key, from, to));
  };
  const select = (key: "mode" | "verbosity", values: readonly string[]) =>
    html`<label>${key}
      <select id=${`control-${key}`} value=${c[key]} disabled=${off} onChange=${(e: Event) => change(key, (e.target as HTMLSelectElement).value)}>
        ${values.map((v) => html`<option value=${v}>${v}</option>`)}
      </select>
    </label>`;
  return html`<section class="panel controls" id="controls">
    <h2>Controls <small>version ${c.version} · ${clockTime(c.updated_at_ms)}</small></h2>
    ${off ? html`<p class="muted">Enter the operator token (top right) to change controls.</p>` : null}
    <div class="control-grid">
      ${select("mode", ["NORMAL", "DEBUG"])}
      ${select("verbosity", ["QUIET", "VERBOSE", "TRACE"])}
      <label>active_slot_limit (1..${props.slotCount})
        <span class="inline">
          <input id="control-active_slot_limit" type="number" min="1" max=${props.slotCount} placeholder=${String(c.active_slot_limit)}
            value=${limit} disabled=${off} onInput=${(e: Event) => setLimit((e.target as HTMLInputElement).value)} />
          <button type="button" disabled=${off || limit === ""} onClick=${() => change("active_slot_limit", Number(limit))}>Set</button>
        </span>
      </label>
      <div class="muted">backend ${c.backend} · reconcile_on_restart ${String(c.reconcile_on_restart)} (fixed at start)</div>
      ${TOGGLES.map(
        (k) => html`<label class="toggle">
          <input type="checkbox" id=${`control-${k}`} checked=${c[k]} disabled=${off} onChange=${(e: Event) => {
            (e.target as HTMLInputElement).checked = c[k];
            change(k, !c[k]);
          }} />
          ${k}
        </label>`,
      )}
    </div>
    ${dialog}
  </section>`;
}
