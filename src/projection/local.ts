/**
 * LocalSpoolSink: the embedded default when no server is configured (DITA_V2_HAZELCAST=OFF and
 * DITA_V2_CLICKHOUSE=OFF). Everything the projection emits — map writes as `{kind:"map", ...}` and
 * records as they are — is appended to `<stateDir>/spool/local.spool` in the spool framing, and
 * acknowledged at once: the file *is* the destination. Read it back with `readSpoolFile` or `scanLocalSpool` (local_read.ts): every
 * record in order, and for each (map, key) its latest write last.
 *
 * The file keeps every record for good, but a map write only until a later one of the same (map, key)
 * supersedes it: once the superseded bytes are at least `compactBytes` (4 MiB) and at least what the
 * file keeps, the file is rewritten without them (`_local_compact.ts`: new generation written, synced,
 * renamed in; a crash leaves the old file or the new one whole). Before, every map write was kept for
 * ever, so marks alone filled the file to its cap and then every record was refused. What remains is
 * bounded like every spool (SPOOL_FULL past the cap): the records and the latest write of each key.
 * Nothing drains the file, so records alone would reach that cap after weeks and the newest rows be
 * refused: once the file holds `segmentBytes` (64 MiB) beyond what its last seal carried over it is
 * sealed (`_local_seal.ts`: moved whole to `local-sealed/<n>.spool`, a new file started with each key's
 * latest write) and the oldest sealed files beyond `keep` (8) deleted, each seal reported as
 * SPOOL_ROTATED (INFO; WARNING naming the files when it deleted some). A seal that fails is reported
 * once (SPOOL_FULL WARNING `seal_failed`) and tried again after another quarter segment.
 * A compaction that fails (disk full) is reported once (SPOOL_FULL WARNING `compact_failed`), the file
 * stays as it was and the next try waits for as many superseded bytes again.
 *
 * `writeRecords` answers with the prefix of the batch it is done with (what the outbox acknowledges),
 * not the number of rows stored: a record too large for a frame is refused alone, for good, and reported
 * (SPOOL_FULL `too_large`), so it counts as handled with the rows around it (else the rows after it were
 * sent again, stored twice, and a refused last row was retried for ever). A batch refused whole (the
 * cap, a failed write) is written 0 with an error: the outbox keeps it and retries. `writeMaps` likewise
 * rejects map writes the file refuses (the outbox keeps the latest per key) and counts a too-large one handled.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { HEADER_BYTES } from "./_frame.ts";
import {
  type CompactIo,
  compactDue,
  compactLocalFile,
  type MapBytes,
  mapKeyOf,
  scanMapBytes,
  sealLocalFile,
} from "./_local_compact.ts";
import { SealedFiles } from "./_local_seal.ts";
import { fsyncDir } from "./_spool_file.ts";
import { Spool } from "./spool.ts";
import {
  errorText,
  type MapWrite,
  type OutRecord,
  type ProjectionDiagnostic,
  RECORD_KINDS,
  type RecordKind,
  type Sink,
  type WriteResult,
} from "./types.ts";

export interface LocalSinkOptions extends CompactIo {
  /** Compact once superseded map writes hold at least this many bytes (and at least what is kept). */
  compactBytes?: number;
  /** Seal the file once it holds this many bytes beyond what its last seal carried over (default 64 MiB). */
  segmentBytes?: number;
  /** Sealed files kept; older ones are deleted (default 8). */
  keep?: number;
}

export const LOCAL_SEGMENT_BYTES_DEFAULT = 64 * 1024 * 1024;
export const LOCAL_KEEP_DEFAULT = 8;

export class LocalSpoolSink implements Sink {
  readonly name = "local";
  readonly address: string;
  readonly takesMaps = true;
  readonly mirrorGated = false;
  private file: Spool;
  /** The file's map bytes: scanned at the first write, not at start (restarts read nothing extra). */
  private maps: MapBytes | null = null;
  private readonly compactBytes: number;
  /** After a failed compaction: the superseded bytes at which to try again. */
  private retryAt = 0;
  private compactFailing = false;
  /** Compactions done since open (tests, operators). */
  compactions = 0;
  private readonly sealed: SealedFiles;
  private readonly segmentBytes: number;
  private readonly keep: number;
  /** The file's size just after its last seal (the carried map writes), 0 before one. */
  private carried = 0;
  /** After a failed seal: the file size at which to try again. */
  private sealRetryAt = 0;
  private sealFailing = false;

