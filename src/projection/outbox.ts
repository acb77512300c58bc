/**
 * Outbox: the buffer between the synchronous projection calls and one sink. The kernel never waits:
 * `putMap` and `push` are O(1) (a Map.set and an array push) and return at once; a background loop
 * does all I/O.
 *
 * Design ("always spool, then acknowledge"): every `delayMs` the loop appends the records queued in
 * memory to the sink's spool in one write, then sends up to `batchMax` records read back from the
 * spool and acknowledges the prefix the sink accepted. One path serves the up, down and restart
 * cases: order is the spool's order, an outage only lets the spool grow, and the next process finds
 * the unacknowledged records in the file. The only records a SIGKILL can lose are those queued in
 * memory for less than `delayMs` (the launcher's input journal regenerates them; row ids are
 * deterministic, so regeneration does not duplicate). Sinks without a spool (local, callback) get
 * records straight from memory.
 *
 * Map writes are coalesced to the latest (epoch, version) per key and kept in memory (a map is latest state:
 * after a restart the launcher re-projects restored slots). Failures back off exponentially.
 */
import type { Clock } from "../contracts/clock.ts";
import type { Spool } from "./spool.ts";
import {
  errorText,
  type MapWrite,
  type OutRecord,
  type PendingMapWrite,
  type PendingRecord,
  type ProjectionDiagnostic,
  resolve,
  type Sink,
  type SinkStats,
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
  onDiagnostic: (d: ProjectionDiagnostic) => void;
}

