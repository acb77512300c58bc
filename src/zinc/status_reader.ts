/**
 * `ZincStatusReader`: what `dita-v2 strategy-status` shows of a prefix's intents, state and outcomes
 * regions (the control snapshot is read by the control client; the control region's existence is
 * checked here), without taking any role — no writer lock, no outcome lane, no intent pushed — so it works
 * while serve's HTTP is down, or after the kernel died (the regions then show its last belief).
 * Slot and account images come back as bytes (decoded by the caller); outcome records are decoded
 * and validated here (`decodeOutcome`), and a record that does not decode is counted, not shown.
 *
 * The control snapshot is read by the control plane's own client (`RealControlCommandClient`);
 * `controlWriterPid` is the control region's writer pid, null when there is no such region (a kernel
 * whose control plane is in memory may find one an earlier run left: its pid is not the state's), or
 * why it cannot be opened (another layout, no permission: the rest is still shown).
 *
 * Entry point: `ZincStatusReader.open({ libPath, prefix })`.
 */

import { existsSync } from "node:fs";
import { check } from "./_lib.ts";
import { readAccountAndHash, readSlotImage } from "./_state_io.ts";
import { type DecodedOutcome, decodeOutcome, OUTCOME_LANE_DEPTH, OUTCOME_RECORD_BYTES } from "./outcome_record.ts";
import { type OutcomeLaneHeader, type OutcomeStats, readLaneHeader, readOutcomeStats } from "./outcome_region.ts";
import { type RegionHeader, ZincRegion } from "./region.ts";
import { ringStats } from "./ring_io.ts";
import type { RingStats } from "./types.ts";

const DEPTH = BigInt(OUTCOME_LANE_DEPTH);

export interface RecentOutcomes {
  /** The most recent refused outcomes (any origin), newest first, with their lane. */
  refusals: Array<DecodedOutcome & { lane: number }>;
  /** Records that did not decode (a hostile or broken writer). */
  undecodable: number;
}

export class ZincStatusReader {
  private constructor(
    private readonly r: { intents: ZincRegion; state: ZincRegion; outcomes: ZincRegion },
    /** The control region's writer pid; null with no control region (DITA_V2_CONTROL_PLANE=MEMORY); why it cannot be opened. */
    readonly controlWriterPid: number | null | { unreadable: string },
    readonly prefix: string,
  ) {}

  /** Opens the four regions read-only; the first refusal throws `ZincError("OPEN")` naming the file. */
  static open(o: { libPath: string; prefix: string }): ZincStatusReader {
    const opened: ZincRegion[] = [];
    const open = (kind: "intents" | "state" | "outcomes") => {
      const r = ZincRegion.open({ libPath: o.libPath, prefix: o.prefix, kind, recordCount: 0, writer: false });
      opened.push(r);
      return r;
    };
    try {
      const regions = { intents: open("intents"), state: open("state"), outcomes: open("outcomes") };
      return new ZincStatusReader(regions, controlWriterPid(o.libPath, o.prefix), o.prefix);
    } catch (e) {
      for (const r of opened) r.close();
      throw e;
    }
  }

  headers(): Record<"intents" | "state" | "outcomes", RegionHeader> {
    return { intents: this.r.intents.header(), state: this.r.state.header(), outcomes: this.r.outcomes.header() };
  }

  /** The state region's writer (the kernel) is alive: its pid exists with the same start time. */
  writerAlive(): boolean {
    return this.r.state.lib.zinc_writer_alive(this.r.state.id) === 1;
  }

  namespace(): string {
    const out = new Uint8Array(32);
    check(this.r.outcomes.lib.zinc_outcome_namespace(this.r.outcomes.id, out), `${this.r.outcomes.path}: namespace`);
    const end = out.indexOf(0);
    return new TextDecoder().decode(end < 0 ? out : out.subarray(0, end));
  }

  ring(): RingStats & { capacity: number; depth: number } {
    const s = ringStats(this.r.intents);
    const capacity = this.r.intents.header().recordCount;
    return { ...s, capacity, depth: s.tail - s.head };
  }

  slotImages(): Uint8Array[] {
    const n = this.r.state.header().recordCount;
    return Array.from({ length: n }, (_, i) => readSlotImage(this.r.state, n, i));
  }

  account(): { account: Uint8Array; stateHash: bigint; mirrorCount: bigint } {
    return readAccountAndHash(this.r.state);
  }

  outcomes(): OutcomeStats & { laneHeaders: OutcomeLaneHeader[] } {
    const stats = readOutcomeStats(this.r.outcomes);
    const laneHeaders = Array.from({ length: stats.lanes }, (_, i) => readLaneHeader(this.r.outcomes, i));
    return { ...stats, laneHeaders };
  }

  /** Scans what every lane still holds for refused outcomes; the newest `max` first. */
  recent(max: number): RecentOutcomes {
    const out = new Uint8Array(OUTCOME_RECORD_BYTES);
    const found: Array<DecodedOutcome & { lane: number }> = [];
    let undecodable = 0;
    const { lib, id } = this.r.outcomes;
    for (const lane of this.outcomes().laneHeaders) {
      // Positions are u64 and the header is untrusted: counted in doubles, `pos++` stops moving
      // past 2^53 and the scan never ends. Exact, and never more than the lane holds.
      const head = this.exactHead(lane.lane);
      const span = head < DEPTH ? head : DEPTH;
      for (let pos = head - span; pos < head; pos++) {
        if (lib.zinc_outcome_peek(id, lane.lane, pos, out) !== 0) continue;
        try {
          const o = decodeOutcome(out);
          if (!o.accepted) found.push({ ...o, lane: lane.lane });
        } catch {
          undecodable++;
        }
      }
    }
    found.sort((a, b) => b.now_ms - a.now_ms || b.lane_position - a.lane_position);
    return { refusals: found.slice(0, max), undecodable };
  }

  /** A lane's head as the u64 it is (`OutcomeLaneHeader.head` is a double, for display). */
  private exactHead(lane: number): bigint {
    const words = new BigUint64Array(8);
    const { lib, id, path } = this.r.outcomes;
    check(lib.zinc_outcome_lane_header(id, lane, words), `${path}: lane ${lane}`);
    return words[0] ?? 0n;
  }

  close(): void {
    for (const r of Object.values(this.r)) r.close();
  }
}

/** The writer pid in the control region's header; null when the prefix has no control region; why it cannot be read. */
function controlWriterPid(libPath: string, prefix: string): number | null | { unreadable: string } {
  if (!existsSync(`/dev/shm/${prefix}.control`)) return null;
  let r: ZincRegion;
  try {
    r = ZincRegion.open({ libPath, prefix, kind: "control", recordCount: 0, writer: false });
  } catch (e) {
    return { unreadable: (e as Error).message };
  }
  try {
    return r.header().writerPid;
  } finally {
    r.close();
  }
}
