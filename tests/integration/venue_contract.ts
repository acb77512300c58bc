/**
 * The behavioural contract every VenueAdapter honours (docs/architecture.md §8), written once and run
 * against each implementation: `venue_mock.test.ts` (MockVenueAdapter) and
 * `venue_bingx_sim.test.ts` (BingxVenueAdapter on bingx-sim).
 *
 * Invariants checked:
 * 1. a market order is ACKed and FULL_FILLed with the venue's cumulative size, average price and
 *    cumulative fee; order ids are 19-digit strings; the client order id comes back unchanged;
 * 2. fills in N legs are PARTIAL_FILLs with strictly growing cumulative sizes, then one FULL_FILL;
 * 3. cancel of a resting limit → CANCEL_ACK (with the final cumulative fill); a refused cancel →
 *    CANCEL_REJECT and the order keeps working;
 * 4. venue rejects and rate limits → REJECT (VENUE / RATE_LIMITED, with retry_after_ms when hinted);
 * 5. duplicate and reordered delivery: after dedupe by event_id, one event id always carries the
 *    same facts and the cumulative fold reaches exactly the order size;
 * 6. positions and balance follow fills (a round trip costs the fees plus the spread); a size below
 *    the contract minimum is refused locally.
 * 7. `leverageOf` reads the venue's leverage per side: what `setLeverage` set, else the default;
 *    a change is pushed to `onLeverage` listeners with both sides' leverage (setting the same value
 *    again pushes nothing).
 * 8. `knownListed` agrees with the venue: an asset it says is not listed is one the venue refuses.
 */

import { describe, expect, test } from "bun:test";
import type {
  OrderRequest,
  VenueAdapter,
  VenueDiagnostic,
  VenueEvent,
  VenueLeverage,
} from "../../src/contracts/venue.ts";

export interface VenueHarness {
  adapter: VenueAdapter;
  asset: string;
  /** The price a small market BUY fills at. */
  price: number;
  /** The price a small market SELL fills at (below `price` when the venue has a spread). */
  sellPrice: number;
  feeRate: number;
  setPrice(price: number): void;
  partialLegs(n: number): void;
  cancelReject(on: boolean): void;
  /** Makes the next order be refused by the venue; returns the order size that triggers it. */
  venueReject(): number;
  rateLimit(withHint: boolean): void;
  duplicates(on: boolean): void;
  reorder(on: boolean): void;
  reset(): void;
  stop(): Promise<void>;
}

export interface Recorder {
  events: VenueEvent[];
  diagnostics: VenueDiagnostic[];
  of(cid: string): VenueEvent[];
}

export function record(adapter: VenueAdapter): Recorder {
  const events: VenueEvent[] = [];
  const diagnostics: VenueDiagnostic[] = [];
  adapter.onEvent((e) => events.push(e));
  adapter.onDiagnostic((d) => diagnostics.push(d));
  return { events, diagnostics, of: (cid) => events.filter((e) => e.client_order_id === cid) };
}

