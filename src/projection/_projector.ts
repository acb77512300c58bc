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
 *
 * The whole image (`resync`): every slot row this projection holds (seeded at start by `image` with
 * every non-idle slot, then the last confirmed row of each), the active registry, the account and
 * the control row, written again into one map sink that lost them (a Hazelcast member restarted
 * empty). A projector without map outboxes (a journal replay, `replay.ts`) only builds records;
 * while `quiet` it builds none (a replay's prefix that was already projected only sets the memo).
 *
 * A record row whose builder throws (an unexpected kernel record: a BigInt in a diagnostic's details)
 * is lost alone: every outbox that would have taken it reports it (SPOOL_FULL, `row_failed`) and stops
 * the projected mark (`Outbox.rowsFailed`); the drain goes on with the next fact.
 */
import type { Clock } from "../contracts/clock.ts";
import type { ControlSnapshot } from "../contracts/control.ts";
import type { AccountRecord, DiagnosticRecord, SlotRecord, Stage, TransitionRecord } from "../contracts/records.ts";
import { accountRow, activeRow, controlChangeRow, controlRow, diagnosticRow, slotRow, transitionRow } from "./_rows.ts";
import { OpenedTrades, tradeEvent } from "./lifecycle.ts";
import { CONTROL_KEY, type NamespaceNames, PNL_KEY } from "./names.ts";
import type { Outbox } from "./outbox.ts";
import {
  errorText,
  type Lazy,
  RECORD_KINDS,
  type RecordKind,
  type RecordRow,
  type Row,
  type SlotMark,
} from "./types.ts";

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
  /** True while a replay walks inputs whose records were already projected: memo only, no record. */
  quiet = false;
  private memo = new Map<number, SlotMemo>();
  private opened = new OpenedTrades();
  private lastAccount: AccountRecord | null = null;
  private lastControl: ControlSnapshot | null = null;
  private mirror = true;
  private readonly byKind = new Map<RecordKind, Outbox[]>();
  private readonly mapOutboxes: Outbox[];

  /** `maps` false: records only (a journal replay never touches the maps, which hold the live run's state). */
  constructor(
    private readonly strategy: string,
    private readonly run: string,
    private readonly names: NamespaceNames,
    private readonly clock: Clock,
    outboxes: readonly Outbox[],
    private readonly epoch: number,
    maps = true,
  ) {
    this.mapOutboxes = maps ? outboxes.filter((o) => o.sink.takesMaps) : [];
    for (const k of RECORD_KINDS)
      this.byKind.set(
        k,
        outboxes.filter((o) => o.sink.takes(k)),
      );
  }

  /** The k-th transition of input `seq`; `s` is its slot after the whole input, `a` the account after it. */
  transition(
    seq: number,
    k: number,
    t: TransitionRecord,
    s: SlotRecord,
    a: AccountRecord,
    debug: boolean,
    confirmed: boolean,
  ): void {
    if (debug && !this.quiet)
      try {
        this.record("transition", transitionRow(this.strategy, this.run, seq, k, t, s));
      } catch (e) {
        this.lost(["transition"], `transition row ${this.strategy}:${this.run}:${seq}:T${k}`, e);
      }
    if (!confirmed) return;
    let ev: ReturnType<typeof tradeEvent> = null;
    try {
      ev = tradeEvent(this.strategy, this.run, seq, t, s, a, this.memo.get(t.slot_id)?.slot.size, this.opened);
    } catch (e) {
      if (!this.quiet) this.lost(["trade_event", "topic_event"], `trade event of input ${seq} (slot ${t.slot_id})`, e);
    }
    if (ev !== null && !this.quiet) {
      this.record("trade_event", ev);
      this.record("topic_event", ev);
    }
    const key = slotKey(s.slot_id);
    const strategy = this.strategy;
    this.putMap(this.names.state, key, () => slotRow(strategy, s), s.version);
    this.putMap(this.names.active, key, IDLE_STAGES.has(s.stage) ? null : () => activeRow(strategy, s), s.version);
    this.memo.set(s.slot_id, { slot: s, mark: null });
  }

  /** The k-th diagnostic of input `seq`, or (`launcher` ≥ 0) the launcher's n-th own diagnostic. */
  diagnostic(seq: number, k: number, d: DiagnosticRecord, launcher = -1): void {
    if (this.quiet) return;
    try {
      this.record("diagnostic", diagnosticRow(this.strategy, this.run, seq, k, d, launcher));
    } catch (e) {
      const id = `${this.strategy}:${this.run}:${launcher >= 0 ? `L${launcher}` : `${seq}:D${k}`}`;
      this.lost(["diagnostic"], `diagnostic row ${id}`, e);
    }
  }

  /**
   * The whole confirmed image at start (after recovery): every non-idle slot becomes the memo and its
   * rows; an idle slot's rows are deleted (a previous run may have left one); the account row.
   */
  image(slots: readonly SlotRecord[], a: AccountRecord, nowMs: number): void {
    for (const s of slots) {
      if (s.stage === "IDLE") {
        this.memo.delete(s.slot_id);
        this.putMap(this.names.state, slotKey(s.slot_id), null, s.version);
        this.putMap(this.names.active, slotKey(s.slot_id), null, s.version);
      } else {
        const m: SlotMemo = { slot: s, mark: null };
        this.memo.set(s.slot_id, m);
        this.putMap(this.names.state, slotKey(s.slot_id), this.memoRow(m), s.version);
        this.putMap(this.names.active, slotKey(s.slot_id), this.activeOf(m), s.version);
      }
    }
    this.account(a, nowMs);
  }

  /** A replayed slot restore: the slot is the last confirmed state of its slot (memo only, no row, no write). */
  seed(s: SlotRecord): void {
    if (s.stage === "IDLE") this.memo.delete(s.slot_id);
    else this.memo.set(s.slot_id, { slot: s, mark: null });
  }

  /**
   * Writes the whole image again into `outbox` (which lost it): every slot row held, the active
   * registry, the account and the control row. Returns the writes queued (0 while the mirror is off
   * for a mirror-gated sink: switching it on republishes anyway).
   */
  resync(outbox: Outbox): number {
    if (!this.mirror && outbox.sink.mirrorGated) return 0;
    const epoch = this.epoch;
    const put = (map: string, key: string, value: Lazy<Row> | null, version: number) =>
      outbox.putMap({ map, key, value, version, epoch });
    for (const [id, m] of this.memo) {
      put(this.names.state, slotKey(id), this.memoRow(m), m.mark?.version ?? m.slot.version);
      put(this.names.active, slotKey(id), this.activeOf(m), m.slot.version);
    }
    const strategy = this.strategy;
    const a = this.lastAccount;
    if (a !== null) put(this.names.pnl, PNL_KEY, accountRow(strategy, a, this.clock.nowMs()), a.version);
    const c = this.lastControl;
    if (c !== null) put(this.names.control, CONTROL_KEY, controlRow(strategy, c), c.version);
    return 2 * this.memo.size + (a !== null ? 1 : 0) + (c !== null ? 1 : 0);
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
    this.lastControl = c;
    const wasMirroring = this.mirror;
    this.mirror = c.mirror_to_hazelcast;
    if (this.mirror && !wasMirroring) this.republish();
    this.putMap(this.names.control, CONTROL_KEY, controlRow(this.strategy, c), c.version);
    if (this.quiet) return;
    try {
      this.record("control_change", controlChangeRow(this.strategy, this.run, c));
    } catch (e) {
      this.lost(["control_change"], `control_change row ${this.strategy}:${this.run}:C${c.version}`, e);
    }
  }

  private memoRow(m: SlotMemo): () => Row {
    const strategy = this.strategy;
    return m.mark === null ? () => slotRow(strategy, m.slot) : () => ({ ...slotRow(strategy, m.slot), ...m.mark });
  }

  private activeOf(m: SlotMemo): Row | null {
    return IDLE_STAGES.has(m.slot.stage) ? null : activeRow(this.strategy, m.slot);
  }

  private republish(): void {
    for (const [id, m] of this.memo) {
      const version = m.mark?.version ?? m.slot.version;
      this.putMap(this.names.state, slotKey(id), this.memoRow(m), version);
      this.putMap(this.names.active, slotKey(id), this.activeOf(m), m.slot.version);
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

  /** A record row that could not be built: each outbox that would have taken it reports it lost. */
  private lost(kinds: readonly RecordKind[], what: string, e: unknown): void {
    const error = errorText(e);
    const outboxes = new Set(kinds.flatMap((k) => this.byKind.get(k)!));
    for (const o of outboxes) {
      if (!this.mirror && o.sink.mirrorGated) continue;
      const failed = kinds.filter((k) => o.sink.takes(k)).map((kind) => ({ kind, what, error }));
      o.rowsFailed({ kept: [], failed });
    }
  }

  private record(kind: RecordKind, row: RecordRow): void {
    const list = this.byKind.get(kind)!;
    for (const o of list) {
      if (!this.mirror && o.sink.mirrorGated) continue;
      o.push({ kind, row });
    }
  }
}
