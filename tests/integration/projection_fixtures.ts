/**
 * Hand-built kernel outcomes for projection tests, following kernel/README.md semantics (cumulative
 * fills, exit legs, settlement once at CLOSED, marks without transitions, version +1 per change).
 * `TradeScript` plays the kernel: each method mutates its slot/account copies and returns the
 * OutcomeInput the binding would hand to `projection.onOutcome`. Not a test file.
 */
import type { ControlSnapshot } from "../../src/contracts/control.ts";
import { RISK_LIMITS_OFF } from "../../src/contracts/control.ts";
import type { AccountRecord, OrderRecord, Side, SlotRecord, Stage, Trigger } from "../../src/contracts/records.ts";
import type { OutcomeInput } from "../../src/projection/index.ts";

export const T0 = 1_700_000_000_000;

export function idleSlot(id: number): SlotRecord {
  return {
    slot_id: id,
    stage: "IDLE",
    trade_id: "",
    asset: "",
    side: null,
    entry_price: 0,
    size: 0,
    leverage: 1,
    is_open: false,
    leg: 0,
    realized_pnl: 0,
    unrealized_pnl: 0,
    mark_price: 0,
    fees: 0,
    exit_reason: null,
    stale_reason: null,
    entry_order: null,
    exit_order: null,
    version: 0,
    updated_at_ms: 0,
  };
}

export function control(over: Partial<ControlSnapshot> = {}): ControlSnapshot {
  return {
    version: 1,
    mode: "NORMAL",
    verbosity: "QUIET",
    backend: "MOCK",
    debug_clickhouse_enabled: false,
    trace_transitions: false,
    mirror_to_hazelcast: true,
    reconcile_on_restart: true,
    active_slot_limit: 8,
    trading_state: "ACTIVE",
    ...RISK_LIMITS_OFF,
    updated_at_ms: T0,
    ...over,
  };
}

function order(trade: string, role: "ENTRY" | "EXIT", side: Side, leg: number, size: number, now: number): OrderRecord {
  const buy = (side === "LONG") === (role === "ENTRY");
  return {
    trade_id: trade,
    venue_order_id: "",
    client_order_id: role === "ENTRY" ? `${trade}-E` : `${trade}-X${leg}`,
    role,
    side: buy ? "BUY" : "SELL",
    order_type: "MARKET",
    status: "PENDING_SUBMIT",
    leg,
    intended_size: size,
    filled_size: 0,
    avg_fill_price: 0,
    limit_price: null,
    fee: 0,
    hung: false,
    created_at_ms: now,
    last_update_ms: now,
  };
}

export class TradeScript {
  readonly slots = new Map<number, SlotRecord>();
  account: AccountRecord = {
    capital: 10_000,
    peak_capital: 10_000,
    drawdown: 0,
    drawdown_ratio: 0,
    fees_paid: 0,
    realized_pnl_total: 0,
    unrealized_pnl: 0,
    equity: 10_000,
    trade_seq: 0,
    version: 1,
    seeded: true,
  };
  ctl: ControlSnapshot = control();
  seq = 0;
  now = T0;
  private legBase = new Map<number, { before: number; realized: number; fees: number }>();

  slot(id: number): SlotRecord {
    return this.slots.get(id) ?? idleSlot(id);
  }

  enter(id: number, trade: string, size: number, side: Side = "LONG", asset = "BTC-USDT", leverage = 5): OutcomeInput {
    return this.step(id, "ENTER", "ENTRY_WORKING", (s) => {
      Object.assign(s, { ...idleSlot(id), trade_id: trade, asset, side, leverage, version: s.version });
      s.entry_order = order(trade, "ENTRY", side, 0, size, this.now);
    });
  }

  ack(id: number, venueId: string): OutcomeInput {
    const s = this.slot(id);
    return this.step(id, "ACK", s.stage, (x) => {
      const o = (x.stage === "EXIT_WORKING" ? x.exit_order : x.entry_order)!;
      Object.assign(o, {
        venue_order_id: venueId,
        status: o.filled_size > 0 ? o.status : "ACKED",
        last_update_ms: this.now,
      });
    });
  }

  /** A cumulative fill of the working order (entry or exit). */
  fill(id: number, cum: number, px: number, fee: number, full: boolean): OutcomeInput {
    const s = this.slot(id);
    if (s.stage === "ENTRY_WORKING") {
      return this.step(id, full ? "FULL_FILL" : "PARTIAL_FILL", full ? "POSITION_OPEN" : "ENTRY_WORKING", (x) => {
        Object.assign(x.entry_order!, {
          filled_size: cum,
          avg_fill_price: px,
          fee,
          status: full ? "FILLED" : "PARTIALLY_FILLED",
          last_update_ms: this.now,
        });
        Object.assign(x, { size: cum, entry_price: px, fees: fee, is_open: true });
      });
    }
    const base = this.legBase.get(id)!;
    const dir = s.side === "LONG" ? 1 : -1;
    const left = base.before - cum;
    const to: Stage = !full ? "EXIT_WORKING" : left > 0 ? "POSITION_OPEN" : "CLOSED";
    return this.step(id, full ? "FULL_FILL" : "PARTIAL_FILL", to, (x) => {
      Object.assign(x.exit_order!, {
        filled_size: cum,
        avg_fill_price: px,
        fee,
        status: full ? "FILLED" : "PARTIALLY_FILLED",
        last_update_ms: this.now,
      });
      x.size = left;
      x.realized_pnl = base.realized + cum * (px - x.entry_price) * dir;
      x.fees = base.fees + fee;
      if (to === "CLOSED") this.settle(x);
      if (to === "CLOSED") Object.assign(x, { is_open: false, unrealized_pnl: 0 });
    });
  }

