/**
 * Connecting a client: the library, the four regions of the prefix (the control region is
 * optional: a kernel whose control plane is in memory has none), a live writer, the namespace the
 * region records, the state sequence (a word >= 2^63 is CorruptRegionError), and one claimed
 * outcome lane. Every refusal is its own error (errors.ts); a
 * refusal closes whatever was opened.
 *
 * Entry points: `openConnection`, `ConnectOptions`, `ClientInfo`, `Handles`.
 */

import { liveKernel } from "./_kernel.ts";
import { loadZinc, openRegion, resolveLibPath, stateSeq, type ZincLib } from "./_zinc.ts";
import { ForeignNamespaceError, KernelNotRunningError, LanesBusyError, RegionMissingError } from "./errors.ts";

export interface ConnectOptions {
  /** The kernel's DITA_V2_ZINC_PREFIX (default `dita_v2_<namespace>`). */
  prefix?: string;
  /** The strategy namespace this client trades for; a prefix of another namespace is refused. */
  namespace?: string;
  /** Path of libzinc.so (default: DITA_V2_ZINC_LIB). */
  libPath?: string;
  /** Busy-wait before sleeping on an outcome, µs (default 200, 0..10000). */
  spinUs?: number;
  /** The clock stamped into each record's now_ms (default Date.now). */
  nowMs?: () => number;
}

export interface ClientInfo {
  prefix: string;
  namespace: string;
  lane: number;
  generation: number;
  slotCount: number;
  writerPid: number;
  kernelGeneration: number;
}

export interface Handles {
  intents: number;
  state: number;
  control: number | null;
  outcomes: number;
}

export interface Connection {
  lib: ZincLib;
  libPath: string;
  h: Handles;
  info: ClientInfo;
  spinUs: number;
  nowMs: () => number;
  /** The monotonic clock of the reads' retry bound, ms (default performance.now). */
  monoMs?: () => number;
  /** The state region's sequence at connect (`waitForChange` answers the next one). */
  stateSeq: number;
}

/** A kernel whose control plane is in memory (DITA_V2_CONTROL_PLANE=MEMORY) has no control region. */
function optional(open: () => number): number | null {
  try {
    return open();
  } catch (e) {
    if (e instanceof RegionMissingError) return null;
    throw e;
  }
}

export function openConnection(o: ConnectOptions = {}): Connection {
  const libPath = resolveLibPath(o.libPath);
  const lib = loadZinc(libPath);
  const prefix = o.prefix ?? `dita_v2_${o.namespace ?? "pink"}`;
  const opened: number[] = [];
  const open = (kind: "intents" | "state" | "control" | "outcomes") => {
    const id = openRegion(lib, prefix, kind);
    opened.push(id);
    return id;
  };
  try {
    const h = {
      intents: open("intents"),
      state: open("state"),
      control: optional(() => open("control")),
      outcomes: open("outcomes"),
    };
    const { header: state, alive } = liveKernel(lib, h.state);
    if (!alive)
      throw new KernelNotRunningError(
        state.writerPid === 0
          ? `/dev/shm/${prefix}.state: no kernel holds the regions (its last writer closed them); start dita-v2 serve`
          : `/dev/shm/${prefix}.state: writer pid ${state.writerPid} is not running (a stale region from a dead kernel)`,
      );
    const ns = new Uint8Array(32);
    lib.zinc_outcome_namespace(h.outcomes, ns);
    const end = ns.indexOf(0);
    const namespace = new TextDecoder().decode(end < 0 ? ns : ns.subarray(0, end));
    if (o.namespace !== undefined && namespace !== "" && namespace !== o.namespace)
      throw new ForeignNamespaceError(
        `prefix '${prefix}' belongs to namespace '${namespace}', not '${o.namespace}': refusing to trade another strategy's slots`,
      );
    const seq = stateSeq(lib, h.state, prefix); // a word >= 2^63: refused before a lane is claimed
    const gen = new Uint32Array(1);
    const lane = lib.zinc_outcome_claim(h.outcomes, gen);
    if (lane < 0)
      throw new LanesBusyError(`/dev/shm/${prefix}.outcomes: every outcome lane is held by a live producer`);
    const info: ClientInfo = {
      prefix,
      namespace,
      lane,
      generation: gen[0]!,
      slotCount: state.recordCount,
      writerPid: state.writerPid,
      kernelGeneration: state.generation,
    };
    const spin = Math.max(0, Math.min(10_000, Math.trunc(o.spinUs ?? 200)));
    return { lib, libPath, h, info, spinUs: spin, nowMs: o.nowMs ?? (() => Date.now()), stateSeq: seq };
  } catch (e) {
    for (const id of opened) lib.zinc_close(id);
    throw e;
  }
}
