/**
 * Turns one raw mailbox record into a `CommandResult`: decode (malformed → nothing applied),
 * then `apply` (nextControlSnapshot validation; a ControlError → rejected, nothing applied).
 * Any other exception is a programmer error and propagates.
 */

import { ControlError, type ControlSnapshot } from "../contracts/control.ts";
import { decodeCommand } from "./codec.ts";
import type { CommandResult } from "./command_result.ts";

export function applyCommand(
  record: Uint8Array,
  current: ControlSnapshot,
  apply: (change: Record<string, unknown>) => ControlSnapshot,
): CommandResult {
  let requestId = 0;
  try {
    const cmd = decodeCommand(record);
    requestId = cmd.requestId;
    const next = apply(cmd.change);
    return {
      requestId,
      status: "APPLIED",
      key: "",
      message: `applied, version ${next.version}`,
      version: next.version,
    };
  } catch (e) {
    if (!(e instanceof ControlError)) throw e;
    const status = e.key === "mailbox" ? "MALFORMED" : "REJECTED";
    return { requestId, status, key: e.key, message: e.message, version: current.version };
  }
}

/** Waits on a sequence until `read()` returns a snapshot whose version differs, or the timeout. */
export async function waitForVersion(
  read: () => ControlSnapshot | null,
  seq: () => number,
  waitSeq: (lastSeq: number, timeoutMs: number) => Promise<number>,
  lastVersion: number,
  timeoutMs: number,
): Promise<ControlSnapshot | null> {
  let expired = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      expired = true;
      resolve();
    }, timeoutMs);
  });
  try {
    // Bounded: each pass waits for a publish or the deadline; a publish that was not a new
    // snapshot (a mailbox post, a result) just loops once more.
    for (let pass = 0; pass < 100_000; pass++) {
      const s = seq();
      const snap = read();
      if (snap !== null && snap.version !== lastVersion) return snap;
      if (expired) return null;
      await Promise.race([waitSeq(s, timeoutMs), deadline]);
    }
    return null;
  } finally {
    clearTimeout(timer);
  }
}
