/**
 * A long, realistic input stream for the journal benchmark, produced in chunks so ten million inputs
 * never sit in memory at once. Mostly marks, as a live journal is (a strategy streams marks; trades
 * are rarer): per trade an ENTER, ACK, two partial fills and a full fill, a two-leg exit (EXIT, ACK,
 * partial, full each), and 40 marks across four assets — 53 inputs, 75 % marks. Trades rotate over
 * the slots (each closes before its slot takes the next). Every event id, trade id and venue order id
 * is unique. Deterministic: the same stream every run.
 *
 * Entry point: `journalStream(total, slots, chunk)`: a generator of input arrays.
 */

import type { KernelInput } from "../src/contracts/index.ts";

const ASSETS = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "DOGE-USDT"];

export function* journalStream(total: number, slots: number, chunk = 8192): Generator<KernelInput[]> {
  let now = 1_700_000_000_000;
  let ev = 0;
  let emitted = 0;
  let out: unknown[] = [{ type: "SEED_CAPITAL", capital: 1_000_000, now_ms: now }];
  const evt = (kind: string, coid: string, venue: string, cum: number, avg: number) => ({
    type: "VENUE_EVENT",
    slot_id: null,
    now_ms: ++now,
    event: {
      kind,
      event_id: `${venue}:${kind}:${++ev}`,
      venue_order_id: venue,
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
  for (let t = 0; emitted + out.length < total; t++) {
    const slot = t % slots;
    const trade = `J${t}`;
    const e = `${trade}-E`;
    const v = (leg: number) => `18${String(t * 4 + leg).padStart(17, "0")}`;
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
      evt("ACK", e, v(0), 0, 0),
      evt("PARTIAL_FILL", e, v(0), 0.1, 65000),
      evt("PARTIAL_FILL", e, v(0), 0.2, 65001),
      evt("FULL_FILL", e, v(0), 0.3, 65002),
    );
    for (let m = 0; m < 40; m++) {
      const asset = ASSETS[m % ASSETS.length]!;
      const base = asset === "BTC-USDT" ? 65000 : asset === "ETH-USDT" ? 3500 : asset === "SOL-USDT" ? 150 : 0.12;
      out.push({
        type: "MARK_PRICE",
        asset,
        price: base * (1 + (((t * 7 + m * 13) % 200) - 100) / 1e5),
        now_ms: ++now,
      });
    }
    for (const [leg, size] of [
      [1, 0.1],
      [2, 0.2],
    ] as const) {
      const x = `${trade}-X${leg}`;
      out.push({ type: "EXIT", slot_id: slot, size, price: null, reason: leg === 1 ? "TP" : "SIGNAL", now_ms: ++now });
      out.push(
        evt("ACK", x, v(leg), 0, 0),
        evt("PARTIAL_FILL", x, v(leg), size / 2, 65050),
        evt("FULL_FILL", x, v(leg), size, 65060),
      );
    }
    if (out.length >= chunk) {
      const take = out.slice(0, total - emitted);
      emitted += take.length;
      yield take as KernelInput[];
      out = [];
    }
  }
  const rest = out.slice(0, total - emitted);
  if (rest.length > 0) yield rest as KernelInput[];
}
