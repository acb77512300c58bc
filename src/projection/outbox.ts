/**
 * Outbox: the buffer between the synchronous projection calls and one sink: `putMap` and `push` are O(1) and
 * return at once; a background loop does all I/O. Design ("always spool, then acknowledge"): every `delayMs` the
 * loop appends the records queued in memory to the sink's spool in one write, sends up to `batchMax` records read
 * back from it and acknowledges the prefix the sink accepted. One path serves up, down and restart: order is the
 * spool's, an outage only grows the spool, the next process finds the unacknowledged records in the file. A SIGKILL
 * loses only those queued in memory for less than `delayMs` (the journal regenerates them, same row ids). The local
 * sink is its own spool (`sink.store`: appended at each spill); a callback sink gets them from memory. A record the spool refuses (full, failed write; without a spool,
 * `memMax` held: SPOOL_FULL `cap`) counts in `records_refused` and `spooledAll` stays false from then on: the
 * projected mark stops (mark.ts). So does a row that cannot be built or encoded (`_row_guard.ts`): dropped alone
 * and reported (SPOOL_FULL, `row_failed`); a bad map row too (no mark: maps are not spooled). Map writes are
 * coalesced to the latest (epoch, version) per key (`_map_queue.ts`), kept in memory (the start image rebuilds
 * them). Failures back off. Image loss: a map sink that can lose what it holds (`sink.imageLost`, Hazelcast) is
 * checked every `imageCheckMs` and at once after a reconnect; if gone, `resyncWith` queues the whole current image
 * again (SINK_RESYNC). A sink whose failed map call may still land later (`sink.lateMapWrites`, Hazelcast: a put
 * landing after the newer delete of its key would bring the row back for good) gets the newest write of every key
 * of a failed batch again at each check, until `mapRecheckMs` after it came back (`_map_recheck.ts`).
 */
import type { Clock } from "../contracts/clock.ts";
import type { Severity } from "../contracts/records.ts";
import { MapQueue } from "./_map_queue.ts";
import * as rows from "./_row_guard.ts";
import type { Spool } from "./spool.ts";
import {
  errorText,
  type OutRecord,
  type PendingMapWrite,
  type PendingRecord,
  type ProjectionDiagnostic,
  type Sink,
  type SinkStats,
  type WriteResult,
} from "./types.ts";

export interface OutboxOptions {
  clock: Clock;
  spool: Spool | null;
  batchMax?: number;
  delayMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Records held in memory before an early spill (or, without a spool, before refusing). */
  memMax?: number;
  /** How often a sink with `imageLost` is checked for a lost image while nothing else happens (ms). */
  imageCheckMs?: number;
  /** How long after a sink with `lateMapWrites` came back the keys of its failed map batches are re-sent (ms). */
  mapRecheckMs?: number;
  onDiagnostic: (d: ProjectionDiagnostic) => void;
}

export class Outbox {
  /** Set by the projection: queues the whole current image into this outbox; returns the writes queued. */
  resyncWith: (() => number) | null = null;
  /** False once any record was refused since this outbox was created (the projected mark stops then). */
  spooledAll = true;
  private readonly maps: MapQueue;
  private mem: PendingRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private checkTimer: ReturnType<typeof setInterval> | null = null;
  private checkDue = false;
  private running: Promise<void> | null = null;
  private retryDelayMs = 0;
  private closed = false;
  private up = true;
  private memFullReported = false;
  private lastSuccessMs: number | null = null;
  private lastError: string | null = null;
  private counters = { records: 0, duplicates: 0, applied: 0, stale: 0, refused: 0, resyncs: 0 };
  private readonly batchMax: number;
  private readonly delayMs: number;
  private readonly memMax: number;

  constructor(
    readonly sink: Sink,
    private readonly opts: OutboxOptions,
  ) {
    this.batchMax = opts.batchMax ?? 1000;
    this.delayMs = opts.delayMs ?? 10;
    this.memMax = opts.memMax ?? 100_000;
    this.maps = new MapQueue(sink.lateMapWrites === true ? (opts.mapRecheckMs ?? 120_000) : null);
    if (this.backlog() > 0) this.schedule(0); // a previous process left records: drain them
    if (sink.imageLost !== undefined || this.maps.rechecks) {
      this.checkTimer = setInterval(() => {
        this.checkDue = true;
        void this.runOnce(false);
      }, opts.imageCheckMs ?? 1_000);
      this.checkTimer.unref?.();
    }
  }

