/**
 * RefusalCoalescer: repeated refusal diagnostics become one row and one summary row per window, not
 * one row each. A strategy stuck re-sending a refused intent (a stop-loss while the venue bans the IP:
 * RATE_LIMITED at the edge, thousands a second from a ring producer) made one ~355-byte diagnostics
 * row per refusal, which filled a spool's 512 MiB cap in minutes; past it every record was refused
 * (SPOOL_FULL), trade lifecycle rows included.
 *
 * Only diagnostics of refused inputs (edge or kernel refusals: not journaled, launcher-style ids) with
 * severity WARNING or ERROR come here (`coalescible`); the caller never passes CRITICAL ones, those of
 * applied inputs or the launcher's own reports. Key: (code, slot_id, details.input_kind, details.field).
 * Window: `windowMs` of the injected clock from a key's first refusal, which becomes its row as before;
 * the later ones of the window are counted, not rowed. When the window ends (noticed at the next
 * `admit` of that key, or `expire` at the next capture or drain; every held one at flush and close)
 * with a count n > 0, ONE summary row follows: same code, severity, slot and details, message
 * "<n> more refusals like this in the last <ms> ms (last: <message>)", details plus `repeated: n` and
 * `window_ms`. At most `maxKeys` keys are held: a new key past it ends the oldest window early.
 * Keys are held in window-start order, so the windows due are always a prefix (O(1) when none is).
 */
import type { Clock } from "../contracts/clock.ts";
import type { DiagnosticRecord } from "../contracts/records.ts";

export const REFUSAL_WINDOW_MS = 1_000;
export const REFUSAL_KEYS_MAX = 1_024;

/** One key's current window. */
interface Held {
  startMs: number;
  /** Refusals counted after the first (which was rowed). */
  count: number;
  last: DiagnosticRecord | null;
  /** The journal position when the last one was counted (the summary row's `seq`). */
  seq: number;
}

/** A summary row to write: the journal position then, and the diagnostic it is built from. */
export type EmitSummary = (seq: number, d: DiagnosticRecord) => void;

/** A refusal's diagnostic that may be coalesced (CRITICAL and INFO never are). */
export function coalescible(d: DiagnosticRecord): boolean {
  return d.severity === "WARNING" || d.severity === "ERROR";
}

export class RefusalCoalescer {
  private readonly held = new Map<string, Held>();
  /** Keys whose window counted at least one refusal (a summary is owed). */
  private owed = 0;

  constructor(
    private readonly clock: Clock,
    readonly windowMs = REFUSAL_WINDOW_MS,
    readonly maxKeys = REFUSAL_KEYS_MAX,
  ) {}

  /** True while a summary is owed (then `expire` has work to look at). */
  get holding(): boolean {
    return this.owed > 0;
  }

  /** Keys held (each may end with one summary). */
  get size(): number {
    return this.held.size;
  }

  /**
   * A refusal now (journal position `seq`): true when it becomes its own row (the
   * first of its key in a window), false when it was counted. A summary owed by the window it ends
   * (its key's, or the oldest past `maxKeys`) is emitted first, so at most one per call.
   */
  admit(d: DiagnosticRecord, seq: number, emit: EmitSummary): boolean {
    const nowMs = this.clock.nowMs();
    const key = `${d.code}\u0000${d.slot_id}\u0000${d.details.input_kind ?? ""}\u0000${d.details.field ?? ""}`;
    const h = this.held.get(key);
    if (h !== undefined && this.open(h, nowMs)) {
      if (h.count++ === 0) this.owed++;
      h.last = d;
      h.seq = seq;
      return false;
    }
    if (h !== undefined) this.end(key, h, nowMs, emit);
    else if (this.held.size >= this.maxKeys) {
      const [oldest, o] = this.held.entries().next().value!;
      this.end(oldest, o, nowMs, emit);
    }
    this.held.set(key, { startMs: nowMs, count: 0, last: null, seq });
    return true;
  }

  /**
   * Ends every window over by now (every window with `all`: flush, close) and emits the summaries
   * owed; returns how many. Reads nothing (not even the clock) while none is owed.
   */
  expire(all: boolean, emit: EmitSummary): number {
    if (this.owed === 0) return 0;
    const nowMs = this.clock.nowMs();
    const owed = this.owed;
    for (const [key, h] of this.held) {
      if (this.owed === 0 || (!all && this.open(h, nowMs))) break;
      this.end(key, h, nowMs, emit);
    }
    return owed - this.owed;
  }

  /** A clock that went back ends the window too (else one jump back would hold a key's count for as long). */
  private open(h: Held, nowMs: number): boolean {
    return nowMs >= h.startMs && nowMs < h.startMs + this.windowMs;
  }

  private end(key: string, h: Held, nowMs: number, emit: EmitSummary): void {
    this.held.delete(key);
    if (h.count === 0 || h.last === null) return;
    this.owed--;
    const last = h.last;
    const ms = Math.max(0, Math.min(nowMs, h.startMs + this.windowMs) - h.startMs);
    const details = { ...last.details, repeated: h.count, window_ms: ms };
    emit(h.seq, {
      code: last.code,
      severity: last.severity,
      slot_id: last.slot_id,
      message: `${h.count} more refusals like this in the last ${ms} ms (last: ${last.message})`,
      details,
      input_index: 0,
      now_ms: last.now_ms,
    });
  }
}
