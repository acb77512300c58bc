/**
 * `InMemoryControlPlane`: the control plane and its command mailbox inside one process, with
 * the same contract as `RealZincControlPlane` (validation through nextControlSnapshot, versioned
 * snapshots, wait-for-version, FULL mailbox, 256-byte command records decoded the same way).
 */

import { type ControlSnapshot, nextControlSnapshot } from "../contracts/control.ts";
import { SeqSignal } from "../zinc/index.ts";
import { applyCommand, waitForVersion } from "./_apply.ts";
import { COMMAND_BYTES, encodeCommand } from "./codec.ts";
import type { CommandResult } from "./command_result.ts";
import {
  type CommandActions,
  type ControlCommandClient,
  MAILBOX_POLL_MAX,
  type OperatorControlPlane,
  type PostResult,
} from "./types.ts";

export class InMemoryControlPlane implements OperatorControlPlane {
  private current: ControlSnapshot;
  private result: CommandResult | null = null;
  private readonly mailbox: Uint8Array[] = [];
  private readonly signal = new SeqSignal();

  constructor(
    initial: ControlSnapshot,
    private readonly slotCount: number,
    private readonly mailboxCapacity = 64,
  ) {
    this.current = { ...initial };
  }

  snapshot(): ControlSnapshot {
    return { ...this.current };
  }

  apply(change: Record<string, unknown>, nowMs: number): ControlSnapshot {
    this.current = nextControlSnapshot(this.current, change, this.slotCount, nowMs);
    this.signal.bump();
    return this.snapshot();
  }

  wait(lastVersion: number, timeoutMs: number): Promise<ControlSnapshot | null> {
    return waitForVersion(
      () => this.snapshot(),
      () => this.seq(),
      (s, t) => this.waitSeq(s, t),
      lastVersion,
      timeoutMs,
    );
  }

  pollCommands(nowMs: number, max = MAILBOX_POLL_MAX, actions: CommandActions | null = null): CommandResult[] {
    const results: CommandResult[] = [];
    while (results.length < max && this.mailbox.length > 0) {
      const record = this.mailbox.shift() as Uint8Array;
      const r = applyCommand(record, this.current, (change) => this.apply(change, nowMs), actions);
      this.result = r;
      this.signal.bump();
      results.push(r);
    }
    return results;
  }

  answer(result: CommandResult): void {
    this.result = result;
    this.signal.bump();
  }

  lastResult(): CommandResult | null {
    return this.result === null ? null : { ...this.result };
  }

  /** No file to corrupt. */
  checkRegion(): string | null {
    return null;
  }

  seq(): number {
    return this.signal.current();
  }

  waitSeq(lastSeq: number, timeoutMs: number): Promise<number> {
    return this.signal.wait(lastSeq, timeoutMs);
  }

  /** A client bound to this plane: what another process would hold for the real region. */
  client(): ControlCommandClient {
    const postRaw = (record: Uint8Array): PostResult => {
      if (record.byteLength !== COMMAND_BYTES)
        throw new Error(`Invariant: mailbox record must be ${COMMAND_BYTES} bytes`);
      if (this.mailbox.length >= this.mailboxCapacity) return "FULL";
      this.mailbox.push(record.slice());
      this.signal.bump();
      return "OK";
    };
    return {
      post: (change, requestId) => postRaw(encodeCommand(change, requestId)),
      postRaw,
      snapshot: () => this.snapshot(),
      waitSnapshot: (lastVersion, timeoutMs) => this.wait(lastVersion, timeoutMs),
      lastResult: () => this.lastResult(),
      close: () => undefined,
    };
  }

  close(): void {
    this.signal.close();
  }
}
