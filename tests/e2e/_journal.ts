/**
 * Reads a state dir's journal the way an operator does: `dist/dita-v2 replay <dir>/journal --from
 * oldest --export jsonl` (every entry every kept run journaled, in order). Each entry's `type` is
 * its input kind, `RAW` for a Zinc ring record, `RESTORE_SLOT` for a slot restore.
 */

import { join } from "node:path";
import { run } from "./_exe.ts";

export interface JournalEntry {
  run: string;
  seq: number;
  source: "input" | "ring" | "restore";
  type: string;
  /** The record's non-zero fields by ABI name (inputs and ring records). */
  input?: Record<string, string | number>;
  /** A restore's slot image. */
  image_b64?: string;
}

export function journalEntries(stateDir: string): JournalEntry[] {
  const r = run(["replay", join(stateDir, "journal"), "--from", "oldest", "--export", "jsonl"]);
  if (r.code !== 0) throw new Error(`replay --export failed (${r.code}): ${r.stderr.slice(-400)}`);
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Omit<JournalEntry, "type"> & { end?: boolean })
    .filter((e) => e.seq !== undefined)
    .map((e) => ({
      ...e,
      type: e.source === "restore" ? "RESTORE_SLOT" : e.source === "ring" ? "RAW" : String(e.input?.kind),
    }));
}
