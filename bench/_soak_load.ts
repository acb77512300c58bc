/**
 * The soak's load on a running `dita-v2 serve` (bench/soak.ts): a mark feed and one trader per
 * slot, both over HTTP `POST /intents`, both surviving restarts of the service (a refused
 * connection is counted as an error and retried on the next tick, never fatal).
 *
 *  - `MarkFeed`: MARK_PRICE intents at `hz` per second in total, round-robin over the symbols
 *    (a seeded random walk per symbol), sent in ticks of one intent per symbol. A tick is skipped,
 *    and counted, while more than `inflightMax` requests are still unanswered (the service is
 *    down or behind), so a restart never piles up thousands of sockets.
 *  - `Traders`: per slot, forever: read the slot; IDLE or CLOSED → ENTER a market order on the
 *    slot's symbol; POSITION_OPEN held `holdMs` → EXIT its whole size; anything else → wait.
 *    Whatever a restart leaves, the next read decides what to do.
 *
 * Every intent's HTTP round trip (send to answer) is recorded in `Latencies`, per kind.
 *
 * Entry points: `Target`, `Latencies`, `MarkFeed`, `Traders`, `SOAK_SYMBOLS` (the 5 symbols bingx-sim
 * knows and 15 with generic rules), `SOAK_TRADES` (one per slot).
 */

import { Rng } from "../src/contracts/rng.ts";

/** Where the service answers now (changes at every restart). */
export interface Target {
  url: string;
  token: string;
}

/** Round trips (ms) and errors since the last `take()`, per kind ("mark", "trade"). */
export class Latencies {
  private ms = new Map<string, number[]>();
  private errors = new Map<string, number>();
  skipped = 0;

  add(kind: string, ms: number): void {
    const list = this.ms.get(kind) ?? [];
    list.push(ms);
    this.ms.set(kind, list);
  }

  error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  take(): { ms: Map<string, number[]>; errors: Map<string, number>; skipped: number } {
    const out = { ms: this.ms, errors: this.errors, skipped: this.skipped };
    this.ms = new Map();
    this.errors = new Map();
    this.skipped = 0;
    return out;
  }
}

