/**
 * The console's page: header (strategy, version, trading state, link state, token), the
 * connection banner and the trading state banner, then slots, account, live feed, trading
 * (state, risk limits, flatten), system, controls and the fleet. Re-renders on every store change and
 * once a second (ages, counted on serve's clock, and the reconnect banner's timeout).
 */

import { useEffect, useState } from "preact/hooks";
import { serverNowMs } from "./_clock.ts";
import { html } from "./_html.ts";
import { getState, subscribe } from "./_store.ts";
import { AccountPanel } from "./account.ts";
import { Banner, TradingBanner } from "./banner.ts";
import { ControlPanel } from "./controls.ts";
import { Feed } from "./feed.ts";
import { FleetPanel } from "./fleet.ts";
import { SlotsTable } from "./slots.ts";
import { SystemPanel } from "./system.ts";
import { TokenBox } from "./token.ts";
import { TradingPanel } from "./trading.ts";

export function App() {
  const [s, setS] = useState(getState());
  const [, setTick] = useState(0);
  useEffect(() => subscribe(() => setS(getState())), []);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  // Ages are counted on serve's clock: the times shown are all serve's (see _clock.ts).
  const now = serverNowMs();
  const st = s.status;
  return html`<header class="top">
      <h1>DITAv2 <small>operator console</small></h1>
      <div class="who">
        ${st ? html`<span>${st.strategy} · v${st.version}</span>` : null}
        ${s.control ? html`<span id="trading-pill" class=${`state state-${s.control.trading_state}`}>${s.control.trading_state}</span>` : null}
        <span id="link" class=${`link link-${s.link.state}`}>${s.link.state === "live" ? "live" : s.link.state}</span>
      </div>
      <${TokenBox} hasToken=${s.hasToken} />
    </header>
    <${Banner} s=${s} nowMs=${now} />
    <${TradingBanner} s=${s} />
    <main class="grid">
      <${SlotsTable} slots=${s.slots} nowMs=${now} />
      <${AccountPanel} account=${s.account} equity=${s.equity} />
      <${Feed} feed=${s.feed} />
      <${TradingPanel} control=${s.control} hasToken=${s.hasToken} running=${s.flattenRunning} report=${s.flattenReport} />
      <${SystemPanel} status=${st} venueCalls=${s.venueCalls} flatten=${s.flattenReport} nowMs=${now} />
      <${ControlPanel} control=${s.control} slotCount=${st?.kernel.slot_count ?? 1} hasToken=${s.hasToken} />
      <${FleetPanel} fleet=${s.fleet} nowMs=${now} />
    </main>`;
}
