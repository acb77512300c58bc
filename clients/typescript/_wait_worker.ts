/**
 * Worker that sleeps in libzinc's futex waits so the strategy's event loop never blocks:
 * `{op: "lane", libPath, id, lane, last, chunkMs}` waits on an outcome lane's head,
 * `{op: "seq", libPath, id, last, chunkMs}` on a region's sequence; it answers `{value}` when the
 * value changed, the chunk passed, or the handle closed (then negative). One request at a time.
 */

import { loadZinc } from "./_zinc.ts";

declare const self: Worker;

interface Request {
  op: "lane" | "seq";
  libPath: string;
  id: number;
  lane: number;
  last: number;
  chunkMs: number;
}

self.onmessage = (e: MessageEvent<Request>) => {
  const r = e.data;
  const lib = loadZinc(r.libPath);
  const value =
    r.op === "lane"
      ? lib.zinc_outcome_wait(r.id, r.lane, r.last, 0, r.chunkMs)
      : lib.zinc_wait(r.id, r.last, r.chunkMs);
  self.postMessage({ value: Number(value) });
};
