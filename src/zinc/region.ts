/**
 * One mapped Zinc region behind a libzinc handle: open (writer or client) with the C error line
 * surfaced verbatim (it names the file), header decode, sequence, non-blocking wait, close.
 * Header values are validated by C at open; `header()` re-reads them for inspection.
 */

import { check, KIND, loadZinc, type RegionKind, sequence, type ZincLib } from "./_lib.ts";
import { FutexWaiter, WAIT_SPIN_US_DEFAULT } from "./_waiter.ts";
import { invariant, ZincError } from "./types.ts";

export interface RegionHeader {
  magic: number;
  version: number;
  kind: number;
  writerPid: number;
  seq: number;
  recordSize: number;
  recordCount: number;
  waiters: number;
  flags: number;
  generation: number;
  regionBytes: number;
}

export interface RegionOpen {
  libPath: string;
  prefix: string;
  kind: RegionKind;
  /** Ring capacity or slot count; 0 for a client attaching to whatever the writer created. */
  recordCount: number;
  writer: boolean;
  /** Event-loop turns to poll before sleeping on the futex (0 = sleep at once). */
  spinTurns?: number;
  /** Microseconds to busy-wait on the calling thread before the futex path (see _waiter.ts). */
  spinUs?: number;
}

export class ZincRegion {
  private readonly waiter: FutexWaiter;
  private open = true;

  private constructor(
    readonly lib: ZincLib,
    libPath: string,
    readonly id: number,
    readonly path: string,
    spinTurns: number,
    spinUs: number,
  ) {
    this.waiter = new FutexWaiter(lib, libPath, id, spinTurns, spinUs);
  }

  static open(o: RegionOpen): ZincRegion {
    invariant(
      Number.isInteger(o.recordCount) && o.recordCount >= 0,
      `recordCount must be a non-negative integer, got ${o.recordCount}`,
    );
    const lib = loadZinc(o.libPath);
    const err = new Uint8Array(512);
    const prefix = Buffer.from(`${o.prefix}\0`, "utf8");
    const id = lib.zinc_open(prefix, KIND[o.kind], o.recordCount, o.writer ? 1 : 0, err, err.length);
    if (id < 0) {
      const end = err.indexOf(0);
      throw new ZincError(
        "OPEN",
        new TextDecoder().decode(err.subarray(0, end < 0 ? err.length : end)) || `zinc_open failed (${id})`,
      );
    }
    return new ZincRegion(
      lib,
      o.libPath,
      id,
      `/dev/shm/${o.prefix}.${o.kind}`,
      o.spinTurns ?? 0,
      o.spinUs ?? WAIT_SPIN_US_DEFAULT,
    );
  }

  header(): RegionHeader {
    const buf = new Uint8Array(64);
    check(this.lib.zinc_header(this.id, buf), `${this.path}: header`);
    const dv = new DataView(buf.buffer);
    return {
      magic: dv.getUint32(0, true),
      version: dv.getUint16(4, true),
      kind: dv.getUint16(6, true),
      writerPid: dv.getUint32(8, true),
      seq: Number(dv.getBigUint64(16, true)),
      recordSize: dv.getUint32(24, true),
      recordCount: dv.getUint32(28, true),
      waiters: dv.getUint32(32, true),
      flags: dv.getUint32(36, true),
      generation: Number(dv.getBigUint64(48, true)),
      regionBytes: Number(dv.getBigUint64(56, true)),
    };
  }

  /**
   * Re-validates the open region (header fields, file size, the path still naming this file):
   * null while it matches the layout it was opened with, else one line naming what no longer does.
   */
  check(): string | null {
    const err = new Uint8Array(512);
    const rc = this.lib.zinc_check(this.id, err, err.length);
    if (rc === 0) return null;
    const end = err.indexOf(0);
    return (
      new TextDecoder().decode(err.subarray(0, end < 0 ? err.length : end)) || `${this.path}: check failed (${rc})`
    );
  }

  /** The sequence; CORRUPT naming the word when it is >= 2^63 (no sequence libzinc wrote). */
  seq(): number {
    return sequence(this.lib.zinc_seq(this.id), `${this.path}: seq`, () => this.seqWord());
  }

  /** The header's sequence word as the u64 it is. */
  private seqWord(): bigint {
    const buf = new BigUint64Array(8);
    check(this.lib.zinc_header(this.id, buf), `${this.path}: header`);
    return buf[2]!;
  }

  wait(lastSeq: number, timeoutMs: number): Promise<number> {
    invariant(this.open, `${this.path}: wait after close`);
    return this.waiter.wait(lastSeq, timeoutMs);
  }

  /** Settles the waits the sequence moved past at once (the doorbell's ring, `_doorbell.ts`). */
  kick(): void {
    if (this.open) this.waiter.kick();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.waiter.close();
    check(this.lib.zinc_close(this.id), `${this.path}: close`);
  }
}
