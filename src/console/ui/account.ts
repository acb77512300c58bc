/** The account card: capital, equity (with its chart), drawdown, fees, PnL and trade count. */

import { EquityChart } from "./_chart.ts";
import { num, pct, pnlClass, signed } from "./_format.ts";
import { html } from "./_html.ts";
import type { AccountRecord, EquityPoint } from "./_types.ts";

export function AccountPanel({ account, equity }: { account: AccountRecord | null; equity: EquityPoint[] }) {
  if (account === null)
    return html`<section class="panel account"><h2>Account</h2><p class="muted">loading…</p></section>`;
  const a = account;
  const figure = (label: string, value: string, cls = "") =>
    html`<div class="figure"><span class="label">${label}</span><span class=${`value ${cls}`}>${value}</span></div>`;
  return html`<section class="panel account" id="account">
    <h2>Account ${a.seeded ? "" : html`<small class="warn">capital not seeded yet</small>`}</h2>
    <div class="figures">
      ${figure("capital", num(a.capital))}
      ${figure("equity", num(a.equity))}
      ${figure("unrealized", signed(a.unrealized_pnl), pnlClass(a.unrealized_pnl))}
      ${figure("realized total", signed(a.realized_pnl_total), pnlClass(a.realized_pnl_total))}
      ${figure("drawdown", `${num(a.drawdown)} (${pct(a.drawdown_ratio)})`, a.drawdown > 0 ? "down" : "")}
      ${figure("peak capital", num(a.peak_capital))}
      ${figure("fees paid", num(a.fees_paid, 4))}
      ${figure("trades", String(a.trade_seq))}
    </div>
    <${EquityChart} points=${equity} />
  </section>`;
}
