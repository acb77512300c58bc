/**
 * The slots table: stage, side, size, entry, mark, unrealized and realized PnL, fees, the working
 * orders and the age of the trade (no entry or mark price yet: "—", not 0). Free slots (IDLE, and
 * CLOSED: the kernel takes an ENTER there and leaves it out of active_slot_limit, as the fleet's
 * slots_in_use does) are dimmed, show no age and are not counted in use. On a phone each row
 * becomes a card (console.css labels the cells from `data-label`).
 */

import { age, pnlClass, qty, signed } from "./_format.ts";
import { html } from "./_html.ts";
import type { OrderRecord, SlotRecord } from "./_types.ts";

const WORKING: ReadonlySet<string> = new Set(["PENDING_SUBMIT", "ACKED", "PARTIALLY_FILLED", "CANCEL_REQUESTED"]);

function orderText(o: OrderRecord | null): string | null {
  if (o === null || !WORKING.has(o.status)) return null;
  const price = o.limit_price === null ? "MKT" : `@ ${qty(o.limit_price)}`;
  return `${o.role} ${o.side} ${qty(o.filled_size)}/${qty(o.intended_size)} ${price} ${o.status}${o.hung ? " HUNG" : ""}`;
}

/** A price, or none: 0 is the kernel's "no price" (no entry yet, no mark yet), not a price of zero. */
const price = (x: number) => (x > 0 ? qty(x) : "—");

/** IDLE and CLOSED: no trade running; the kernel counts neither as active. */
const isFree = (s: SlotRecord) => s.stage === "IDLE" || s.stage === "CLOSED";

function tradeStart(s: SlotRecord): number | null {
  return s.entry_order?.created_at_ms ?? (s.stage === "IDLE" ? null : s.updated_at_ms);
}

export function SlotsTable({ slots, nowMs }: { slots: SlotRecord[]; nowMs: number }) {
  const rows = slots.map((s) => {
    const orders = [orderText(s.entry_order), orderText(s.exit_order)].filter((x) => x !== null);
    return html`<tr key=${s.slot_id} class=${isFree(s) ? "idle" : ""} data-slot=${s.slot_id}>
      <td data-label="slot">${s.slot_id}</td>
      <td data-label="stage"><span class=${`stage stage-${s.stage}`}>${s.stage}</span></td>
      <td data-label="trade">${s.trade_id || "—"}</td>
      <td data-label="asset">${s.asset || "—"}</td>
      <td data-label="side">${s.side ?? "—"}</td>
      <td data-label="size" class="n">${qty(s.size)}</td>
      <td data-label="entry" class="n">${price(s.entry_price)}</td>
      <td data-label="mark" class="n">${price(s.mark_price)}</td>
      <td data-label="unrealized" class=${`n ${pnlClass(s.unrealized_pnl, 4)}`}>${signed(s.unrealized_pnl, 4)}</td>
      <td data-label="realized" class=${`n ${pnlClass(s.realized_pnl, 4)}`}>${signed(s.realized_pnl, 4)}</td>
      <td data-label="fees" class="n">${qty(s.fees)}</td>
      <td data-label="working orders" class="orders">${orders.length ? orders.map((o) => html`<div>${o}</div>`) : "—"}</td>
      <td data-label="age" class="n">${isFree(s) ? "—" : age(tradeStart(s), nowMs)}</td>
    </tr>`;
  });
  return html`<section class="panel slots">
    <h2>Slots <small>${slots.filter((s) => !isFree(s)).length} of ${slots.length} in use</small></h2>
    <div class="scroll">
      <table id="slots-table">
        <thead>
          <tr>
            <th>slot</th><th>stage</th><th>trade</th><th>asset</th><th>side</th><th class="n">size</th>
            <th class="n">entry</th><th class="n">mark</th><th class="n">unrealized</th><th class="n">realized</th>
            <th class="n">fees</th><th>working orders</th><th class="n">age</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </div>
  </section>`;
}
