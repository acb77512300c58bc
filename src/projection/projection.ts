/**
 * Projection: turns kernel outcomes into map writes and records and hands them to the outboxes.
 * Synchronous and non-blocking: `onOutcome` only builds small rows and enqueues them (O(transitions)).
 *
 * Rules (DESIGN.md §6):
 *  1. Only venue-confirmed state is projected. A slot row (and its ACTIVE_SLOTS entry) is written when
 *     a transition's trigger is a venue fact (VENUE_FACTS), never on the ENTER/EXIT/CANCEL intent. A
 *     mark re-publishes the last confirmed row with the new mark and unrealized PnL only.
 *  2. The account row is written after confirmed transitions and after inputs without transitions
 *     (marks, capital seeding); the control row whenever the snapshot version grows.
 *  3. Lifecycle rows (`_lifecycle.ts`) go to the trade_events table and the topic; diagnostics always
 *     go to dita_v2_diagnostics; transitions go to dita_v2_transitions only in DEBUG mode with
 *     debug_clickhouse_enabled.
 *  4. With mirror_to_hazelcast off, mirror-gated sinks (Hazelcast) get nothing; turning it back on
 *     re-publishes the last confirmed rows.
 */
import type { Clock } from "../contracts/clock.ts";
import type { ControlSnapshot } from "../contracts/control.ts";
import type { AccountRecord, DiagnosticRecord, SlotRecord, Stage, TransitionRecord, Trigger } from "../contracts/records.ts";
import { OpenedTrades, tradeEvent } from "./_lifecycle.ts";
import { CONTROL_KEY, PNL_KEY, namespaceNames, type NamespaceNames } from "./_names.ts";
import { accountRow, activeRow, controlRow, diagnosticRow, slotRow, transitionRow } from "./_rows.ts";
import { RECORD_KINDS, type Lazy, type RecordKind, type RecordRow, type Row } from "./_types.ts";
import type { Outbox } from "./outbox.ts";

export const VENUE_FACTS: ReadonlySet<Trigger> = new Set<Trigger>([
  "ACK", "PARTIAL_FILL", "FULL_FILL", "CANCEL_ACK", "CANCEL_REJECT", "REJECT",
  "RECONCILE", "RESTORE", "OVERFILL", "FOREIGN_ORDER", "MARK_STALE",
]);
const IDLE_STAGES: ReadonlySet<Stage> = new Set<Stage>(["IDLE", "CLOSED"]);
/** Slot ids as map keys, built once (the hot path allocates no strings). */
const SLOT_KEYS: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const slotKey = (id: number) => SLOT_KEYS[id] ?? String(id);

export interface OutcomeInput {
  transitions: readonly TransitionRecord[];
  diagnostics: readonly DiagnosticRecord[];
  slots: (id: number) => SlotRecord;
  /** Optional cheap read of the fields a mark changes (ExecutionKernel.slotMark); else `slots`. */
  marks?: (id: number) => SlotMark;
  account: AccountRecord;
  control: ControlSnapshot;
  journalSeq: number;
}

/** The slot fields a mark moves, plus the trade id that says it is still the same trade. */
export type SlotMark = Pick<SlotRecord, "trade_id" | "mark_price" | "unrealized_pnl" | "version" | "updated_at_ms">;

/** The last confirmed slot image, plus what marks changed since (never a chain of rows). */
interface SlotMemo {
  slot: SlotRecord;
  mark: { mark_price: number; unrealized_pnl: number; version: number; updated_at_ms: number } | null;
}

export class ProjectionCore {
  readonly names: NamespaceNames;
  private memo = new Map<number, SlotMemo>();
  private opened = new OpenedTrades();
  private accountVersion = -1;
  private lastAccount: AccountRecord | null = null;
  private lastUnrealized = Number.NaN;
  private control: ControlSnapshot | null = null;
  private mirror = true;
  private readonly byKind = new Map<RecordKind, Outbox[]>();
  private readonly mapOutboxes: Outbox[];

  /**
   * @param epoch this projection's epoch (its start time in ms): every map write carries it, and
   *   sinks order writes by (epoch, version), so a restarted process, whose kernel versions start
   *   again from 0, still replaces the rows of the process before it.
   */
  constructor(readonly strategy: string, private readonly clock: Clock, private readonly outboxes: readonly Outbox[], readonly epoch = 0) {
    this.names = namespaceNames(strategy);
    this.mapOutboxes = outboxes.filter((o) => o.sink.takesMaps);
    for (const k of RECORD_KINDS) this.byKind.set(k, outboxes.filter((o) => o.sink.takes(k)));
  }