  putMap(w: PendingMapWrite): void {
    this.maps.put(w, true);
    if (this.timer === null) this.schedule(this.delayMs);
  }

  push(r: PendingRecord): void {
    if (this.mem.length >= this.memMax) this.spill();
    if (this.mem.length < this.memMax) this.mem.push(r);
    else this.refuseInMemory();
    if (this.timer === null) this.schedule(this.delayMs);
  }

  markDown(e: unknown): void {
    this.lastError = errorText(e);
    if (!this.up) return;
    this.up = false;
    this.report("SINK_DOWN", "WARNING", `is down, spooling: ${this.lastError}`);
  }

  /** Runs the loop until nothing is pending or `timeoutMs` passes. Returns true when fully drained. */
  async flush(timeoutMs: number): Promise<boolean> {
    let expired = false;
    const t = setTimeout(() => (expired = true), timeoutMs);
    try {
      for (let i = 0; i < 100_000 && !expired; i++) {
        await this.runOnce(true);
        if (this.pending() === 0) return true;
        if (!this.up) await new Promise((r) => setTimeout(r, Math.min(100, timeoutMs)));
      }
      return this.pending() === 0;
    } finally {
      clearTimeout(t);
    }
  }

  stats(): SinkStats {
    const spool = this.opts.spool;
    return {
      sink: this.sink.name,
      address: this.sink.address,
      up: this.up,
      spooled: spool !== null || this.sink.store !== undefined,
      backlog_records: this.backlog(),
      backlog_bytes: spool?.backlogBytes ?? 0,
      pending_map_writes: this.maps.size,
      last_success_ms: this.lastSuccessMs,
      last_error: this.lastError,
      records_written: this.counters.records,
      records_duplicate: this.counters.duplicates,
      resyncs: this.counters.resyncs,
      map_writes_applied: this.counters.applied,
      map_writes_stale: this.counters.stale,
      records_refused: this.counters.refused + (spool?.refusedTotal ?? 0),
      sealed: this.sink.sealedFiles?.() ?? null,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer ?? undefined);
    clearInterval(this.checkTimer ?? undefined);
    this.timer = this.checkTimer = null;
    if (this.running) await this.running;
    this.spill();
    this.opts.spool?.close();
  }

  private pending(): number {
    return this.maps.size + this.backlog();
  }
  private backlog(): number {
    return this.mem.length + (this.opts.spool?.backlogRecords ?? 0);
  }

