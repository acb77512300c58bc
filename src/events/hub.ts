/**
 * EventHub: the runtime's outcomes as Server-Sent Events (`GET /events`) for the operator console.
 *
 * The kernel path (`onOutcome`, `onControl`, `diagnostic`) only appends to a bounded ring and sets a flag:
 * O(1), no serialization, no I/O, never waits for a client. Work for clients happens in a flush `flushMs`
 * (20 ms) later, so a burst costs one write per client rather than one per event: the pending account is
 * published when it changed (coalesced: one `account` event per flush however many marks arrived), then
 * every client gets the events it has not seen, framed once and shared.
 *
 * Invariants:
 *   1. Event ids are `<epoch>-<seq>`; seq increases by one per event within this process.
 *   2. A client receives events in seq order with no gap, or an `event: reset` telling it to
 *      reload state (a fresh connection, an id from another process, an id older than the ring,
 *      an id with more than `clientQueueBytes` of events after it).
 *   3. A client whose unsent bytes exceed `clientQueueBytes` is dropped (its stream errors and the
 *      connection closes); nothing else waits for it. At most `maxClients` streams at once.
 *   4. `control` versions only increase: a snapshot published after a newer one is not sent.
 *   5. Nothing is served unmasked: a diagnostic's or flatten's text is masked as it is framed (`_mask.ts`).
 *
 * Entry points: `new EventHub(options)`, `onOutcome`, `onControl`, `onFlatten`, `diagnostic`, `open`,
 * `equity`, `stats`, `close`.
 */

import type { Clock } from "../contracts/clock.ts";
import type { ControlSnapshot } from "../contracts/control.ts";
import type { FlattenEvent } from "../contracts/flatten.ts";
import type { AccountRecord, DiagnosticRecord, TransitionRecord } from "../contracts/records.ts";
import type { EventStats } from "../contracts/status_schema.ts";
import { maskedData, maskJson } from "./_mask.ts";
import { EventRing, type RingEvent } from "./_ring.ts";
import { comment, concat, frame, resumeAfter, text } from "./_sse.ts";
import { EquitySeries } from "./equity.ts";
import type { FeedDiagnostic } from "./feed.ts";

/** What the runtime calls after every kernel call and control change (the narrow hook). */
export interface RuntimeEvents {
  onOutcome(
    transitions: readonly TransitionRecord[],
    diagnostics: readonly DiagnosticRecord[],
    account: AccountRecord,
    source?: "kernel" | "launcher", // "kernel" when absent
  ): void;
  onControl(snapshot: ControlSnapshot): void;
  /** A flatten started (trading already HALTED) or answered (with its report). */
  onFlatten(event: FlattenEvent): void;
}

export interface EventHubOptions {
  clock: Clock;
  /** Names this process in every event id: `[a-z0-9]{1,24}`. */
  epoch: string;
  ringCapacity?: number;
  clientQueueBytes?: number;
  maxClients?: number;
  heartbeatMs?: number;
  retryMs?: number;
  /** Events are gathered this long before a flush frames and sends them (one write per client). */
  flushMs?: number;
  log?: (line: string) => void;
}

export type OpenResult = { ok: true; stream: ReadableStream<Uint8Array> } | { ok: false; error: string };

interface Client {
  readonly id: number;
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
  cursor: number;
}

export class EventHub implements RuntimeEvents {
  readonly epoch: string;
  readonly ringCapacity: number;
  readonly clientQueueBytes: number;
  readonly maxClients: number;
  private readonly ring: EventRing;
  private readonly clients = new Set<Client>();
  private readonly equitySeries = new EquitySeries();
  private pendingAccount: AccountRecord | null = null;
  private lastAccount: AccountRecord | null = null;
  private controlVersion = -1;
  private scheduled = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private nextClientId = 1;
  private droppedTotal = 0;
  private closed = false;

  constructor(private readonly o: EventHubOptions) {
    if (!/^[a-z0-9]{1,24}$/.test(o.epoch))
      throw new Error(`Invariant: epoch must match [a-z0-9]{1,24}, got ${o.epoch}`);
    this.epoch = o.epoch;
    this.ringCapacity = o.ringCapacity ?? 8192;
    this.clientQueueBytes = o.clientQueueBytes ?? 1024 * 1024;
    this.maxClients = o.maxClients ?? 32;
    this.ring = new EventRing(this.ringCapacity);
  }

  onOutcome(
    transitions: readonly TransitionRecord[],
    diagnostics: readonly DiagnosticRecord[],
    account: AccountRecord,
    source: "kernel" | "launcher" = "kernel",
  ): void {
    for (const t of transitions) this.ring.push("transition", t);
    for (const d of diagnostics) this.ring.push("diagnostic", { source, ...d });
    this.pendingAccount = account;
    this.schedule();
  }

  onControl(snapshot: ControlSnapshot): void {
    if (snapshot.version <= this.controlVersion) return;
    this.controlVersion = snapshot.version;
    this.ring.push("control", snapshot);
    this.schedule();
  }

  onFlatten(event: FlattenEvent): void {
    this.ring.push("flatten", event);
    this.schedule();
  }

  /** A diagnostic raised outside the kernel (venue adapter, projection). */
  diagnostic(d: FeedDiagnostic): void {
    this.ring.push("diagnostic", d);
    this.schedule();
  }

