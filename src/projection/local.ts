/**
 * LocalSpoolSink: the embedded default when no server is configured (DITA_V2_HAZELCAST=OFF and
 * DITA_V2_CLICKHOUSE=OFF). Everything the projection emits — map writes as `{kind:"map", ...}` and
 * records as they are — is appended to `<stateDir>/spool/local.spool` in the spool framing, and
 * acknowledged at once: the file *is* the destination. Read it back with `readSpoolFile`.
 * The file is bounded like every spool (SPOOL_FULL past the cap).
 *
 * `writeRecords` answers with the prefix of the batch it is done with (what the outbox acknowledges),
 * not the number of rows stored: a record too large for a frame is refused alone, for good, and reported
 * (SPOOL_FULL `too_large`), so it counts as handled with the rows around it (else the rows after it were
 * sent again, stored twice, and a refused last row was retried for ever). A batch refused whole (the
 * cap, a failed write) is written 0 with an error: the outbox keeps it and retries.
 */
import { readFileSync } from "node:fs";
import { HEADER_BYTES, scanFrames } from "./_frame.ts";
import { Spool } from "./spool.ts";
import {
  type MapWrite,
  type OutRecord,
  type ProjectionDiagnostic,
  RECORD_KINDS,
  type RecordKind,
  type Sink,
  type WriteResult,
} from "./types.ts";

export class LocalSpoolSink implements Sink {
  readonly name = "local";
  readonly address: string;
  readonly takesMaps = true;
  readonly mirrorGated = false;
  private readonly file: Spool;

  constructor(spoolDir: string, onDiagnostic: (d: ProjectionDiagnostic) => void, maxBytes?: number) {
    // compactBytes = Infinity: nothing is ever acknowledged away, the file is the record.
    this.file = new Spool(spoolDir, "local", { onDiagnostic, maxBytes, compactBytes: Number.POSITIVE_INFINITY });
    this.address = this.file.path;
  }

  takes(kind: RecordKind): boolean {
    return (RECORD_KINDS as readonly string[]).includes(kind);
  }

  async connect(): Promise<void> {}

  async writeMaps(writes: readonly MapWrite[]): Promise<{ applied: number; stale: number }> {
    const n = this.file.append(writes.map((w) => ({ kind: "map", ...w })));
    return { applied: n, stale: 0 };
  }

  async writeRecords(records: readonly OutRecord[]): Promise<WriteResult> {
    const lost = this.file.lostTotal;
    const stored = this.file.append(records);
    if (stored + this.file.lostTotal - lost === records.length) return { written: records.length };
    const error = new Error(
      `local sink: ${this.address} refused ${records.length - stored} record(s) (see SPOOL_FULL)`,
    );
    return { written: 0, error };
  }

  async close(): Promise<void> {
    this.file.close();
  }
}

/** Reads every valid record of a spool file (acknowledged or not), for operators and tests. */
export function readSpoolFile(path: string): { values: unknown[]; skippedBytes: number } {
  const bytes = new Uint8Array(readFileSync(path));
  const scan = scanFrames(bytes.subarray(HEADER_BYTES), true, Number.MAX_SAFE_INTEGER);
  return { values: scan.frames.map((f) => f.value), skippedBytes: scan.skipped.reduce((n, s) => n + s.to - s.from, 0) };
}
