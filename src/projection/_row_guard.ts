/**
 * Row guard: a row that cannot be built (its builder throws on an unexpected record) or encoded as
 * JSON (a BigInt, a cycle) is lost on its own — never with the batch around it, never silently.
 * `buildRecords` resolves lazy rows one at a time and sets the failures apart; `keepEncodable` (and
 * `spoolRecords`, for a spool) drops, after a write threw, the values JSON cannot encode (failure
 * paths only: sound rows cost nothing extra). Each returns `{kept, failed}`; the outbox reports one
 * batch's failures as one SPOOL_FULL (CRITICAL, `details.reason` `row_failed`, `rowFailedDiagnostic`),
 * the code of every row the projection refuses (README "Outbox and spool").
 */
import type { Spool } from "./spool.ts";
import { errorText, type OutRecord, type PendingRecord, type ProjectionDiagnostic } from "./types.ts";

/** One row lost: its record kind (or "map"), which row, and why. */
export interface RowFailure {
  kind: string;
  what: string;
  error: string;
}

/** What survived a step, in order, and the rows it lost. */
export interface Guarded<T> {
  kept: T[];
  failed: RowFailure[];
}

/** The records of `pending` whose rows could be built; the others in `failed`. */
export function buildRecords(pending: readonly PendingRecord[]): Guarded<OutRecord> {
  const out: Guarded<OutRecord> = { kept: [], failed: [] };
  for (const r of pending) {
    if (typeof r.row !== "function") out.kept.push(r as OutRecord);
    else
      try {
        out.kept.push({ kind: r.kind, row: r.row() });
      } catch (e) {
        out.failed.push({ kind: r.kind, what: `a ${r.kind} row`, error: errorText(e) });
      }
  }
  return out;
}

/** The values JSON can encode; the others in `failed` (`describe` names them). */
export function keepEncodable<T>(values: readonly T[], describe: (v: T) => { kind: string; what: string }): Guarded<T> {
  const failed: RowFailure[] = [];
  const kept = values.filter((v) => {
    try {
      JSON.stringify(v);
      return true;
    } catch (e) {
      failed.push({ ...describe(v), error: errorText(e) });
      return false;
    }
  });
  return { kept, failed };
}

/** Where a spill appends rows: a spool, or a sink that stores on the caller's thread (`Sink.store`). */
export type Appender = Pick<Spool, "append">;

/**
 * Builds `pending` and appends the rows to `spool`; if encoding one threw (it does so before anything
 * is written), appends those JSON can encode. `whole`: every record was built, encoded and stored;
 * `stored`: how many of `kept` the append took (all or none: a spool refuses a batch whole).
 */
export function spoolRecords(
  spool: Appender,
  pending: readonly PendingRecord[],
): Guarded<OutRecord> & { whole: boolean; stored: number } {
  const built = buildRecords(pending);
  let r: Guarded<OutRecord> = { kept: built.kept, failed: [] };
  let stored: number;
  try {
    stored = spool.append(r.kept);
  } catch {
    r = keepEncodable(built.kept, describeRecord);
    stored = spool.append(r.kept);
  }
  const failed = [...built.failed, ...r.failed];
  return { kept: r.kept, failed, whole: failed.length === 0 && stored === r.kept.length, stored };
}

export const describeRecord = (r: OutRecord) => ({
  kind: r.kind,
  what: `${r.kind} row ${(r.row as Partial<OutRecord["row"]> | null)?.row_id ?? "(no row_id)"}`,
});
export const describeMap = (w: { map: string; key: string }) => ({ kind: "map", what: `map row ${w.map}[${w.key}]` });

/** One diagnostic for the rows of one batch that were lost (`failed` not empty). */
export function rowFailedDiagnostic(sink: string, failed: readonly RowFailure[]): ProjectionDiagnostic {
  const first = failed[0]!;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
  const then = failed.every((f) => f.kind === "map")
    ? "each key keeps its previous value until its next write"
    : "the projected mark stops before them (the next start's catch-up builds them again from the journal)";
  return {
    code: "SPOOL_FULL",
    severity: "CRITICAL",
    sink,
    message: `${sink}: ${failed.length} row(s) could not be built or encoded and were dropped: ${first.what}: ${first.error}${more}; ${then}`,
    details: {
      reason: "row_failed",
      failed: failed.length,
      kinds: [...new Set(failed.map((f) => f.kind))],
      rows: failed.slice(0, 10).map((f) => f.what),
      error: first.error,
    },
  };
}
