/**
 * Compaction of the local sink's file (local.ts). A map write (`{kind:"map", map, key, ...}`) is key →
 * latest value: a later frame of the same (map, key) supersedes it. Every other frame (the records) is
 * kept for good. Compaction rewrites the file with every record frame in its order and the latest map
 * frame of each key in its order, byte for byte, dropping superseded map frames (and corrupt ranges,
 * which no reader can use and the spool reported when it met them).
 *
 * Crash safety, as the spool's own compaction (spool.ts, invariant 1; both through `installFile`):
 * the new generation is written to `<path>.tmp`, fsynced, then renamed over `<path>`. A crash before the rename leaves the old file
 * whole (a stale `.tmp` is ignored and overwritten by the next compaction); after it, the new one.
 * A failed write or rename removes the tmp and throws; the old file stays as it was.
 *
 * Cost: two reads of the file (find each key's latest frame, then copy) and one write of what is kept.
 * The sink compacts only once the superseded bytes are at least `minBytes` and at least what is kept
 * (`shouldCompact`), so every byte copied is paid for by a byte dropped, each dropped once: linear.
 *
 * Sealing (`sealLocalFile`, driven by `_local_seal.ts`) is the other rewrite: the whole file moves to the
 * sealed directory and the new generation keeps only each key's latest map write.
 */
import { closeSync, openSync, renameSync } from "node:fs";
import {
  decodeHeader,
  FRAME_HEAD_BYTES,
  FRAME_MAX_BYTES,
  HEADER_BYTES,
  type ScanResult,
  scanFrames,
} from "./_frame.ts";
import { defaultWrite, installFile, readAll, type SpoolWrite, shouldCompact } from "./_spool_file.ts";

const WINDOW_BYTES = FRAME_MAX_BYTES + FRAME_HEAD_BYTES;

export interface CompactIo {
  /** Positional write for the new file (default `fs.writeSync`); tests inject a failing one. */
  write?: SpoolWrite;
  /** Installs the new file (default `fs.renameSync`); tests inject a failing one. */
  rename?: (from: string, to: string) => void;
}

/** The (map, key) a frame's value writes, or null when it is a record (anything but a map write). */
export function mapKeyOf(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as { kind?: unknown; map?: unknown; key?: unknown };
  if (v.kind !== "map" || typeof v.map !== "string" || typeof v.key !== "string") return null;
  return JSON.stringify([v.map, v.key]);
}

/** Map-write bytes of a file: the frame size of each key's latest write and the bytes superseded. */
export class MapBytes {
  readonly latest = new Map<string, number>();
  superseded = 0;

  note(key: string, frameBytes: number): void {
    const before = this.latest.get(key);
    if (before !== undefined) this.superseded += before;
    this.latest.set(key, frameBytes);
  }
}

/** True when dropping `superseded` of a file of `fileBytes` is worth copying the rest. */
export function compactDue(superseded: number, fileBytes: number, minBytes: number): boolean {
  return superseded > 0 && shouldCompact(superseded, fileBytes - HEADER_BYTES - superseded, minBytes);
}

/** Calls `visit` with each window of valid frames of [HEADER_BYTES, size), in file order. */
function eachWindow(fd: number, size: number, visit: (buf: Uint8Array, base: number, scan: ScanResult) => void): void {
  for (let at = HEADER_BYTES; at < size; ) {
    const len = Math.min(WINDOW_BYTES, size - at);
    const buf = new Uint8Array(len);
    readAll(fd, buf, at);
    const scan = scanFrames(buf, at + len >= size, Number.MAX_SAFE_INTEGER);
    visit(buf, at, scan);
    if (scan.consumed === 0) break;
    at += scan.consumed;
  }
}

interface Scan {
  maps: MapBytes;
  /** Absolute offset of each key's latest frame. */
  latestAt: Map<string, number>;
  corruptBytes: number;
}

