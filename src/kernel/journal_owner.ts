/**
 * Whose journal a directory is: the strategies (namespaces) its segment headers name, oldest
 * segment first, each once. A start checks it before recovering from the directory, so a state
 * dir shared by mistake (or a namespace renamed over an old state dir) cannot make one strategy
 * restore and trade another's slots. Unreadable headers name no one (the replay reports them).
 *
 * Entry point: `journalStrategies(dir)`.
 */

import { SegmentReader } from "./_segment_reader.ts";
import { listJournal } from "./segment_replay.ts";

export function journalStrategies(dir: string): string[] {
  const seen: string[] = [];
  for (const [, path] of [...listJournal(dir).segments].sort(([a], [b]) => a - b)) {
    const h = SegmentReader.header(path);
    if ("reason" in h || seen.includes(h.strategy)) continue;
    seen.push(h.strategy);
  }
  return seen;
}
