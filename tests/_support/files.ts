/** File helpers shared by tests that damage what a process has mapped or open. */

import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";

/** Truncates (or extends with zeros) the file at `path` to `bytes`, as a stray `truncate` would. */
export function resizeFile(path: string, bytes: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** Writes one little-endian u64 into the file at `path` at `offset`, as a stray process would (not through libzinc). */
export function writeU64(path: string, offset: number, value: bigint): void {
  const buf = new Uint8Array(8);
  new DataView(buf.buffer).setBigUint64(0, value, true);
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, buf, 0, 8, offset);
  } finally {
    closeSync(fd);
  }
}