async function post(t: Target, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t.url}/intents`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${t.token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

export class MarkFeed {
  private inflight = 0;
  private readonly prices: number[];
  private readonly rng = new Rng(20_261_205);
  sent = 0;

  constructor(
    private readonly target: () => Target | null,
    private readonly symbols: ReadonlyArray<readonly [string, number]>,
    private readonly lat: Latencies,
    private readonly hz = 1000,
    private readonly inflightMax = 100,
  ) {
    this.prices = symbols.map(([, p]) => p);
  }

  /** Runs until `stop.aborted`: one intent per symbol every symbols/hz seconds, on schedule. */
  async run(stop: AbortSignal): Promise<void> {
    const tickNs = (this.symbols.length / this.hz) * 1e9;
    let due = Bun.nanoseconds();
    while (!stop.aborted) {
      due += tickNs;
      const t = this.target();
      if (t === null || this.inflight > this.inflightMax) this.lat.skipped += this.symbols.length;
      else for (let i = 0; i < this.symbols.length; i++) this.send(t, i);
      const wait = (due - Bun.nanoseconds()) / 1e6;
      if (wait > 0) await Bun.sleep(wait);
      else if (wait < -1000) due = Bun.nanoseconds(); // fell behind by a second: do not burst to catch up
    }
  }

  private send(t: Target, i: number): void {
    const walk = 1 + (this.rng.next() - 0.5) * 2e-4;
    this.prices[i] = this.prices[i]! * walk;
    const [asset] = this.symbols[i]!;
    const body = { type: "MARK_PRICE", asset, price: Number(this.prices[i]!.toPrecision(8)) };
    const t0 = Bun.nanoseconds();
    this.inflight++;
    this.sent++;
    post(t, body)
      .then((r) => (r.status === 200 ? this.lat.add("mark", (Bun.nanoseconds() - t0) / 1e6) : this.lat.error("mark")))
      .catch(() => this.lat.error("mark"))
      .finally(() => this.inflight--);
  }
}

export interface TradeSpec {
  asset: string;
  size: number;
}

export class Traders {
  trades = 0;
  private n = 0;

  constructor(
    private readonly target: () => Target | null,
    private readonly specs: readonly TradeSpec[],
    private readonly lat: Latencies,
    private readonly holdMs = 3_000,
  ) {}

  async run(stop: AbortSignal): Promise<void> {
    await Promise.all(this.specs.map((spec, slot) => this.slot(slot, spec, stop)));
  }

  private async slot(slot: number, spec: TradeSpec, stop: AbortSignal): Promise<void> {
    let openSince = -1;
    while (!stop.aborted) {
      await Bun.sleep(250);
      const t = this.target();
      if (t === null) continue;
      let stage: string;
      let size = 0;
      try {
        const res = await fetch(`${t.url}/slots/${slot}`, { headers: { Authorization: `Bearer ${t.token}` } });
        const s = (await res.json()) as { stage: string; size: number };
        stage = s.stage;
        size = s.size;
      } catch {
        continue; // down (a restart): the next read decides
      }
      if (stage === "IDLE" || stage === "CLOSED") {
        openSince = -1;
        const side = this.n % 2 ? "SHORT" : "LONG";
        const trade = `SK${slot}-${++this.n}`;
        await this.intent(t, {
          type: "ENTER",
          slot_id: slot,
          trade_id: trade,
          asset: spec.asset,
          side,
          size: spec.size,
          leverage: 2,
        });
      } else if (stage === "POSITION_OPEN") {
        const now = Bun.nanoseconds() / 1e6;
        if (openSince < 0) openSince = now;
        if (now - openSince < this.holdMs || size <= 0) continue;
        if (await this.intent(t, { type: "EXIT", slot_id: slot, size, price: null, reason: "SIGNAL" })) this.trades++;
        openSince = -1;
      }
    }
  }

  private async intent(t: Target, body: Record<string, unknown>): Promise<boolean> {
    const t0 = Bun.nanoseconds();
    try {
      const r = await post(t, body);
      if (r.status !== 200) {
        this.lat.error("trade");
        return false;
      }
      this.lat.add("trade", (Bun.nanoseconds() - t0) / 1e6);
      return true;
    } catch {
      this.lat.error("trade");
      return false;
    }
  }
}

const KNOWN: Array<[string, number]> = [
  ["BTC-USDT", 65000],
  ["ETH-USDT", 3200],
  ["SOL-USDT", 150],
  ["DOGE-USDT", 0.15],
  ["TRX-USDT", 0.25],
];
const EXTRA = [
  "ADA",
  "XRP",
  "LTC",
  "DOT",
  "LINK",
  "AVAX",
  "ATOM",
  "NEAR",
  "APT",
  "ARB",
  "OP",
  "SUI",
  "FIL",
  "UNI",
  "BCH",
];
/** 20 symbols and start prices: the sim lists them all (`--prices`), the marks walk from them. */
export const SOAK_SYMBOLS: Array<[string, number]> = [
  ...KNOWN,
  ...EXTRA.map((s, i): [string, number] => [`${s}-USDT`, 1 + i * 3.5]),
];
/** One trade shape per slot: notional ~65–75 USDT at leverage 2, above every minimum. */
export const SOAK_TRADES: TradeSpec[] = [
  { asset: "BTC-USDT", size: 0.001 },
  { asset: "ETH-USDT", size: 0.02 },
  { asset: "SOL-USDT", size: 0.5 },
  { asset: "DOGE-USDT", size: 500 },
  { asset: "TRX-USDT", size: 300 },
  { asset: "BTC-USDT", size: 0.002 },
  { asset: "ETH-USDT", size: 0.03 },
  { asset: "SOL-USDT", size: 0.4 },
];
