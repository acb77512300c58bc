/** File helpers shared by tests that damage what a process has mapped or open. */

import { closeSync, ftruncateSync, openSync } from "node:fs";

/** Truncates (or extends with zeros) the file at `path` to `bytes`, as a stray `truncate` would. */
export function resizeFile(path: string, bytes: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}
