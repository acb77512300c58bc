/**
 * Worker that blocks in `zinc_wait` (a futex sleep in C) so Bun's main thread never does.
 * Protocol: the main thread posts `{ libPath, id, lastSeq, chunkMs }`; the worker answers
 * `{ seq }` when the region's sequence differs from `lastSeq`, the chunk passes, or the handle
 * closes (then `seq` is negative). One request at a time.
 */

import { loadZinc } from "./_lib.ts";

declare const self: Worker;

self.onmessage = (e: MessageEvent<{ libPath: string; id: number; lastSeq: number; chunkMs: number }>) => {
  const { libPath, id, lastSeq, chunkMs } = e.data;
  const seq = loadZinc(libPath).zinc_wait(id, lastSeq, chunkMs);
  self.postMessage({ seq: Number(seq) });
};
