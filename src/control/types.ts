/**
 * Control plane surfaces beyond `ControlPlane` (src/contracts/control.ts): the operator command
 * mailbox. The kernel side polls and applies commands; a client in another process posts them
 * and watches the snapshot and the last command result. Both implementations share this.
 */

import type { ControlPlane, ControlSnapshot } from "../contracts/control.ts";
import type { FlattenRequest } from "../contracts/flatten.ts";
import type { CommandResult } from "./command_result.ts";

export type PostResult = "OK" | "FULL";

/** Mailbox actions the owner runs; each returns the STARTED message (the final answer comes later). */
export interface CommandActions {
  flatten(request: FlattenRequest, requestId: number): string;
}

export interface OperatorControlPlane extends ControlPlane {
  /**
   * Applies up to `max` pending mailbox commands in order; one result per command. Actions
   * (flatten) go to `actions`; without it they are refused.
   */
  pollCommands(nowMs: number, max?: number, actions?: CommandActions | null): CommandResult[];
  /** Writes the final answer of an action answered STARTED (same request id). */
  answer(result: CommandResult): void;
  lastResult(): CommandResult | null;
  /** Sequence of the control region (bumps on snapshot, result and mailbox publishes). */
  seq(): number;
  /** Resolves when the region sequence differs from `lastSeq` (a command arrived), or at the timeout. */
  waitSeq(lastSeq: number, timeoutMs: number): Promise<number>;
  /**
   * Re-validates the control region against its layout: null while it matches, else one line
   * naming what no longer does; from then on no mailbox command is read (InMemory: always null).
   */
  checkRegion(): string | null;
}

export interface ControlCommandClient {
  /** Posts a change (JSON, at most 240 bytes); "FULL" means nothing was posted. */
  post(change: Record<string, unknown>, requestId: number): PostResult;
  /** Posts a raw 256-byte mailbox record (tests use it for garbage). */
  postRaw(record: Uint8Array): PostResult;
  snapshot(): ControlSnapshot | null;
  waitSnapshot(lastVersion: number, timeoutMs: number): Promise<ControlSnapshot | null>;
  lastResult(): CommandResult | null;
  close(): void;
}

export const MAILBOX_POLL_MAX = 64;