  exit(id: number, size: number, reason: "SIGNAL" | "TP" | "SL" | "MANUAL" = "TP"): OutcomeInput {
    const s = this.slot(id);
    this.legBase.set(id, { before: s.size, realized: s.realized_pnl, fees: s.fees });
    return this.step(id, "EXIT", "EXIT_WORKING", (x) => {
      x.leg += 1;
      x.exit_reason = reason;
      x.exit_order = order(x.trade_id, "EXIT", x.side!, x.leg, size, this.now);
    });
  }

  reject(id: number): OutcomeInput {
    const s = this.slot(id);
    return this.step(id, "REJECT", s.stage === "ENTRY_WORKING" ? "IDLE" : "POSITION_OPEN", (x) => {
      const o = (s.stage === "ENTRY_WORKING" ? x.entry_order : x.exit_order)!;
      o.status = "REJECTED";
    });
  }

  mark(asset: string, px: number): OutcomeInput {
    this.now += 1;
    this.seq += 1;
    let unrealized = 0;
    for (const [id, s] of this.slots) {
      if (s.asset !== asset || s.size <= 0 || s.stage === "CLOSED") continue;
      const dir = s.side === "LONG" ? 1 : -1;
      this.slots.set(id, {
        ...s,
        mark_price: px,
        unrealized_pnl: s.size * (px - s.entry_price) * dir,
        version: s.version + 1,
        updated_at_ms: this.now,
      });
    }
    for (const s of this.slots.values()) unrealized += s.unrealized_pnl;
    this.account = {
      ...this.account,
      unrealized_pnl: unrealized,
      equity: this.account.capital + unrealized,
      version: this.account.version + 1,
    };
    return this.outcome([]);
  }

  private settle(x: SlotRecord): void {
    const a = this.account;
    const capital = a.capital + x.realized_pnl - x.fees;
    this.account = {
      ...a,
      capital,
      peak_capital: Math.max(a.peak_capital, capital),
      fees_paid: a.fees_paid + x.fees,
      realized_pnl_total: a.realized_pnl_total + x.realized_pnl,
      trade_seq: a.trade_seq + 1,
      unrealized_pnl: 0,
      equity: capital,
      version: a.version + 1,
    };
  }

  private step(id: number, trigger: Trigger, to: Stage, mutate: (s: SlotRecord) => void): OutcomeInput {
    this.now += 1;
    this.seq += 1;
    const before = this.slot(id);
    const s: SlotRecord = structuredClone(before);
    mutate(s);
    s.stage = to;
    s.version = before.version + 1;
    s.updated_at_ms = this.now;
    this.slots.set(id, s);
    return this.outcome([
      { input_index: 0, slot_id: id, from: before.stage, to, trigger, row: 1, version: s.version, now_ms: this.now },
    ]);
  }

  private outcome(transitions: OutcomeInput["transitions"]): OutcomeInput {
    const snap = new Map([...this.slots].map(([k, v]) => [k, structuredClone(v)]));
    return {
      transitions,
      diagnostics: [],
      slots: (i) => snap.get(i) ?? idleSlot(i),
      account: { ...this.account },
      control: this.ctl,
      journalSeq: this.seq,
    };
  }
}

/** First half of a trade on slot `id`: enter 2, ack, two entry fills, a mark, exit leg 1 (size 1) requested. */
export function openTrade(k: TradeScript, id: number, trade: string): OutcomeInput[] {
  return [
    k.enter(id, trade, 2),
    k.ack(id, `V-${trade}-E`),
    k.fill(id, 1, 100, 0.05, false),
    k.fill(id, 2, 101, 0.1, true),
    k.mark("BTC-USDT", 105),
    k.exit(id, 1, "TP"),
  ];
}

/** Second half: leg 1 acked and filled (1 left), leg 2 requested, acked, filled in two parts: CLOSED. */
export function finishTrade(k: TradeScript, id: number, trade: string): OutcomeInput[] {
  return [
    k.ack(id, `V-${trade}-X1`),
    k.fill(id, 1, 110, 0.05, true),
    k.exit(id, 1, "SL"),
    k.ack(id, `V-${trade}-X2`),
    k.fill(id, 0.5, 98, 0.02, false),
    k.fill(id, 1, 99, 0.04, true),
  ];
}

/** A whole trade on slot `id` (12 outcomes): realized PnL 7, fees 0.19, events OPEN, PX1:1, PX2:0.5, CLOSE. */
export function wholeTrade(k: TradeScript, id: number, trade: string): OutcomeInput[] {
  return [...openTrade(k, id, trade), ...finishTrade(k, id, trade)];
}