function scanFile(fd: number, size: number): Scan {
  const maps = new MapBytes();
  const latestAt = new Map<string, number>();
  let corruptBytes = 0;
  eachWindow(fd, size, (_buf, base, scan) => {
    for (const f of scan.frames) {
      const key = mapKeyOf(f.value);
      if (key === null) continue;
      maps.note(key, f.end - f.start);
      latestAt.set(key, base + f.start);
    }
    for (const s of scan.skipped) corruptBytes += s.to - s.from;
  });
  return { maps, latestAt, corruptBytes };
}

/** Map bytes of the first `size` bytes of the file at `path` (the sink's accounting at open). */
export function scanMapBytes(path: string, size: number): MapBytes {
  const fd = openSync(path, "r");
  try {
    return scanFile(fd, size).maps;
  } finally {
    closeSync(fd);
  }
}

export interface CompactResult {
  /** False when the file, read whole, held too few superseded bytes to be worth it (nothing written). */
  compacted: boolean;
  /** The map bytes of the file now in place (superseded 0 after a compaction). */
  maps: MapBytes;
  /** Bytes dropped: superseded map frames and corrupt ranges. */
  droppedBytes: number;
  corruptBytes: number;
}

/**
 * Rewrites the first `size` bytes of the file at `path` (generation + 1) without superseded map frames,
 * when `compactDue` holds for what the file really holds. Throws (tmp removed, file untouched) on failure.
 */
export function compactLocalFile(path: string, size: number, minBytes: number, io: CompactIo = {}): CompactResult {
  return withLocalFile(path, "compacted", (fd, generation) => {
    const scan = scanFile(fd, size);
    const droppedBytes = scan.maps.superseded + scan.corruptBytes;
    if (!compactDue(droppedBytes, size, minBytes))
      return { compacted: false, maps: scan.maps, droppedBytes: 0, corruptBytes: 0 };
    const body = (put: (chunk: Uint8Array) => void) => keptFrames(fd, size, scan.latestAt, put);
    installFile(io.write ?? defaultWrite, path, generation + 1, body, io.rename);
    scan.maps.superseded = 0;
    return { compacted: true, maps: scan.maps, droppedBytes, corruptBytes: scan.corruptBytes };
  });
}

/**
 * Seals the first `size` bytes of the file at `path`: it is moved whole to `sealedPath`, and a new
 * generation holding only each key's latest map write takes its place (written and synced first; see
 * `_local_seal.ts` for the order of the renames and what a crash between them leaves). Throws on failure:
 * the tmp removed, and `path` as it was unless the move to `sealedPath` was done (then `path` is missing).
 */
export function sealLocalFile(path: string, size: number, sealedPath: string, io: CompactIo = {}): void {
  withLocalFile(path, "sealed", (fd, generation) => {
    const { latestAt } = scanFile(fd, size);
    const rename = io.rename ?? renameSync;
    installFile(
      io.write ?? defaultWrite,
      path,
      generation + 1,
      (put) => keptFrames(fd, size, latestAt, put, false),
      (tmp, to) => {
        rename(to, sealedPath);
        rename(tmp, to);
      },
    );
  });
}

/** Runs `work` on the local file open for reading, with its header's generation (refused: not `verb`). */
function withLocalFile<T>(path: string, verb: string, work: (fd: number, generation: number) => T): T {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(HEADER_BYTES);
    readAll(fd, head, 0);
    const generation = decodeHeader(head);
    if (generation === null) throw new Error(`local sink: ${path} has no valid spool header; not ${verb}`);
    return work(fd, generation);
  } finally {
    closeSync(fd);
  }
}

/** Hands the frames to keep to `put`, one chunk per window: records (unless `records` is false), and each key's latest map write. */
function keptFrames(
  fd: number,
  size: number,
  latestAt: Map<string, number>,
  put: (chunk: Uint8Array) => void,
  records = true,
): void {
  eachWindow(fd, size, (buf, base, scan) => {
    const kept = scan.frames.filter((f) => {
      const key = mapKeyOf(f.value);
      return key === null ? records : latestAt.get(key) === base + f.start;
    });
    const chunk = new Uint8Array(kept.reduce((n, f) => n + f.end - f.start, 0));
    let at = 0;
    for (const f of kept) {
      chunk.set(buf.subarray(f.start, f.end), at);
      at += f.end - f.start;
    }
    put(chunk);
  });
}
