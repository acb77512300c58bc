/**
 * Turns one raw mailbox record into a `CommandResult`: decode (malformed → nothing applied, answered
 * under the record's request id when its header is a command's),
 * then either the flatten action (`{"flatten": true}` or `{"flatten": {"timeout_ms": N}}`, alone:
 * handed to `act`, answered STARTED; the final answer follows under the same request id) or
 * `apply` (nextControlSnapshot validation; a ControlError → rejected, nothing applied). Any other
 * exception is a programmer error and propagates.
 */

import { ControlError, type ControlSnapshot } from "../contracts/control.ts";
import { type FlattenRequest, parseFlattenRequest } from "../contracts/flatten.ts";
import { commandRequestId, decodeCommand } from "./codec.ts";
import type { CommandResult } from "./command_result.ts";
import type { CommandActions } from "./types.ts";

export function applyCommand(
  record: Uint8Array,
  current: ControlSnapshot,
  apply: (change: Record<string, unknown>) => ControlSnapshot,
  actions: CommandActions | null = null,
): CommandResult {
  // A malformed body is answered under its poster's id (0 when the record is no command at all).
  const requestId = commandRequestId(record);
  try {
    const cmd = decodeCommand(record);
    if ("flatten" in cmd.change) {
      const request = flattenRequest(cmd.change);
      if (actions === null) throw new ControlError("flatten", "flatten is not available on this control plane");
      const message = actions.flatten(request, requestId);
      return { requestId, status: "STARTED", key: "flatten", message, version: current.version };
    }
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

function flattenRequest(change: Record<string, unknown>): FlattenRequest {
  if (Object.keys(change).length !== 1)
    throw new ControlError("flatten", "flatten is a command of its own: no other keys");
  const v = change.flatten;
  const parsed =
    v === true
      ? parseFlattenRequest({})
      : isObject(v)
        ? parseFlattenRequest(v)
        : "flatten must be true or {timeout_ms}";
  if (typeof parsed === "string") throw new ControlError("flatten", parsed);
  return parsed;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

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