  onOutcome(o: OutcomeInput): void {
    if (this.control === null || o.control.version > this.control.version) this.onControl(o.control);
    const debug = o.control.mode === "DEBUG" && o.control.debug_clickhouse_enabled;
    let confirmed = false;
    for (let i = 0; i < o.transitions.length; i++) {
      const t = o.transitions[i]!;
      const s = o.slots(t.slot_id);
      if (debug) this.record("transition", () => transitionRow(this.strategy, o.journalSeq, i, t, s));
      if (!VENUE_FACTS.has(t.trigger)) continue;
      confirmed = true;
      const ev = tradeEvent(this.strategy, o.journalSeq, t, s, o.account, this.memo.get(t.slot_id)?.slot.size, this.opened);
      if (ev !== null) {
        this.record("trade_event", ev);
        this.record("topic_event", ev);
      }
      this.projectSlot(s);
    }
    for (let i = 0; i < o.diagnostics.length; i++) {
      const d = o.diagnostics[i]!;
      this.record("diagnostic", () => diagnosticRow(this.strategy, o.journalSeq, i, d));
    }
    if (o.transitions.length === 0 && o.account.unrealized_pnl !== this.lastUnrealized) this.projectMarks(o.marks ?? o.slots);
    if ((confirmed || o.transitions.length === 0) && o.account.version > this.accountVersion) this.projectAccount(o.account);
  }

  onControl(c: ControlSnapshot): void {
    if (this.control !== null && c.version <= this.control.version) return;
    const wasMirroring = this.mirror;
    this.control = c;
    this.mirror = c.mirror_to_hazelcast;
    if (this.mirror && !wasMirroring) this.republish();
    this.putMap(this.names.control, CONTROL_KEY, controlRow(this.strategy, c), c.version);
  }

  private projectSlot(s: SlotRecord): void {
    const key = slotKey(s.slot_id);
    const strategy = this.strategy;
    this.putMap(this.names.state, key, () => slotRow(strategy, s), s.version);
    this.putMap(this.names.active, key, IDLE_STAGES.has(s.stage) ? null : () => activeRow(strategy, s), s.version);
    this.memo.set(s.slot_id, { slot: s, mark: null });
  }

  private memoRow(m: SlotMemo): () => Row {
    const strategy = this.strategy;
    return m.mark === null ? () => slotRow(strategy, m.slot) : () => ({ ...slotRow(strategy, m.slot), ...m.mark });
  }

  /** A mark changed unrealized PnL: re-publish confirmed rows of slots holding a position. */
  private projectMarks(slots: (id: number) => SlotMark): void {
    for (const [id, m] of this.memo) {
      const c = m.slot;
      if (c.size <= 0 || IDLE_STAGES.has(c.stage)) continue;
      const s = slots(id);
      const last = m.mark ?? c;
      if (s.trade_id !== c.trade_id || s.version <= last.version) continue;
      if (s.unrealized_pnl === last.unrealized_pnl && s.mark_price === last.mark_price) continue;
      const next: SlotMemo = { slot: c, mark: { mark_price: s.mark_price, unrealized_pnl: s.unrealized_pnl, version: s.version, updated_at_ms: s.updated_at_ms } };
      this.memo.set(id, next);
      this.putMap(this.names.state, slotKey(id), this.memoRow(next), s.version);
    }
  }

  private projectAccount(a: AccountRecord): void {
    this.accountVersion = a.version;
    this.lastAccount = a;
    this.lastUnrealized = a.unrealized_pnl;
    const strategy = this.strategy;
    const nowMs = this.clock.nowMs();
    this.putMap(this.names.pnl, PNL_KEY, () => accountRow(strategy, a, nowMs), a.version);
  }

  private republish(): void {
    for (const [id, m] of this.memo) {
      const version = m.mark?.version ?? m.slot.version;
      this.putMap(this.names.state, slotKey(id), this.memoRow(m), version);
      this.putMap(this.names.active, slotKey(id), IDLE_STAGES.has(m.slot.stage) ? null : activeRow(this.strategy, m.slot), m.slot.version);
    }
    if (this.lastAccount) this.putMap(this.names.pnl, PNL_KEY, accountRow(this.strategy, this.lastAccount, this.clock.nowMs()), this.lastAccount.version);
  }

  private putMap(map: string, key: string, value: Lazy<Row> | null, version: number): void {
    const epoch = this.epoch;
    for (const o of this.mapOutboxes) if (this.mirror || !o.sink.mirrorGated) o.putMap({ map, key, value, version, epoch });
  }

  private record(kind: RecordKind, row: Lazy<RecordRow>): void {
    const list = this.byKind.get(kind)!;
    for (const o of list) {
      if (!this.mirror && o.sink.mirrorGated) continue;
      o.push({ kind, row });
    }
  }
}
