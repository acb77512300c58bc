/**
 * Projector: the drain side of the projection. It receives the facts `ProjectionCore` captured, in
 * capture order, already decoded, and turns them into map writes and records for the outboxes,
 * keeping the state that needs: the last confirmed row per slot (plus what marks changed since),
 * the OPEN-announced trades, the last account, the control snapshot and the mirror switch.
 *
 * Rules (docs/architecture.md §7, README "What is projected"): slot rows and the active registry only for
 * venue-fact transitions; lifecycle rows from `lifecycle.ts`; a mark re-publishes the last
 * confirmed row with the mark's fields only; mirror-gated sinks (Hazelcast) get nothing while
 * mirror_to_hazelcast is off, and the last confirmed rows again when it comes back on.
 */
import type { Clock } from "../contracts/clock.ts";
import type { ControlSnapshot } from "../contracts/control.ts";
import type { AccountRecord, DiagnosticRecord, SlotRecord, Stage, TransitionRecord } from "../contracts/records.ts";
import { accountRow, activeRow, controlRow, diagnosticRow, slotRow, transitionRow } from "./_rows.ts";
import { OpenedTrades, tradeEvent } from "./lifecycle.ts";
import { CONTROL_KEY, type NamespaceNames, PNL_KEY } from "./names.ts";
import type { Outbox } from "./outbox.ts";
import { type Lazy, RECORD_KINDS, type RecordKind, type RecordRow, type Row } from "./types.ts";

/** The slot fields a mark moves, plus the trade id that says it is still the same trade. */
export type SlotMark = Pick<SlotRecord, "trade_id" | "mark_price" | "unrealized_pnl" | "version" | "updated_at_ms">;

const IDLE_STAGES: ReadonlySet<Stage> = new Set<Stage>(["IDLE", "CLOSED"]);
/** Slot ids as map keys, built once. */
const SLOT_KEYS: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const slotKey = (id: number) => SLOT_KEYS[id] ?? String(id);

/** The last confirmed slot image, plus what marks changed since (never a chain of rows). */
interface SlotMemo {
  slot: SlotRecord;
  mark: { mark_price: number; unrealized_pnl: number; version: number; updated_at_ms: number } | null;
}

export class Projector {
  private memo = new Map<number, SlotMemo>();
  private opened = new OpenedTrades();
  private lastAccount: AccountRecord | null = null;
  private mirror = true;
  private readonly byKind = new Map<RecordKind, Outbox[]>();
  private readonly mapOutboxes: Outbox[];

  constructor(
    private readonly strategy: string,
    private readonly names: NamespaceNames,
    private readonly clock: Clock,
    outboxes: readonly Outbox[],
    private readonly epoch: number,
  ) {
    this.mapOutboxes = outboxes.filter((o) => o.sink.takesMaps);
    for (const k of RECORD_KINDS)
      this.byKind.set(
        k,
        outboxes.filter((o) => o.sink.takes(k)),
      );
  }

  /** One kernel transition; `s` is its slot after the whole input, `a` the account after it. */
  transition(
    seq: number,
    i: number,
    t: TransitionRecord,
    s: SlotRecord,
    a: AccountRecord,
    debug: boolean,
    confirmed: boolean,
  ): void {
    if (debug) this.record("transition", transitionRow(this.strategy, seq, i, t, s));
    if (!confirmed) return;
    const ev = tradeEvent(this.strategy, seq, t, s, a, this.memo.get(t.slot_id)?.slot.size, this.opened);
    if (ev !== null) {
      this.record("trade_event", ev);
      this.record("topic_event", ev);
    }
    const key = slotKey(s.slot_id);
    const strategy = this.strategy;
    this.putMap(this.names.state, key, () => slotRow(strategy, s), s.version);
    this.putMap(this.names.active, key, IDLE_STAGES.has(s.stage) ? null : () => activeRow(strategy, s), s.version);
    this.memo.set(s.slot_id, { slot: s, mark: null });
  }

  diagnostic(seq: number, i: number, d: DiagnosticRecord): void {
    this.record("diagnostic", diagnosticRow(this.strategy, seq, i, d));
  }

  /** A mark moved unrealized PnL: re-publish slot `id`'s confirmed row with the mark's fields. */
  mark(id: number, s: SlotMark): void {
    const m = this.memo.get(id);
    if (m === undefined) return;
    const c = m.slot;
    if (c.size <= 0 || IDLE_STAGES.has(c.stage)) return;
    const last = m.mark ?? c;
    if (s.trade_id !== c.trade_id || s.version <= last.version) return;
    if (s.unrealized_pnl === last.unrealized_pnl && s.mark_price === last.mark_price) return;
    const next: SlotMemo = {
      slot: c,
      mark: {
        mark_price: s.mark_price,
        unrealized_pnl: s.unrealized_pnl,
        version: s.version,
        updated_at_ms: s.updated_at_ms,
      },
    };
    this.memo.set(id, next);
    this.putMap(this.names.state, slotKey(id), this.memoRow(next), s.version);
  }

  /** The account row, stamped with the time the outcome was captured. */
  account(a: AccountRecord, nowMs: number): void {
    this.lastAccount = a;
    const strategy = this.strategy;
    this.putMap(this.names.pnl, PNL_KEY, () => accountRow(strategy, a, nowMs), a.version);
  }

  control(c: ControlSnapshot): void {
    const wasMirroring = this.mirror;
    this.mirror = c.mirror_to_hazelcast;
    if (this.mirror && !wasMirroring) this.republish();
    this.putMap(this.names.control, CONTROL_KEY, controlRow(this.strategy, c), c.version);
  }

  private memoRow(m: SlotMemo): () => Row {
    const strategy = this.strategy;
    return m.mark === null ? () => slotRow(strategy, m.slot) : () => ({ ...slotRow(strategy, m.slot), ...m.mark });
  }

  private republish(): void {
    for (const [id, m] of this.memo) {
      const version = m.mark?.version ?? m.slot.version;
      this.putMap(this.names.state, slotKey(id), this.memoRow(m), version);
      this.putMap(
        this.names.active,
        slotKey(id),
        IDLE_STAGES.has(m.slot.stage) ? null : activeRow(this.strategy, m.slot),
        m.slot.version,
      );
    }
    if (this.lastAccount)
      this.putMap(
        this.names.pnl,
        PNL_KEY,
        accountRow(this.strategy, this.lastAccount, this.clock.nowMs()),
        this.lastAccount.version,
      );
  }

  private putMap(map: string, key: string, value: Lazy<Row> | null, version: number): void {
    const epoch = this.epoch;
    for (const o of this.mapOutboxes)
      if (this.mirror || !o.sink.mirrorGated) o.putMap({ map, key, value, version, epoch });
  }

  private record(kind: RecordKind, row: RecordRow): void {
    const list = this.byKind.get(kind)!;
    for (const o of list) {
      if (!this.mirror && o.sink.mirrorGated) continue;
      o.push({ kind, row });
    }
  }
}
