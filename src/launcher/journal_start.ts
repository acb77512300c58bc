/**
 * The journal at start: recover the last state from `<state dir>/journal/` (the newest snapshot the
 * kernel accepts plus the segments after it, torn tails cut), install it in the new kernel, and begin
 * this run's segment from it.
 *
 *  - `recoverJournal(config, log, dir?)` first refuses (ConfigError, one line) a directory whose
 *    segments another strategy wrote (a state dir shared by mistake), then replays it into a
 *    scratch kernel (kernel/segment_replay.ts).
 *    A corrupt newest snapshot falls back to the previous one with one log line; a directory that
 *    cannot be replayed (no usable snapshot, a corrupt segment in the middle of a run, another slot
 *    count than DITA_V2_SLOTS) gives one `journal:` line and no journal belief: the start then takes
 *    its belief from the state region or Hazelcast, as without a journal. Such a directory is moved
 *    aside whole (`journal.unrecovered-N`, one more line) and this run journals into a new one, so
 *    nothing this build could not read is ever pruned by its rotations: no input is lost. So is a
 *    directory whose segments have no snapshot left to replay them from. The last run's trading state
 *    and tightened limits went with it: `haltForLostJournal` starts trading HALTED (one line), as when the
 *    live kernel refuses the state the replay recovered.
 *  - `adoptJournal(kernel, journal, start, log)` restores the recovered state into the live kernel
 *    (checked by the kernel; the state region is rewritten from it) and begins the new segment with a
 *    snapshot of it, so `dita-v2 replay DIR` reaches the live state hash. It does not prune: serve's
 *    `catchUp` still reads the older segments and prunes after it (journal_projection.ts), so the
 *    input after the projected mark is never deleted before its rows are rebuilt. A begin the disk refuses
 *    (full, not writable) fails the start with one line naming the directory; the segment writer
 *    leaves no snapshot or segment half-made.
 *
 * Entry points: `recoverJournal`, `adoptJournal`, `haltForLostJournal`, `JournalBelief`.
 */

import { chmodSync, existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../contracts/clock.ts";
import type { OperatorControlPlane } from "../control/index.ts";
import {
  type ExecutionKernel,
  JournalError,
  journalStrategies,
  listJournal,
  type SegmentJournal,
  walkJournal,
} from "../kernel/index.ts";
import { ConfigError, type RuntimeConfig } from "./config.ts";

/** What the start recovered from the journal (`GET /status` → `recovery.journal`). */
export interface JournalBelief {
  /** The snapshot the replay started from, and the segments and entries after it. */
  snapshot: number;
  segments: number;
  entries: number;
  /** The run and seq of the last journaled input. */
  run: string;
  seq: number;
  state_hash: string;
  torn_tails: number;
}

export interface JournalStart {
  dir: string;
  /** The index this run's first segment takes. */
  nextIndex: number;
  recovered: ReturnType<typeof walkJournal>;
  /** Where a journal this start could not recover from was moved aside whole; null when none was. */
  aside: string | null;
}

export function journalDir(config: RuntimeConfig): string {
  return join(config.state_dir, "journal");
}

/** `dir`: another journal directory than the state dir's (the smoke's own, one per run). */
export function recoverJournal(
  config: RuntimeConfig,
  log: (line: string) => void,
  dir = journalDir(config),
): JournalStart {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const others = journalStrategies(dir).filter((s) => s !== config.strategy);
  if (others.length > 0)
    throw new ConfigError(
      "DITA_V2_STATE_DIR",
      `${dir} holds the journal of strategy ${others.join(", ")}, not of ${config.strategy}: a strategy never recovers another's slots. Give each strategy its own state dir (or move that journal away to start ${config.strategy} anew)`,
    );
  const nextIndex = listJournal(dir).lastIndex + 1;
  try {
    const walked = walkJournal(dir, { cut: true, log });
    const orphans = walked === null ? listJournal(dir).segments.size : 0;
    if (orphans > 0) {
      // Inputs no snapshot leads to: journaling over them would let this run's rotations prune them.
      log(`journal: ${dir} holds ${orphans} segment(s) but no snapshot to replay them from: not recovered from it`);
      return unrecovered(dir, log);
    }
    if (walked !== null && walked.kernel.slotCount !== config.slots) {
      log(
        `journal: ${dir} holds ${walked.kernel.slotCount} slots, DITA_V2_SLOTS is ${config.slots}: not recovered from it`,
      );
      walked.kernel.destroy();
      return unrecovered(dir, log);
    }
    return { dir, nextIndex: walked?.nextIndex ?? nextIndex, recovered: walked, aside: null };
  } catch (e) {
    if (!(e instanceof JournalError)) throw e;
    log(`journal: cannot recover from ${dir}: ${e.message} (the belief comes from the state region or Hazelcast)`);
    return unrecovered(dir, log);
  }
}

/** Moves a journal the start could not recover from aside whole, and begins a new one in its place. */
function unrecovered(dir: string, log: (line: string) => void): JournalStart {
  let n = 1;
  while (existsSync(`${dir}.unrecovered-${n}`)) n++;
  const aside = `${dir}.unrecovered-${n}`;
  renameSync(dir, aside);
  mkdirSync(dir, { mode: 0o700 });
  log(
    `journal: ${dir} moved aside whole to ${aside} (nothing in it is deleted; \`dita-v2 replay\` reads it); this run journals anew`,
  );
  return { dir, nextIndex: 1, recovered: null, aside };
}

/**
 * A journal the start could not recover from held the last run's trading state and tightened limits
 * (a halt survives a restart, crash or not): unknown now, so trading starts HALTED until an operator
 * has looked, whatever DITA_V2_TRADING_STATE says. Limits are the configured ones (one line says so).
 */
export function haltForLostJournal(
  control: OperatorControlPlane,
  clock: Clock,
  why: string,
  log: (line: string) => void,
) {
  const snapshot = control.apply({ trading_state: "HALTED" }, clock.nowMs());
  log(
    `trading HALTED: the journal was not recovered (${why}), so the last run's trading state and tightened limits are unknown (the limits are the configured ones); control version ${snapshot.version}: check the venue and the journal, then set trading_state=ACTIVE to resume`,
  );
}

/** Installs the recovered state (if any) and begins this run's segment; the journal belief or null. */
export function adoptJournal(
  kernel: ExecutionKernel,
  journal: SegmentJournal,
  start: JournalStart,
  log: (line: string) => void,
): JournalBelief | null {
  const r = start.recovered;
  let belief: JournalBelief | null = null;
  if (r !== null) {
    const restored = kernel.restoreSnapshot(r.kernel.snapshot());
    if (restored.ok) {
      belief = {
        snapshot: r.snapshot,
        segments: r.segments,
        entries: r.entries,
        run: r.run,
        seq: r.seq,
        state_hash: kernel.stateHashHex(),
        torn_tails: r.torn.length,
      };
      log(
        `journal: recovered state ${belief.state_hash} from snapshot ${r.snapshot} and ${r.entries} input(s) in ${r.segments} segment(s) after it (run ${r.run} seq ${r.seq})`,
      );
    } else log(`journal: the recovered state was refused by the kernel: ${restored.reason}`);
    r.kernel.destroy();
  }
  try {
    journal.begin(kernel, start.nextIndex, false); // pruned after the catch-up (`catchUp`)
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    throw new Error(
      `journal: cannot begin segment ${start.nextIndex} in ${start.dir}: ${why} (its snapshot and segment were not made; free disk space or fix the directory, then start again)`,
      { cause: e },
    );
  }
  return belief;
}