  /** Opens one client's stream, resuming after `lastEventId` when the ring still holds it. */
  open(lastEventId: string | null): OpenResult {
    if (this.closed) return { ok: false, error: "shutting down: the event stream is closed" };
    if (this.clients.size >= this.maxClients)
      return { ok: false, error: `too many event stream clients (at most ${this.maxClients})` };
    let client: Client | null = null;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          client = { id: this.nextClientId++, controller, cursor: this.ring.head };
          this.clients.add(client);
          const resume = resumeAfter(lastEventId, this.epoch, this.ring.head, this.ring.oldest());
          const retry = text(`retry: ${this.o.retryMs ?? 1000}\n\n`);
          const budget = this.clientQueueBytes - retry.byteLength;
          const rest = typeof resume === "string" ? this.resetFrame(resume) : this.framedAfter(resume, budget);
          this.send(client, concat([retry, rest]));
          this.startHeartbeat();
        },
        cancel: () => {
          if (client !== null) this.clients.delete(client);
        },
      },
      { highWaterMark: 0, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    return { ok: true, stream };
  }

  equity(): ReturnType<EquitySeries["snapshot"]> {
    return this.equitySeries.snapshot();
  }

  stats(): EventStats {
    return {
      epoch: this.epoch,
      clients: this.clients.size,
      clients_max: this.maxClients,
      clients_dropped_total: this.droppedTotal,
      last_seq: this.ring.head,
      oldest_seq: this.ring.oldest(),
      ring_capacity: this.ringCapacity,
      client_queue_bytes_max: this.clientQueueBytes,
    };
  }

  /**
   * Ends every stream (their clients see the end and reconnect) and refuses new ones. What was
   * appended since the last flush (the shutdown's own events) is sent first, not lost with the streams.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    for (const c of this.clients) {
      try {
        c.controller.close();
      } catch {
        // already closed by the client
      }
    }
    this.clients.clear();
    this.stopHeartbeat();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const ms = this.o.flushMs ?? 20;
    if (ms === 0) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), ms);
  }

  private flush(): void {
    this.scheduled = false;
    this.publishAccountIfChanged();
    let batch: { from: number; bytes: Uint8Array } | null = null;
    for (const c of this.clients) {
      if (c.cursor >= this.ring.head) continue;
      // Clients at the same cursor (the usual case) share one framed batch.
      if (batch === null || batch.from !== c.cursor) batch = { from: c.cursor, bytes: this.framedAfter(c.cursor) };
      c.cursor = this.ring.head;
      this.send(c, batch.bytes);
    }
  }

  /**
   * The events after `cursor` up to the head, framed, or a reset when some already left the ring
   * or they exceed `budget` bytes: a resuming client's backlog is queued before it can read, and
   * past its bound it was dropped at once, then again on every reconnect with the same id.
   */
  private framedAfter(cursor: number, budget = Number.POSITIVE_INFINITY): Uint8Array {
    if (cursor < this.ring.oldest() - 1) return this.resetFrame("events were lost: the client fell behind the ring");
    const parts: Uint8Array[] = [];
    for (let seq = cursor + 1, bytes = 0; seq <= this.ring.head; seq++) {
      parts.push(this.bytesOf(this.ring.get(seq)));
      bytes += parts[parts.length - 1]!.byteLength;
      if (bytes > budget) return this.resetFrame(`too far behind: more than ${budget} bytes of events to catch up`);
    }
    return concat(parts);
  }

  private bytesOf(e: RingEvent): Uint8Array {
    // masked here, once per event (the flush, not the kernel path): nothing is served unmasked
    e.bytes ??= frame(e.name, `${this.epoch}-${e.seq}`, maskedData(e.name, e.data), maskJson(e.name));
    return e.bytes;
  }

  private resetFrame(reason: string): Uint8Array {
    return frame("reset", `${this.epoch}-${this.ring.head}`, { reason, last_seq: this.ring.head });
  }

  private publishAccountIfChanged(): void {
    const a = this.pendingAccount;
    this.pendingAccount = null;
    if (a === null || (this.lastAccount !== null && sameAccount(a, this.lastAccount))) return;
    this.lastAccount = a;
    const atMs = this.o.clock.nowMs();
    this.equitySeries.add(atMs, a.equity, a.drawdown);
    this.ring.push("account", { ...a, at_ms: atMs });
  }

  private send(c: Client, bytes: Uint8Array): void {
    try {
      c.controller.enqueue(bytes);
    } catch {
      this.clients.delete(c); // the stream already ended (client gone)
      return;
    }
    const queued = -(c.controller.desiredSize ?? 0);
    if (queued > this.clientQueueBytes) this.drop(c, `${queued} bytes unread (bound ${this.clientQueueBytes})`);
  }

  private drop(c: Client, why: string): void {
    this.clients.delete(c);
    this.droppedTotal++;
    try {
      c.controller.error(new Error(`event stream client dropped: ${why}`));
    } catch {
      // already errored
    }
    this.o.log?.(`events: client ${c.id} dropped: ${why}`);
    if (this.clients.size === 0) this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== null) return;
    const ping = comment("ping");
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) this.send(c, ping);
      if (this.clients.size === 0) this.stopHeartbeat();
    }, this.o.heartbeatMs ?? 5000);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}

function sameAccount(a: AccountRecord, b: AccountRecord): boolean {
  return (
    a.version === b.version &&
    a.equity === b.equity &&
    a.capital === b.capital &&
    a.unrealized_pnl === b.unrealized_pnl &&
    a.drawdown === b.drawdown &&
    a.fees_paid === b.fees_paid &&
    a.trade_seq === b.trade_seq &&
    a.seeded === b.seeded
  );
}
