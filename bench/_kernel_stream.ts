/**
 * A realistic mixed input stream for the kernel benchmark: per trade an ENTER, ACK, two partial
 * fills and a full fill, ten marks, a two-leg exit (EXIT, ACK, fills) and the close — trades
 * rotate over all slots. Every event has its own event id; every order keeps one venue order id
 * across its events, as on BingX (until 2026-11-25 each event carried a fresh venue order id).
 * Deterministic: the same stream every run.
 */

import type { KernelInput } from "../src/contracts/index.ts";

export function kernelStream(trades: number, slots: number): KernelInput[] {
  const out: unknown[] = [];
  let now = 1_700_000_000_000;
  let ev = 0;
  let orders = 0;
  const venueIds = new Map<string, string>();
  const venueId = (coid: string) => {
    let id = venueIds.get(coid);
    if (id === undefined) {
      id = `17${String(++orders).padStart(17, "0")}`;
      venueIds.set(coid, id);
    }
    return id;
  };
  const evt = (kind: string, coid: string, cum: number, avg: number) => ({
    type: "VENUE_EVENT",
    slot_id: null,
    now_ms: ++now,
    event: {
      kind,
      event_id: `e${++ev}`,
      venue_order_id: venueId(coid),
      client_order_id: coid,
      asset: "BTC-USDT",
      filled_size_cumulative: cum,
      avg_price: avg,
      last_fill_size: 0,
      last_fill_price: 0,
      fee_cumulative: cum * avg * 0.0005,
      venue_time_ms: now,
    },
  });
  out.push({ type: "SEED_CAPITAL", capital: 1_000_000, now_ms: now });
  for (let t = 0; t < trades; t++) {
    const slot = t % slots;
    const trade = `B${t}`;
    const e = `${trade}-E`;
    out.push({
      type: "ENTER",
      slot_id: slot,
      trade_id: trade,
      asset: "BTC-USDT",
      side: t % 2 ? "SHORT" : "LONG",
      size: 0.3,
      price: null,
      leverage: 5,
      now_ms: ++now,
    });
    out.push(
      evt("ACK", e, 0, 0),
      evt("PARTIAL_FILL", e, 0.1, 65000),
      evt("PARTIAL_FILL", e, 0.2, 65001),
      evt("FULL_FILL", e, 0.3, 65002),
    );
    for (let m = 0; m < 10; m++)
      out.push({ type: "MARK_PRICE", asset: "BTC-USDT", price: 65000 + ((t * 7 + m * 13) % 200) - 100, now_ms: ++now });
    for (const [leg, size] of [
      [1, 0.1],
      [2, 0.2],
    ] as const) {
      const x = `${trade}-X${leg}`;
      out.push({ type: "EXIT", slot_id: slot, size, price: null, reason: leg === 1 ? "TP" : "SIGNAL", now_ms: ++now });
      out.push(evt("ACK", x, 0, 0), evt("PARTIAL_FILL", x, size / 2, 65050), evt("FULL_FILL", x, size, 65060));
    }
  }
  return out as KernelInput[];
}