  private schedule(ms: number): void {
    if (this.closed || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce(false);
    }, ms);
  }

  private async runOnce(force: boolean): Promise<void> {
    if (this.running) return this.running;
    this.running = this.cycle(force).finally(() => {
      this.running = null;
      if (this.pending() > 0) this.schedule(this.up ? this.delayMs : this.retryDelayMs);
    });
    return this.running;
  }

  /** Appends the queued records to the spool (or `sink.store`, the local file) now; false when any was refused. */
  spill(): boolean {
    const into = this.opts.spool ?? (this.up ? this.sink.store : undefined); // a refusing file: the loop retries
    if (into === undefined || this.mem.length === 0) return this.mem.length === 0 || this.sink.store === undefined;
    const r = rows.spoolRecords(into, this.mem.splice(0));
    this.rowsFailed(r);
    if (!r.whole) this.spooledAll = false;
    if (into === this.sink.store) this.counters.records += r.stored;
    if (into !== this.sink.store || r.stored === r.kept.length) return r.whole;
    this.mem.unshift(...r.kept); // the file refused it whole: down, kept for the loop (batched, backing off)
    this.markDown(`refused ${r.kept.length} record(s) (see SPOOL_FULL)`);
    return false;
  }

  /** Reports the rows that could not be built or encoded (one diagnostic; a lost record stops the mark). */
  rowsFailed<T>(r: { kept: T[]; failed: readonly rows.RowFailure[] }): T[] {
    if (r.failed.length === 0) return r.kept;
    const records = r.failed.filter((f) => f.kind !== "map").length;
    this.counters.refused += records;
    if (records > 0) this.spooledAll = false;
    this.opts.onDiagnostic(rows.rowFailedDiagnostic(this.sink.name, r.failed));
    return r.kept;
  }

  private async cycle(force: boolean): Promise<void> {
    this.spill();
    if (this.closed && !force) return;
    const check = this.checkDue || this.sink.reconnected?.() === true;
    if (!check && this.pending() === 0) return;
    try {
      if (check) await this.checkImage();
      if (check) this.maps.requeueDoubts(this.opts.clock.nowMs());
      const m = await this.maps.send(this.sink, (g) => this.rowsFailed(g));
      this.counters.applied += m.applied;
      this.counters.stale += m.stale;
      for (let i = 0; i < 64 && this.backlog() > 0; i++) await this.drainRecords();
      this.markUp();
    } catch (e) {
      this.markDown(e);
      const min = this.opts.retryMinMs ?? 200;
      this.retryDelayMs = Math.min(this.opts.retryMaxMs ?? 5_000, Math.max(min, this.retryDelayMs * 2));
    }
  }

  /** Asks the sink whether its image is gone; if so, the projection queues all of it again. */
  private async checkImage(): Promise<void> {
    this.checkDue = false;
    if (this.sink.imageLost === undefined || !(await this.sink.imageLost())) return;
    const writes = this.resyncWith?.() ?? 0;
    if (writes === 0) return;
    this.counters.resyncs++;
    const why = "lost this projection's image (restarted empty or a new cluster)";
    this.report("SINK_RESYNC", "WARNING", `${why}; writing all ${writes} rows again`, { writes });
  }

  private async drainRecords(): Promise<void> {
    const spool = this.opts.spool;
    if (spool === null) return this.drainMemory();
    const b = spool.read(this.batchMax);
    if (b.values.length === 0) {
      spool.ack(b.next, 0); // only skipped corrupt bytes
      return;
    }
    const r: WriteResult = await this.sink
      .writeRecords(b.values as OutRecord[])
      .catch((error: unknown) => ({ written: 0, error }));
    if (r.written > 0) spool.ack(r.written === b.values.length ? b.next : b.ends[r.written - 1]!, r.written);
    this.counters.records += r.written;
    this.counters.duplicates += r.duplicates ?? 0;
    if (r.error !== undefined || r.written < b.values.length)
      throw r.error ?? new Error(`${this.sink.name} accepted ${r.written}/${b.values.length}`);
  }

  private async drainMemory(): Promise<void> {
    const batch = this.rowsFailed(rows.buildRecords(this.mem.splice(0, this.batchMax)));
    if (batch.length === 0) return;
    const r: WriteResult = await this.sink.writeRecords(batch).catch((error: unknown) => ({ written: 0, error }));
    this.counters.records += r.written;
    this.counters.duplicates += r.duplicates ?? 0;
    if (r.written < batch.length) {
      // A row the sink cannot encode is no outage: drop it alone and send the rest again now.
      const rest = this.rowsFailed(rows.keepEncodable(batch.slice(r.written), rows.describeRecord));
      this.mem = [...rest, ...this.mem];
      if (rest.length + r.written === batch.length)
        throw r.error ?? new Error(`${this.sink.name} accepted ${r.written}/${batch.length}`);
    }
  }

  /** No spool and `memMax` records held: refused and counted, reported once until the sink takes a batch. */
  private refuseInMemory(): void {
    this.counters.refused++;
    this.spooledAll = false;
    if (!this.memFullReported) {
      const text = `holds ${this.memMax} records in memory (no spool); refusing more until it takes them`;
      this.report("SPOOL_FULL", "CRITICAL", text, { reason: "cap", refused: 1 });
    }
    this.memFullReported = true;
  }

  private markUp(): void {
    this.lastSuccessMs = this.opts.clock.nowMs();
    this.maps.up(this.lastSuccessMs);
    this.retryDelayMs = 0;
    this.memFullReported = false;
    if (this.up) return;
    this.up = true;
    this.lastError = null;
    this.report("SINK_UP", "INFO", "is back; draining the spool");
  }

  /** A sink event: the message follows "<sink> sink at <address>"; details carry the address. */
  private report(code: ProjectionDiagnostic["code"], severity: Severity, text: string, details = {}): void {
    const { name, address } = this.sink;
    const message = `${name} sink at ${address} ${text}`;
    this.opts.onDiagnostic({ code, severity, sink: name, message, details: { address, ...details } });
  }
}