  constructor(
    private readonly spoolDir: string,
    private readonly onDiagnostic: (d: ProjectionDiagnostic) => void,
    private readonly maxBytes?: number,
    private readonly opts: LocalSinkOptions = {},
  ) {
    this.compactBytes = opts.compactBytes ?? 4 * 1024 * 1024;
    this.segmentBytes = opts.segmentBytes ?? LOCAL_SEGMENT_BYTES_DEFAULT;
    this.keep = opts.keep ?? LOCAL_KEEP_DEFAULT;
    // The newest sealed file always stays: the next number is one above it, so none is ever reused.
    if (!(Number.isInteger(this.keep) && this.keep >= 1))
      throw new Error(`Invariant: keep must be >= 1, got ${this.keep}`);
    this.file = this.openSpool();
    this.address = this.file.path;
    this.sealed = SealedFiles.open(spoolDir);
  }

  takes(kind: RecordKind): boolean {
    return (RECORD_KINDS as readonly string[]).includes(kind);
  }

  async connect(): Promise<void> {}

  async writeMaps(writes: readonly MapWrite[]): Promise<{ applied: number; stale: number }> {
    this.compactIfDue();
    const values = writes.map((w) => ({ kind: "map", ...w }));
    const before = this.fileBytes;
    const lost = this.file.lostTotal;
    const n = this.file.append(values);
    // As for records: refused whole (cap, failed write) is not applied, so the outbox keeps and retries it.
    const refused = writes.length - n - (this.file.lostTotal - lost);
    if (n > 0) this.noteMaps(values, this.fileBytes - before);
    this.compactIfDue(); // may reopen the file (a new Spool, counters from 0)
    this.sealIfDue();
    if (refused > 0) throw new Error(`local sink: ${this.address} refused ${refused} map write(s) (see SPOOL_FULL)`);
    return { applied: n, stale: 0 };
  }

  /** The outbox's spill appends here, on its thread: the file is its own spool (Sink.store). */
  readonly store = { append: (records: readonly OutRecord[]) => (this.storeAll(records) ? records.length : 0) };

  async writeRecords(records: readonly OutRecord[]): Promise<WriteResult> {
    if (this.storeAll(records)) return { written: records.length };
    const error = new Error(`local sink: ${this.address} refused ${records.length} record(s) (see SPOOL_FULL)`);
    return { written: 0, error };
  }

  /** Appends `records`: true when each was stored (or, too large, refused and counted); false when refused whole. */
  private storeAll(records: readonly OutRecord[]): boolean {
    this.compactIfDue();
    const lost = this.file.lostTotal;
    const stored = this.file.append(records);
    this.sealIfDue();
    return stored + this.file.lostTotal - lost === records.length;
  }

  async close(): Promise<void> {
    this.file.close();
  }

  sealedFiles(): { files: number; bytes: number } {
    return { files: this.sealed.count, bytes: this.sealed.bytes };
  }

  /** The file's size: nothing of the local file is ever acknowledged, so its backlog is all of it. */
  private get fileBytes(): number {
    return HEADER_BYTES + this.file.backlogBytes;
  }

  private openSpool(): Spool {
    // compactBytes = Infinity: nothing is ever acknowledged away, the file is the record.
    const { onDiagnostic, maxBytes } = this;
    return new Spool(this.spoolDir, "local", { onDiagnostic, maxBytes, compactBytes: Number.POSITIVE_INFINITY });
  }

  /**
   * Counts a stored batch of `bytes`, each write taken as an equal share of them (not encoded again):
   * the count only decides when to look; `compactLocalFile` reads the file and decides exactly.
   */
  private noteMaps(values: readonly { map: string; key: string }[], bytes: number): void {
    const maps = this.mapBytes;
    for (const v of values) maps.note(mapKeyOf(v) ?? "", bytes / values.length);
  }