/** Polls until `pred` holds; bounded by `timeoutMs`. */
export async function until(pred: () => boolean, timeoutMs = 3000, what = "condition"): Promise<void> {
  const rounds = Math.ceil(timeoutMs / 5);
  for (let i = 0; i < rounds; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function dedupe(events: VenueEvent[]): Map<string, VenueEvent> {
  const byId = new Map<string, VenueEvent>();
  for (const e of events) {
    const prior = byId.get(e.event_id);
    if (prior) {
      expect(e.filled_size_cumulative).toBe(prior.filled_size_cumulative);
      expect(e.kind).toBe(prior.kind);
    } else byId.set(e.event_id, e);
  }
  return byId;
}

let counter = 0;
export function order(asset: string, over: Partial<OrderRequest> = {}): OrderRequest {
  counter++;
  return {
    client_order_id: `t${counter}x${over.side ?? "BUY"}`,
    asset,
    side: "BUY",
    position_side: "LONG",
    type: "MARKET",
    size: 0.01,
    reduce_only: false,
    ...over,
  };
}

const near = (a: number, b: number, rel = 1e-6) => Math.abs(a - b) <= Math.abs(b) * rel + 1e-9;

export function venueContract(name: string, make: () => Promise<VenueHarness>): void {
  describe(`venue contract: ${name}`, () => {
    const run = (title: string, body: (h: VenueHarness, r: Recorder) => Promise<void>) =>
      test(title, async () => {
        const h = await make();
        try {
          await h.adapter.connect();
          await body(h, record(h.adapter));
        } finally {
          await h.adapter.close();
          await h.stop();
        }
      });

    run(
      "a market order is acknowledged, then fully filled with cumulative size, average price and fee",
      async (h, r) => {
        const o = order(h.asset);
        const res = await h.adapter.submit(o);
        expect(res.status).toBe("ACCEPTED");
        if (res.status !== "ACCEPTED") return;
        expect(res.venue_order_id).toMatch(/^\d{19}$/);
        await until(() => r.of(o.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "FULL_FILL");
        const full = r.of(o.client_order_id).find((e) => e.kind === "FULL_FILL") as VenueEvent;
        expect(full.venue_order_id).toBe(res.venue_order_id);
        expect(full.filled_size_cumulative).toBe(0.01);
        expect(near(full.avg_price, h.price)).toBe(true);
        expect(near(full.fee_cumulative, 0.01 * h.price * h.feeRate, 1e-4)).toBe(true);
        const kinds = r.of(o.client_order_id).map((e) => e.kind);
        if (kinds.includes("ACK")) expect(kinds.indexOf("ACK")).toBeLessThan(kinds.indexOf("FULL_FILL"));
      },
    );

    run(
      "fills in three legs arrive as PARTIAL_FILLs with growing cumulative size, then one FULL_FILL",
      async (h, r) => {
        h.partialLegs(3);
        const o = order(h.asset, { size: 0.03 });
        expect((await h.adapter.submit(o)).status).toBe("ACCEPTED");
        await until(() => r.of(o.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "FULL_FILL");
        const fills = r.of(o.client_order_id).filter((e) => e.kind === "PARTIAL_FILL" || e.kind === "FULL_FILL");
        expect(fills.length).toBe(3);
        const cums = fills.map((e) => e.filled_size_cumulative);
        for (let i = 1; i < cums.length; i++) expect(cums[i] as number).toBeGreaterThan(cums[i - 1] as number);
        expect(cums[2]).toBe(0.03);
        const legSum = fills.reduce((s, e) => s + e.last_fill_size, 0);
        expect(near(legSum, 0.03)).toBe(true);
        const fees = fills.map((e) => e.fee_cumulative);
        for (let i = 1; i < fees.length; i++) expect(fees[i] as number).toBeGreaterThanOrEqual(fees[i - 1] as number);
        expect(near(fees[2] as number, 0.03 * h.price * h.feeRate, 1e-4)).toBe(true);
      },
    );

    run("a resting limit order stays working until cancelled, then CANCEL_ACK carries its final fill", async (h, r) => {
      const o = order(h.asset, { type: "LIMIT", price: Math.round(h.price * 0.9) });
      expect((await h.adapter.submit(o)).status).toBe("ACCEPTED");
      await until(() => r.of(o.client_order_id).some((e) => e.kind === "ACK"), 3000, "ACK");
      expect((await h.adapter.openOrders(h.asset)).map((s) => s.client_order_id)).toContain(o.client_order_id);
      expect((await h.adapter.cancel(h.asset, o.client_order_id)).status).toBe("REQUESTED");
      await until(() => r.of(o.client_order_id).some((e) => e.kind === "CANCEL_ACK"), 3000, "CANCEL_ACK");
      const ack = r.of(o.client_order_id).find((e) => e.kind === "CANCEL_ACK") as VenueEvent;
      expect(ack.filled_size_cumulative).toBe(0);
      expect((await h.adapter.queryOrder(h.asset, o.client_order_id))?.status).toBe("CANCELED");
    });

    run("a limit order fills once the price crosses it", async (h, r) => {
      const limit = Math.round(h.price * 0.99);
      const o = order(h.asset, { type: "LIMIT", price: limit });
      expect((await h.adapter.submit(o)).status).toBe("ACCEPTED");
      await until(() => r.of(o.client_order_id).some((e) => e.kind === "ACK"), 3000, "ACK");
      expect(r.of(o.client_order_id).some((e) => e.kind === "FULL_FILL")).toBe(false);
      h.setPrice(limit - 10);
      await until(() => r.of(o.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "FULL_FILL");
    });

    run("a refused cancel yields CANCEL_REJECT and the order keeps working", async (h, r) => {
      const o = order(h.asset, { type: "LIMIT", price: Math.round(h.price * 0.9) });
      expect((await h.adapter.submit(o)).status).toBe("ACCEPTED");
      await until(() => r.of(o.client_order_id).some((e) => e.kind === "ACK"), 3000, "ACK");
      h.cancelReject(true);
      const res = await h.adapter.cancel(h.asset, o.client_order_id);
      expect(res.status).toBe("REJECTED");
      if (res.status === "REJECTED") expect(res.event.kind).toBe("CANCEL_REJECT");
      expect((await h.adapter.queryOrder(h.asset, o.client_order_id))?.status).toBe("NEW");
    });

    run("cancelling a filled order is refused with CANCEL_REJECT", async (h, r) => {
      const o = order(h.asset);
      await h.adapter.submit(o);
      await until(() => r.of(o.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "FULL_FILL");
      const res = await h.adapter.cancel(h.asset, o.client_order_id);
      expect(res.status).toBe("REJECTED");
      if (res.status === "REJECTED") expect(res.event.kind).toBe("CANCEL_REJECT");
    });

    run("a venue refusal is a REJECT with reason VENUE and the venue's code, emitted and returned", async (h, r) => {
      const size = h.venueReject();
      const o = order(h.asset, { size });
      const res = await h.adapter.submit(o);
      expect(res.status).toBe("REJECTED");
      if (res.status !== "REJECTED") return;
      expect(res.event.kind).toBe("REJECT");
      expect(res.event.reject_reason).toBe("VENUE");
      expect(res.event.venue_code).toMatch(/^\d+$/);
      await until(() => r.of(o.client_order_id).some((e) => e.event_id === res.event.event_id), 3000, "emitted REJECT");
      expect(await h.adapter.queryOrder(h.asset, o.client_order_id)).toBeNull();
    });

    for (const hint of [true, false]) {
      run(
        `a rate limit ${hint ? "with" : "without"} a hint is a REJECT RATE_LIMITED ${hint ? "carrying" : "without"} retry_after_ms`,
        async (h) => {
          h.rateLimit(hint);
          const res = await h.adapter.submit(order(h.asset));
          expect(res.status).toBe("REJECTED");
          if (res.status !== "REJECTED") return;
          expect(res.event.reject_reason).toBe("RATE_LIMITED");
          if (hint) expect(res.event.retry_after_ms).toBeGreaterThanOrEqual(0);
          else expect(res.event.retry_after_ms).toBeUndefined();
        },
      );
    }

    for (const mode of ["duplicate", "reordered"] as const) {
      run(
        `${mode} delivery still converges: one event id, one fact; the cumulative fold reaches the order size`,
        async (h, r) => {
          if (mode === "duplicate") h.duplicates(true);
          else h.reorder(true);
          h.partialLegs(3);
          const o = order(h.asset, { size: 0.03 });
          expect((await h.adapter.submit(o)).status).toBe("ACCEPTED");
          await until(
            () => r.of(o.client_order_id).some((e) => e.filled_size_cumulative === 0.03),
            3000,
            "the full size",
          );
          await new Promise((res) => setTimeout(res, 50));
          const unique = dedupe(r.of(o.client_order_id));
          const fold = [...unique.values()].reduce((m, e) => Math.max(m, e.filled_size_cumulative), 0);
          expect(fold).toBe(0.03);
          const fills = [...unique.values()].filter((e) => e.kind === "PARTIAL_FILL" || e.kind === "FULL_FILL");
          expect(new Set(fills.map((e) => e.filled_size_cumulative)).size).toBe(fills.length);
          expect(fills.filter((e) => e.kind === "FULL_FILL").length).toBe(1);
        },
      );
    }

    run("positions and balance follow fills: open, then close back to flat", async (h, r) => {
      const before = await h.adapter.balance();
      const open = order(h.asset, { size: 0.02 });
      await h.adapter.submit(open);
      await until(() => r.of(open.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "open fill");
      const pos = (await h.adapter.positions(h.asset)).find((p) => p.side === "LONG");
      expect(pos?.size).toBe(0.02);
      expect(near(pos?.avg_price ?? 0, h.price)).toBe(true);
      const close = order(h.asset, { size: 0.02, side: "SELL", reduce_only: true });
      await h.adapter.submit(close);
      await until(() => r.of(close.client_order_id).some((e) => e.kind === "FULL_FILL"), 3000, "close fill");
      expect((await h.adapter.positions(h.asset)).filter((p) => p.side === "LONG")).toEqual([]);
      const after = await h.adapter.balance();
      const fees = 0.02 * (h.price + h.sellPrice) * h.feeRate;
      const spread = 0.02 * (h.price - h.sellPrice);
      expect(near(before.balance - after.balance, fees + spread, 1e-3)).toBe(true);
    });

    run(
      "a size below the contract minimum is refused locally with a LOCAL_RULE diagnostic saying why",
      async (h, r) => {
        const o = order(h.asset, { size: 0.00001 });
        const res = await h.adapter.submit(o);
        expect(res.status).toBe("REJECTED");
        if (res.status === "REJECTED") expect(res.event.venue_message).toContain("minimum");
        expect(r.diagnostics.some((d) => d.code === "LOCAL_RULE" && d.message.includes("minimum"))).toBe(true);
        expect(await h.adapter.queryOrder(h.asset, o.client_order_id)).toBeNull();
      },
    );

    run(
      "knownListed: once connected, the asset traded is listed and one the venue does not list is not; an order for that one is refused",
      async (h) => {
        expect(h.adapter.knownListed(h.asset)).toBe(true);
        expect(h.adapter.knownListed("XYZ-USDT")).toBe(false);
        const res = await h.adapter.submit(order("XYZ-USDT"));
        expect(res.status).toBe("REJECTED");
      },
    );

    run("an unknown client order id queries as null", async (h) => {
      expect(await h.adapter.queryOrder(h.asset, "never-placed-1")).toBeNull();
    });

    run(
      "leverageOf answers what setLeverage set, per side, and the venue's default (10) for a side never set",
      async (h) => {
        expect(await h.adapter.leverageOf(h.asset)).toEqual({ LONG: 10, SHORT: 10 });
        await h.adapter.setLeverage(h.asset, "SHORT", 7);
        expect(await h.adapter.leverageOf(h.asset)).toEqual({ LONG: 10, SHORT: 7 });
      },
    );

    run(
      "a leverage change is pushed to onLeverage with both sides; the same value set again pushes nothing",
      async (h) => {
        const pushed: VenueLeverage[] = [];
        const off = h.adapter.onLeverage((p) => pushed.push(p));
        await h.adapter.setLeverage(h.asset, "LONG", 4);
        await until(() => pushed.length > 0, 3000, "a leverage push");
        expect(pushed[0]).toMatchObject({ asset: h.asset, long: 4, short: 10, margin_mode: "cross" });
        expect(pushed[0]!.venue_time_ms).toBeGreaterThan(0);
        await h.adapter.setLeverage(h.asset, "LONG", 4);
        await Bun.sleep(50);
        expect(pushed.length).toBe(1);
        off();
      },
    );
  });
}