export class Outbox {
  /** map name -> key -> latest pending write (nested, so the hot path builds no key strings). */
  private maps = new Map<string, Map<string, PendingMapWrite>>();
  private mapCount = 0;
  private mem: PendingRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private retryDelayMs = 0;
  private closed = false;
  private up = true;
  private lastSuccessMs: number | null = null;
  private lastError: string | null = null;
  private counters = { records: 0, applied: 0, stale: 0, refused: 0 };
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
    if (this.backlog() > 0) this.schedule(0); // a previous process left records: drain them
  }

  putMap(w: PendingMapWrite): void {
    this.keep(w, true);
    if (this.timer === null) this.schedule(this.delayMs);
  }

  push(r: PendingRecord): void {
    if (this.mem.length >= this.memMax) this.spill();
    if (this.mem.length >= this.memMax) {
      this.counters.refused++;
      return;
    }
    this.mem.push(r);
    if (this.timer === null) this.schedule(this.delayMs);
  }

  markDown(e: unknown): void {
    this.lastError = errorText(e);
    if (!this.up) return;
    this.up = false;
    this.opts.onDiagnostic({
      code: "SINK_DOWN",
      severity: "WARNING",
      sink: this.sink.name,
      message: `${this.sink.name} sink at ${this.sink.address} is down, spooling: ${this.lastError}`,
      details: { address: this.sink.address },
    });
  }

  /** Runs the loop until nothing is pending or `timeoutMs` passes. Returns true when fully drained. */
  async flush(timeoutMs: number): Promise<boolean> {
    let expired = false;
    const t = setTimeout(() => (expired = true), timeoutMs);
    try {
      for (let i = 0; i < 100_000 && !expired; i++) {
        await this.runOnce(true);
        if (this.pending() === 0) return true;
        if (!this.up) await sleep(Math.min(100, timeoutMs));
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
      spooled: spool !== null,
      backlog_records: this.backlog(),
      backlog_bytes: spool?.backlogBytes ?? 0,
      pending_map_writes: this.mapCount,
      last_success_ms: this.lastSuccessMs,
      last_error: this.lastError,
      records_written: this.counters.records,
      map_writes_applied: this.counters.applied,
      map_writes_stale: this.counters.stale,
      records_refused: this.counters.refused + (spool?.refusedTotal ?? 0),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
    this.spill();
    this.opts.spool?.close();
  }

  private pending(): number {
    return this.mapCount + this.backlog();
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

  private spill(): void {
    const spool = this.opts.spool;
    if (spool === null || this.mem.length === 0) return;
    const batch = this.mem;
    this.mem = [];
    spool.append(batch.map(resolveRecord));
  }

  private async cycle(force: boolean): Promise<void> {
    this.spill();
    if ((this.closed && !force) || this.pending() === 0) return;
    try {
      await this.drainMaps();
      for (let i = 0; i < 64 && this.backlog() > 0; i++) await this.drainRecords();
      this.markUp();
    } catch (e) {
      this.markDown(e);
      const min = this.opts.retryMinMs ?? 200;
      this.retryDelayMs = Math.min(this.opts.retryMaxMs ?? 5_000, Math.max(min, this.retryDelayMs * 2));
    }
  }

  private async drainMaps(): Promise<void> {
    if (this.mapCount === 0) return;
    const batch: MapWrite[] = [];
    for (const m of this.maps.values()) for (const w of m.values()) batch.push(resolveWrite(w));
    this.maps.clear();
    this.mapCount = 0;
    try {
      const r = await this.sink.writeMaps(batch);
      this.counters.applied += r.applied;
      this.counters.stale += r.stale;
    } catch (e) {
      for (const w of batch) this.keep(w, false); // CAS makes re-applying harmless
      throw e;
    }
  }

  /** Keeps w unless a newer write for its key is pending (`orEqual`: a fresh write wins a tie). */
  private keep(w: PendingMapWrite, orEqual: boolean): void {
    let m = this.maps.get(w.map);
    if (m === undefined) {
      m = new Map();
      this.maps.set(w.map, m);
    }
    const cur = m.get(w.key);
    if (cur === undefined) this.mapCount++;
    else if (
      (cur.epoch ?? 0) !== (w.epoch ?? 0)
        ? (cur.epoch ?? 0) > (w.epoch ?? 0)
        : orEqual
          ? cur.version > w.version
          : cur.version >= w.version
    )
      return;
    m.set(w.key, w);
  }

  private async drainRecords(): Promise<void> {
    const spool = this.opts.spool;
    if (spool === null) return this.drainMemory();
    const b = spool.read(this.batchMax);
    if (b.values.length === 0) {
      spool.ack(b.next, 0); // only skipped corrupt bytes
      return;
    }
    const r = await this.sink.writeRecords(b.values as OutRecord[]).catch((error: unknown) => ({ written: 0, error }));
    if (r.written > 0) spool.ack(r.written === b.values.length ? b.next : b.ends[r.written - 1]!, r.written);
    this.counters.records += r.written;
    if (r.error !== undefined || r.written < b.values.length)
      throw r.error ?? new Error(`${this.sink.name} accepted ${r.written}/${b.values.length}`);
  }

  private async drainMemory(): Promise<void> {
    const batch = this.mem.splice(0, this.batchMax).map(resolveRecord);
    const r = await this.sink.writeRecords(batch).catch((error: unknown) => ({ written: 0, error }));
    this.counters.records += r.written;
    if (r.written < batch.length) {
      this.mem = [...batch.slice(r.written), ...this.mem];
      throw r.error ?? new Error(`${this.sink.name} accepted ${r.written}/${batch.length}`);
    }
  }

  private markUp(): void {
    this.lastSuccessMs = this.opts.clock.nowMs();
    this.retryDelayMs = 0;
    if (this.up) return;
    this.up = true;
    this.lastError = null;
    this.opts.onDiagnostic({
      code: "SINK_UP",
      severity: "INFO",
      sink: this.sink.name,
      message: `${this.sink.name} sink at ${this.sink.address} is back; draining the spool`,
      details: { address: this.sink.address },
    });
  }
}

/** A pending write made concrete; the row carries the writer's `epoch` (the sinks' CAS reads it back). */
function resolveWrite(w: PendingMapWrite): MapWrite {
  const out: MapWrite = { map: w.map, key: w.key, value: null, version: w.version };
  if (w.epoch !== undefined) out.epoch = w.epoch;
  if (w.value !== null) out.value = w.epoch === undefined ? resolve(w.value) : { ...resolve(w.value), epoch: w.epoch };
  return out;
}

function resolveRecord(r: PendingRecord): OutRecord {
  return typeof r.row === "function" ? { kind: r.kind, row: r.row() } : (r as OutRecord);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
