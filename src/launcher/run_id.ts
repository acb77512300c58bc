/**
 * The kernel lifetime's id ("run"): 64 bits from the operating system's randomness, as 16 hex
 * digits, drawn once per process when the bundle is built. It goes into the journal header and
 * into every projected table row id (`<strategy>:<run>:<journal seq>:T<i>`), which makes row ids
 * unique for the life of a namespace across restarts, lost state dirs and hosts (two runs share an
 * id with probability about n²/2⁶⁵), while a replay of a journal reuses its header's run and so
 * rebuilds the same ids. It decides nothing else, so drawing it does not break determinism.
 *
 * Entry point: `newRunId()`.
 */

import { randomBytes } from "node:crypto";
import { RUN_ID_RE } from "../contracts/records.ts";

export function newRunId(): string {
  const id = randomBytes(8).toString("hex");
  if (!RUN_ID_RE.test(id)) throw new Error(`Invariant: run id ${id} does not match ${RUN_ID_RE.source}`);
  return id;
}
