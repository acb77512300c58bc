/**
 * `RealZincControlPlane`: the control plane published in `<prefix>.control` (single writer, the
 * kernel process) and `RealControlCommandClient`, which other processes use to post operator
 * commands and watch snapshots. On open the writer publishes `initial`, continuing the version
 * past any snapshot a previous (dead) writer left, so watchers always see a change.
 *
 * A region file truncated under the mapping (libzinc answers TRUNCATED instead of dying of SIGBUS)
 * makes the plane hostile, as a failed `checkRegion` does, instead of throwing from the kernel's
 * calls: `apply` from inside an input's outcome (the drawdown watch), `seq` from the serve control
 * loop and every intent submit, `pollCommands` with commands already popped. The snapshot in
 * memory stays the truth, every popped command is still applied once, and the next check names
 * the file (a CRITICAL, /health 503).
 */

import { type ControlSnapshot, nextControlSnapshot } from "../contracts/control.ts";
import { RingDrainer, unlessTruncated, ZincRegion } from "../zinc/index.ts";
import { applyCommand, waitForVersion } from "./_apply.ts";
import { ControlRegion } from "./_control_region.ts";
import { COMMAND_BYTES, encodeCommand } from "./codec.ts";
import type { CommandResult } from "./command_result.ts";
import {
  type CommandActions,
  type ControlCommandClient,
  MAILBOX_POLL_MAX,
  type OperatorControlPlane,
  type PostResult,
} from "./types.ts";

export interface RealZincControlPlaneOptions {
  libPath: string;
  prefix: string;
  slotCount: number;
  initial: ControlSnapshot;
  /** Power of two, 2..1024; default 64. */
  mailboxCapacity?: number;
}

export class RealZincControlPlane implements OperatorControlPlane {
  private current: ControlSnapshot;
  private readonly drainer: RingDrainer;
  private hostile: string | null = null;
  /** The last sequence read; what `seq` answers once the file can no longer be read. */
  private seenSeq = 0;

  private constructor(
    private readonly region: ControlRegion,
    initial: ControlSnapshot,
  ) {
    const survived = this.readSurvivor();
    this.current = { ...initial, version: Math.max(initial.version, (survived?.version ?? 0) + 1) };
    this.answerOrphanedAction();
    region.writeSnapshot(this.current);
    this.drainer = new RingDrainer(region.r, COMMAND_BYTES);
  }

  static open(o: RealZincControlPlaneOptions): RealZincControlPlane {
    const r = ZincRegion.open({
      libPath: o.libPath,
      prefix: o.prefix,
      kind: "control",
      recordCount: o.mailboxCapacity ?? 64,
      writer: true,
    });
    try {
      return new RealZincControlPlane(new ControlRegion(r, o.slotCount), o.initial);
    } catch (e) {
      r.close();
      throw e;
    }
  }

  /** A snapshot a dead writer left behind; an invalid one is ignored (the launcher's wins). */
  private readSurvivor(): ControlSnapshot | null {
    try {
      return this.region.readSnapshot();
    } catch {
      return null;
    }
  }

  /**
   * An action a previous kernel answered STARTED died with it: no final answer will come under its
   * request id, so this kernel gives it one (before its first snapshot, which wakes the waiters).
   */
  private answerOrphanedAction(): void {
    let left: CommandResult | null = null;
    try {
      left = this.region.readResult();
    } catch {
      return; // unreadable: nothing to answer
    }
    if (left?.status !== "STARTED") return;
    const message = `the kernel that started this ${left.key} stopped before it finished; nothing runs it now: check the slots`;
    this.region.writeResult({ ...left, status: "INCOMPLETE", message, version: this.current.version });
  }

  snapshot(): ControlSnapshot {
    return { ...this.current };
  }

  apply(change: Record<string, unknown>, nowMs: number): ControlSnapshot {
    const next = nextControlSnapshot(this.current, change, this.region.slotCount, nowMs);
    this.write(() => this.region.writeSnapshot(next));
    this.current = next;
    return this.snapshot();
  }

  wait(lastVersion: number, timeoutMs: number): Promise<ControlSnapshot | null> {
    return waitForVersion(
      () => this.region.readSnapshot(),
      () => this.seq(),
      (s, t) => this.waitSeq(s, t),
      lastVersion,
      timeoutMs,
    );
  }

  checkRegion(): string | null {
    this.hostile ??= this.region.r.check();
    return this.hostile;
  }

  pollCommands(nowMs: number, max = MAILBOX_POLL_MAX, actions: CommandActions | null = null): CommandResult[] {
    const results: CommandResult[] = [];
    if (this.hostile !== null) return results;
    // A record handed to the callback is off the ring: it is applied even if the file goes now.
    this.unlessTruncated(0, () =>
      this.drainer.drain(max, (record) => {
        // The result is written before the snapshot is published: a client woken by the new
        // snapshot version must find its command's result already there.
        let next: ControlSnapshot | null = null;
        const r = applyCommand(
          record,
          this.current,
          (change) => {
            next = nextControlSnapshot(this.current, change, this.region.slotCount, nowMs);
            return next;
          },
          actions,
        );
        this.write(() => this.region.writeResult(r));
        if (next !== null) {
          const applied: ControlSnapshot = next;
          this.current = applied;
          this.write(() => this.region.writeSnapshot(applied));
        }
        results.push(r);
      }),
    );
    return results;
  }

  answer(result: CommandResult): void {
    this.write(() => this.region.writeResult(result));
  }

  /** A write into the region; a hostile region gets nothing more. */
  private write(op: () => void): void {
    if (this.hostile === null) this.unlessTruncated(undefined, op);
  }

  /** Runs `op`; a file that shrank under the mapping makes the plane hostile and answers `fallback`. */
  private unlessTruncated<T>(fallback: T, op: () => T): T {
    return unlessTruncated(fallback, op, (why) => {
      this.hostile ??= why;
    });
  }

  lastResult(): CommandResult | null {
    return this.region.readResult();
  }

  seq(): number {
    return this.unlessTruncated(this.seenSeq, () => {
      this.seenSeq = this.region.seq();
      return this.seenSeq;
    });
  }

  waitSeq(lastSeq: number, timeoutMs: number): Promise<number> {
    return this.region.wait(lastSeq, timeoutMs);
  }

  close(): void {
    this.region.r.close();
  }
}

export class RealControlCommandClient implements ControlCommandClient {
  private constructor(private readonly region: ControlRegion) {}

  static open(o: { libPath: string; prefix: string; slotCount: number }): RealControlCommandClient {
    const r = ZincRegion.open({ libPath: o.libPath, prefix: o.prefix, kind: "control", recordCount: 0, writer: false });
    return new RealControlCommandClient(new ControlRegion(r, o.slotCount));
  }

  post(change: Record<string, unknown>, requestId: number): PostResult {
    return this.region.post(encodeCommand(change, requestId));
  }

  postRaw(record: Uint8Array): PostResult {
    return this.region.post(record);
  }

  snapshot(): ControlSnapshot | null {
    return this.region.readSnapshot();
  }

  waitSnapshot(lastVersion: number, timeoutMs: number): Promise<ControlSnapshot | null> {
    return waitForVersion(
      () => this.region.readSnapshot(),
      () => this.region.seq(),
      (s, t) => this.region.wait(s, t),
      lastVersion,
      timeoutMs,
    );
  }

  lastResult(): CommandResult | null {
    return this.region.readResult();
  }

  close(): void {
    this.region.r.close();
  }
}
