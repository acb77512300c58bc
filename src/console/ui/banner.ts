/**
 * The connection banner: nothing while the event stream is live; red while serve is unreachable
 * (with the attempt count and reason); amber when the server wants the token (saying what is shown
 * may be stale once state was loaded: nothing is read without it); red when loading the state
 * failed (what is shown may be stale); otherwise green for a few seconds after a reconnect,
 * saying the state was reloaded. Below it, the trading state banner
 * whenever trading is not ACTIVE.
 */

import { html } from "./_html.ts";
import type { ConsoleState } from "./_store.ts";

const SHOW_RECONNECTED_MS = 6000;

export function Banner({ s, nowMs }: { s: ConsoleState; nowMs: number }) {
  const l = s.link;
  if (l.state === "down")
    return html`<div class="banner down" id="banner" role="status">
      Disconnected from serve — reconnecting (attempt ${l.attempt}: ${l.reason}). What you see may be stale.
    </div>`;
  if (l.state === "auth")
    return html`<div class="banner auth" id="banner" role="status">
      This server needs the operator token: ${s.authMessage ?? ""}${s.status === null ? "" : " Nothing is read without it: what you see may be stale."}
    </div>`;
  if (l.state === "connecting")
    return html`<div class="banner connecting" id="banner" role="status">Connecting to serve…</div>`;
  // A failed reload first: "state reloaded" must not cover it.
  if (s.loadError !== null)
    return html`<div class="banner down" id="banner" role="status">
      Could not load state: ${s.loadError}${s.status === null ? "" : " What you see may be stale."}
    </div>`;
  if (l.reconnectedAt !== null && nowMs - l.reconnectedAt < SHOW_RECONNECTED_MS)
    return html`<div class="banner reconnected" id="banner" role="status">Reconnected to serve; state reloaded.</div>`;
  return null;
}

const TRADING_TEXT: Record<string, string> = {
  REDUCING: "Trading is REDUCING: new entries are refused; exits and cancels pass.",
  HALTED: "Trading is HALTED: entries and exits are refused; cancels pass.",
};

/** The trading state banner: amber while REDUCING, red while HALTED, nothing while ACTIVE. */
export function TradingBanner({ s }: { s: ConsoleState }) {
  const state = s.control?.trading_state;
  if (state === undefined || state === "ACTIVE") return null;
  const flattening = s.flattenRunning === null ? "" : " A flatten is running.";
  return html`<div class=${`banner trading-${state}`} id="trading-banner" role="status">
    ${TRADING_TEXT[state]}${flattening} Set ACTIVE in the trading panel (with the token) to trade again.
  </div>`;
}
