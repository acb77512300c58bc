/**
 * The trading panel: the trading state (ACTIVE, REDUCING, HALTED), the five risk limits (0 = off)
 * and flatten, each behind a confirmation that says what the kernel will do; then the answer of
 * the last flatten, slot by slot (closed, already flat, still open and why) with the venue's own
 * confirmation. Without the operator token everything is shown and nothing can be changed.
 *
 * Entry point: `TradingPanel`.
 */

import { useState } from "preact/hooks";
import { FLATTEN_TIMEOUT_MS, sendControl, sendFlatten } from "./_changes.ts";
import { controlChange, type PendingAction, useConfirm } from "./_confirm.ts";
import { clockTime, num, qty } from "./_format.ts";
import { html } from "./_html.ts";
import type { ControlSnapshot, FlattenReport } from "./_types.ts";

const STATES = ["ACTIVE", "REDUCING", "HALTED"] as const;

export const STATE_EFFECTS: Record<(typeof STATES)[number], string> = {
  ACTIVE:
    "ACTIVE: the kernel accepts ENTER, EXIT and CANCEL again, within the risk limits. Strategies can open new trades.",
  REDUCING:
    "REDUCING: the kernel refuses every ENTER (REDUCE_ONLY); exits and cancels still pass, so positions can only shrink.",
  HALTED:
    "HALTED: the kernel refuses every ENTER and EXIT (TRADING_HALTED); cancels still pass. Open positions stay open: use Flatten to close them.",
};

type LimitKey =
  | "max_notional_per_trade"
  | "max_gross_exposure"
  | "max_orders_per_minute"
  | "max_leverage"
  | "max_drawdown_ratio";

const LIMITS: ReadonlyArray<{
  key: LimitKey;
  label: string;
  max: number;
  step: string;
  effect: (v: number) => string;
}> = [
  {
    key: "max_notional_per_trade",
    label: "notional per trade (USDT)",
    max: 1e15,
    step: "any",
    effect: (v) => `the kernel refuses an ENTER whose size × price is above ${num(v)} USDT (RISK_LIMIT).`,
  },
  {
    key: "max_gross_exposure",
    label: "gross exposure (USDT)",
    max: 1e15,
    step: "any",
    effect: (v) =>
      `the kernel refuses an ENTER that would take the open positions plus working entries above ${num(v)} USDT (RISK_LIMIT).`,
  },
  {
    key: "max_orders_per_minute",
    label: "orders per minute",
    max: 1200,
    step: "1",
    effect: (v) => `the kernel refuses an ENTER or EXIT that would be order number ${v + 1} within 60 s (RISK_LIMIT).`,
  },
  {
    key: "max_leverage",
    label: "leverage",
    max: 125,
    step: "1",
    effect: (v) => `the kernel refuses an ENTER with leverage above ${v} (RISK_LIMIT).`,
  },
  {
    key: "max_drawdown_ratio",
    label: "drawdown ratio (0..1)",
    max: 1,
    step: "any",
    effect: (v) =>
      `when the drawdown reaches ${(v * 100).toFixed(2)} % of peak capital while ACTIVE, the kernel moves trading to REDUCING by itself (DRAWDOWN_LIMIT, CRITICAL).`,
  },
];

const FLATTEN: PendingAction = {
  title: "Flatten everything now?",
  effect:
    "Trading goes HALTED, working orders are cancelled, every open position is exited at market (reason MANUAL); " +
    "the answer comes when the venue confirmed no position and no open order (up to 30 s), slot by slot. " +
    "Trading stays HALTED until you set ACTIVE again.",
  request: `POST /flatten {"timeout_ms":${FLATTEN_TIMEOUT_MS}}`,
  note: "running it twice is harmless.",
  applyLabel: "Flatten now",
  busyLabel: "Flattening… waiting for the venue",
};

function LimitInput(props: { c: ControlSnapshot; off: boolean; item: (typeof LIMITS)[number]; ask: Ask }) {
  const [value, setValue] = useState("");
  const { key, label, max, step } = props.item;
  const current = props.c[key];
  const submit = () => {
    const to = Number(value);
    const effect =
      to === 0 ? `${key} off: the kernel checks no such limit.` : `${key} = ${to}: ${props.item.effect(to)}`;
    props.ask(controlChange(key, String(current), to, effect), async () => {
      const failed = await sendControl(key, String(current), to);
      if (failed === null) setValue("");
      return failed;
    });
  };
  return html`<label>${label} <small class="muted">now ${current === 0 ? "off" : String(current)}</small>
    <span class="inline">
      <input id=${`limit-${key}`} type="number" min="0" max=${max} step=${step} placeholder=${current === 0 ? "0 = off" : String(current)}
        value=${value} disabled=${props.off} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} />
      <button type="button" id=${`limit-${key}-set`} disabled=${props.off || value.trim() === "" || Number(value) === current} onClick=${submit}>Set</button>
    </span>
  </label>`;
}