  private get mapBytes(): MapBytes {
    this.maps ??= scanMapBytes(this.address, this.fileBytes);
    return this.maps;
  }

  private compactIfDue(): void {
    const superseded = this.mapBytes.superseded;
    if (superseded < this.retryAt || !compactDue(superseded, this.fileBytes, this.compactBytes)) return;
    try {
      const r = compactLocalFile(this.address, this.fileBytes, this.compactBytes, this.opts);
      if (r.compacted) this.reopen();
      this.maps = r.maps;
      this.retryAt = 0;
      this.compactFailing = false;
      const dropped = `compaction dropped ${r.corruptBytes} corrupt bytes (reported when met, unreadable)`;
      if (r.corruptBytes > 0) this.report("SPOOL_CORRUPT", dropped, { bytes: r.corruptBytes, reason: "compacted" });
    } catch (e) {
      this.retryAt = superseded + Math.max(this.compactBytes, superseded);
      if (this.compactFailing) return;
      this.compactFailing = true;
      const why = `compaction failed (${errorText(e)}); the file keeps its superseded map writes until a later one succeeds`;
      this.report("SPOOL_FULL", why, { refused: 0, reason: "compact_failed" });
    }
  }

  /**
   * Seals the file once it holds `segmentBytes` beyond what its last seal carried (see the module comment).
   * Never throws: the batch that triggered it is stored already, and a throw would have it sent again.
   */
  private sealIfDue(): void {
    const size = this.fileBytes;
    if (size - this.carried < this.segmentBytes || size < this.sealRetryAt) return;
    try {
      this.seal(size);
    } catch (e) {
      this.sealRetryAt = size + Math.ceil(this.segmentBytes / 4);
      if (this.sealFailing) return;
      this.sealFailing = true;
      this.report("SPOOL_FULL", `seal failed (${errorText(e)}); the file grows until a later one succeeds`, {
        refused: 0,
        reason: "seal_failed",
      });
    }
  }

  private seal(size: number): void {
    const { n, path } = this.sealed.next();
    try {
      sealLocalFile(this.address, size, path, this.opts);
    } catch (e) {
      if (existsSync(this.address) || !existsSync(path)) throw e;
      // Moved into the sealed directory, its successor not renamed in: a fresh file starts; the sealed one holds the maps.
    }
    this.sealed.took(n);
    this.reopen(); // an open that fails leaves the sink refusing (and reporting) appends, as after a compaction
    this.maps = null;
    this.carried = this.fileBytes;
    this.sealRetryAt = 0;
    this.sealFailing = false;
    let pruned: { file: string; bytes: number }[] = [];
    let pruneFailed = "";
    try {
      fsyncDir(this.sealed.dir);
      fsyncDir(dirname(this.address));
      pruned = this.sealed.prune(this.keep);
    } catch (e) {
      pruneFailed = `; syncing or deleting the oldest failed (${errorText(e)}), tried again at the next seal`;
    }
    const gone =
      pruned.length > 0 ? `; deleted the oldest beyond ${this.keep} kept: ${pruned.map((p) => p.file).join(", ")}` : "";
    this.onDiagnostic({
      code: "SPOOL_ROTATED",
      severity: pruned.length > 0 || pruneFailed !== "" ? "WARNING" : "INFO",
      sink: this.name,
      message: `local sink ${this.address}: sealed ${size} bytes as ${path}${gone}${pruneFailed}`,
      details: { sealed: path, bytes: size, kept: this.sealed.count, pruned },
    });
  }

  /** The new generation is in place: the spool reopens it (an open that fails closes the old one, so
   *  later appends are refused and reported rather than written to the replaced file). */
  private reopen(): void {
    let next: Spool;
    try {
      next = this.openSpool();
    } catch (e) {
      this.file.close();
      throw e;
    }
    this.file.close();
    this.file = next;
    this.compactions += 1;
  }

  private report(code: "SPOOL_FULL" | "SPOOL_CORRUPT", message: string, details: Record<string, unknown>): void {
    this.onDiagnostic({
      code,
      severity: "WARNING",
      sink: this.name,
      message: `local sink ${this.address}: ${message}`,
      details,
    });
  }
}
