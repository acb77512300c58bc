/**
 * The planted-bug sample (scripts/planted_bugs.ts): 45 realistic one-line bugs in the kernel
 * binding's encoder and decoder, the projection outbox and spool, start-up recovery, the BingX
 * signer, REST client and transport, the order path, and libzinc (C). Each is the kind of slip a
 * reviewer could miss: a unit off by 1000, a boundary moved by one, a sign flipped, a guard
 * dropped, an offset misread, a retry that re-sends. `find` must occur exactly once in `file`; the script refuses otherwise.
 *
 * Entry points: `PLANTED`, `Plant`, `Area`. The bugs themselves: _planted_binding.ts (encoder, decoder,
 * outbox, spool), _planted_edges.ts (recovery, signer, REST client, libzinc).
 */

import { BINDING_PLANTS } from "./_planted_binding.ts";
import { EDGE_PLANTS } from "./_planted_edges.ts";

export type Area = "encoder" | "decoder" | "outbox" | "spool" | "recovery" | "signer" | "rest" | "libzinc";

export interface Plant {
  id: string;
  area: Area;
  file: string;
  find: string;
  replace: string;
  /** What the bug would cost, in one line. */
  bug: string;
}

export const PLANTED: readonly Plant[] = [...BINDING_PLANTS, ...EDGE_PLANTS];