type Ask = ReturnType<typeof useConfirm>["ask"];

/** What the report says: flat, something still open, or every slot flat with the venue unread. */
function verdict(r: FlattenReport): string {
  if (r.complete) return "Flat: the venue confirmed no position and no open order";
  const open =
    r.slots.some((s) => s.result === "STILL_OPEN") || r.venue.positions.length > 0 || r.venue.open_orders.length > 0;
  return open
    ? "NOT FLAT: something is still open"
    : "NOT CONFIRMED: every slot is flat, but the venue could not confirm no position and no open order";
}

export function FlattenResult({ report }: { report: FlattenReport }) {
  const v = report.venue;
  const venue = v.checked
    ? `venue: ${v.positions.length} positions, ${v.open_orders.length} open orders, balance ${num(v.balance)}`
    : `venue could not confirm: ${v.error ?? "not checked"}`;
  const moved = report.slots.filter((s) => s.result !== "ALREADY_FLAT");
  return html`<div id="flatten-report" class=${`flatten-report ${report.complete ? "ok" : "bad"}`}>
    <p><b id="flatten-verdict">${verdict(report)}</b>
      <small class="muted"> · ${clockTime(report.started_at_ms)} → ${clockTime(report.finished_at_ms)} · ${venue} · capital ${num(report.capital)}</small></p>
    <table>
      <thead><tr><th>slot</th><th>asset</th><th>stage</th><th>result</th><th>why</th></tr></thead>
      <tbody>
        ${moved.length === 0 ? html`<tr><td colspan="5" class="muted">every slot was already flat</td></tr>` : null}
        ${moved.map(
          (s) => html`<tr key=${s.slot_id} data-flatten-slot=${s.slot_id}>
            <td data-label="slot">${s.slot_id}</td><td data-label="asset">${s.asset || "—"}</td>
            <td data-label="stage">${s.before} → ${s.after}</td>
            <td data-label="result" class=${s.result === "STILL_OPEN" ? "err" : "ok-text"}>${s.result}</td>
            <td data-label="why">${s.detail || "—"}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${v.positions.map((p) => html`<p class="err">venue still holds ${p.side} ${qty(p.size)} ${p.asset}</p>`)}
  </div>`;
}

export function TradingPanel(props: {
  control: ControlSnapshot | null;
  hasToken: boolean;
  running: { started_at_ms: number; slots_not_flat: number[] } | null;
  report: FlattenReport | null;
}) {
  const { ask, dialog } = useConfirm();
  const c = props.control;
  if (c === null) return html`<section class="panel trading"><h2>Trading</h2><p class="muted">loading…</p></section>`;
  const off = !props.hasToken;
  const setState = (to: (typeof STATES)[number]) => {
    if (to === c.trading_state) return;
    ask(controlChange("trading_state", c.trading_state, to, STATE_EFFECTS[to]), () =>
      sendControl("trading_state", c.trading_state, to),
    );
  };
  return html`<section class="panel trading" id="trading">
    <h2>Trading <span id="trading-state-now" class=${`state state-${c.trading_state}`}>${c.trading_state}</span></h2>
    ${off ? html`<p class="muted">Enter the operator token (top right) to change the trading state, the limits or to flatten.</p>` : null}
    <div class="state-buttons" role="group" aria-label="trading state">
      ${STATES.map(
        (
          st,
        ) => html`<button type="button" id=${`trading-${st}`} class=${`state-button state-${st}${st === c.trading_state ? " current" : ""}`}
          aria-pressed=${st === c.trading_state} disabled=${off || st === c.trading_state} onClick=${() => setState(st)}>${st}</button>`,
      )}
    </div>
    <h3>Risk limits <small class="muted">0 = off</small></h3>
    <div class="control-grid">${LIMITS.map((item) => html`<${LimitInput} key=${item.key} c=${c} off=${off} item=${item} ask=${ask} />`)}</div>
    <h3>Flatten</h3>
    <p class="muted">HALT, cancel every working order, exit every position at market, and wait for the venue to confirm.</p>
    <button type="button" id="flatten-button" class="danger" disabled=${off || props.running !== null} onClick=${() => ask(FLATTEN, sendFlatten)}>
      ${props.running === null ? "Flatten…" : `Flattening ${props.running.slots_not_flat.length} slots…`}
    </button>
    ${props.report === null ? html`<p class="muted" id="flatten-none">No flatten since serve started.</p>` : html`<${FlattenResult} report=${props.report} />`}
    ${dialog}
  </section>`;
}
