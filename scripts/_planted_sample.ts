/**
 * The planted-bug sample (scripts/planted_bugs.ts): realistic one-line bugs (125) in the kernel
 * binding's encoder and decoder, the projection outbox and spool, start-up recovery, the BingX
 * signer, REST client and transport, the order path, libzinc (C), live reconciliation and flatten,
 * the venue's truth reads and whole-position closes, the segment journal's replay, a halt across a
 * restart, shutdown's intake, the ring drain, and BingX's renamed codes, Remain 0 and REJECTED. Each is the kind of slip a
 * reviewer could miss: a unit off by 1000, a boundary moved by one, a sign flipped, a guard
 * dropped, an offset misread, a retry that re-sends. `find` must occur exactly once in `file`; the script refuses otherwise.
 *
 * Entry points: `PLANTED`, `Plant`, `Area`. The bugs themselves: _planted_binding.ts (encoder, decoder,
 * outbox, spool), _planted_edges.ts (recovery, signer, REST client, libzinc), _planted_clients.ts
 * (strategy clients, seam, strategy-status), and `MONEY_PATH_PLANTS`
 * below (reconcile, venue, journal, and the projection's row guard and local sink).
 */

import { BINDING_PLANTS } from "./_planted_binding.ts";
import { CLIENT_PLANTS } from "./_planted_clients.ts";
import { EDGE_PLANTS } from "./_planted_edges.ts";
import { LATER_SWEEP_PLANTS } from "./_planted_later.ts";
import { p } from "./_planted_plant.ts";
import { SESSION20_PLANTS } from "./_planted_session20.ts";
import { SESSION21_PLANTS } from "./_planted_session21.ts";
import { SESSION22_PLANTS } from "./_planted_session22.ts";
import { SESSION23_PLANTS } from "./_planted_session23.ts";
import { SESSION24_PLANTS } from "./_planted_session24.ts";
import { SESSION25_PLANTS } from "./_planted_session25.ts";

export type Area =
  | "encoder"
  | "decoder"
  | "outbox"
  | "spool"
  | "recovery"
  | "signer"
  | "rest"
  | "libzinc"
  | "reconcile"
  | "venue"
  | "journal"
  | "zinc"
  | "control"
  | "fleet";

export interface Plant {
  id: string;
  area: Area;
  file: string;
  find: string;
  replace: string;
  /** What the bug would cost, in one line. */
  bug: string;
}

/** Bugs in the money paths changed together: orphans, flatten, row guard, truth reads, whole closes, journal walk. */
const MONEY_PATH_PLANTS: readonly Plant[] = [
  p(
    "orphan-resize-silent",
    "reconcile",
    "src/launcher/_reconcile_truth.ts",
    "      if (!known || !this.same(known.item, item)) report.push(item);",
    "      if (!known) report.push(item);",
    "an orphan position that grows (or shrinks) is never reported again: the larger unowned exposure goes unseen",
  ),
  p(
    "flatten-settle-flipped",
    "reconcile",
    "src/launcher/flatten.ts",
    "if (!kernelFlat || this.stopping || reads >= SETTLE.reads",
    "if (kernelFlat || this.stopping || reads >= SETTLE.reads",
    "a venue lagging the kernel's flat book is not read again: a finished flatten is reported INCOMPLETE",
  ),
  p(
    "rowguard-whole-ignores-failed",
    "outbox",
    "src/projection/_row_guard.ts",
    "whole: failed.length === 0 && stored === r.kept.length",
    "whole: stored === r.kept.length",
    "a spill that dropped an unbuildable row answers whole: the caller moves on as if every row were stored",
  ),
  p(
    "outbox-failed-kind-flipped",
    "outbox",
    "src/projection/outbox.ts",
    'const records = r.failed.filter((f) => f.kind !== "map").length;',
    'const records = r.failed.filter((f) => f.kind === "map").length;',
    "a lost record row does not stop the projected mark (never rebuilt), while a lost map row does",
  ),
  p(
    "outbox-memory-rest-skips",
    "outbox",
    "src/projection/outbox.ts",
    "rows.keepEncodable(batch.slice(r.written), rows.describeRecord)",
    "rows.keepEncodable(batch.slice(r.written + 1), rows.describeRecord)",
    "after a partial write the first unsent record is dropped silently: a row lost at a sink without a spool",
  ),
  p(
    "local-sink-written-stored",
    "spool",
    "src/projection/local.ts",
    "return stored + this.file.lostTotal - lost === records.length;",
    "return stored === records.length;",
    "a batch with a too-large record is refused whole: its other rows are stored again at every retry, for ever",
  ),
  p(
    "bingx-positions-one-unreadable",
    "venue",
    "src/venue/bingx/_parse.ts",
    "return unreadable > 0 ? `positions: ",
    "return unreadable > 1 ? `positions: ",
    "a positions answer with one unreadable entry reads as a partial book: that position is missed (orphan, wrong reconcile)",
  ),
  p(
    "bingx-whole-empty-book",
    "venue",
    "src/venue/bingx/_outlets.ts",
    'throw new VenueRequestError("MALFORMED", read);',
    "return [];",
    "an unreadable positions or open-orders answer reads as an empty book: flatten confirms flat, reconcile drops positions",
  ),
  p(
    "close-rounds-nearest",
    "venue",
    "src/venue/bingx/contract_rules.ts",
    'closesPosition ? "down" : "nearest"',
    'closesPosition ? "nearest" : "down"',
    "a whole close off the step is rounded up past the position (refused as reduce-only, the position stays open)",
  ),
  p(
    "close-min-notional",
    "venue",
    "src/venue/bingx/contract_rules.ts",
    "if (!closesPosition && rules.min_notional > 0 && below) {",
    "if (rules.min_notional > 0 && below) {",
    "a whole close below the venue's minimum notional is refused locally: a shrunken position can never close",
  ),
  p(
    "submit-closes-position-flipped",
    "venue",
    "src/venue/bingx/_submit.ts",
    "if (o.closes_position === true && !closes)",
    "if (o.closes_position === true && closes)",
    "every whole close is refused as CLOSES_POSITION (and an opening order flagged closing is sent without minimums)",
  ),
  p(
    "order-event-whole-filled",
    "venue",
    "src/launcher/_order_event.ts",
    'const whole = role === "EXIT" && sameSize(order.intended_size, slot.size);',
    'const whole = role === "EXIT" && sameSize(order.filled_size, slot.size);',
    "a whole exit is sent without closes_position: below the venue's minimums it is refused and the position stays open",
  ),
  p(
    "exit-refusal-drops-whole",
    "venue",
    "src/launcher/_size_rules.ts",
    '  const off = refusal(venue, "EXIT", slotId, slot?.asset ?? null, size, whole, units);',
    '  const off = refusal(venue, "EXIT", slotId, slot?.asset ?? null, size, false, units);',
    "a strategy's whole exit below the minimums is refused at the launcher's edge: the position cannot be closed",
  ),
  p(
    "journal-seq-only-backwards",
    "journal",
    "src/kernel/journal.ts",
    "if (seq !== entries)",
    "if (seq < entries)",
    "a line lost in the middle of a journal is replayed around: recovery rebuilds a state the live kernel never had",
  ),
  p(
    "replay-unreadable-over-gap",
    "journal",
    "src/kernel/segment_replay.ts",
    'if (typeof h === "string" && gap === null) return;',
    'if (typeof h === "string") return;',
    "a missing segment bridged only by an unreadable snapshot is replayed over: later segments land on an older state",
  ),
  p(
    "snapshot-name-full-path",
    "journal",
    "src/kernel/_segment_listing.ts",
    "const index = parseJournalName(basename(path))?.index;",
    "const index = parseJournalName(path)?.index;",
    "a snapshot renamed over another is never refused: the walk applies the segments after its name to an older state",
  ),
  p(
    "halt-lifted-by-restart",
    "control",
    "src/launcher/_control_sync.ts",
    "    const state = RESTRICTION[restored] > RESTRICTION[configured.trading_state];",
    "    const state = RESTRICTION[restored] < RESTRICTION[configured.trading_state];",
    "a kernel HALTED by a flatten that crashes comes back ACTIVE: the strategy trades again after an emergency exit",
  ),
  p(
    "flatten-starts-during-shutdown",
    "control",
    "src/launcher/flatten.ts",
    "const closed = this.running === null && this.d.executor.accepting === false;",
    "const closed = this.running !== null && this.d.executor.accepting === false;",
    "a flatten asked during shutdown sends market exits that nothing follows up once the process is gone",
  ),
  p(
    "ring-drain-drops-batch",
    "zinc",
    "src/zinc/ring_io.ts",
    "if (rc < 0 && total > 0) break;",
    "if (rc < 0 && total > POP_BATCH_MAX) break;",
    "intents popped before a corrupt cell are thrown away: off the ring, never applied, no outcome",
  ),
  p(
    "absent-order-old-code-only",
    "venue",
    "src/venue/bingx/errors.ts",
    "new Set([109421, 80016]);",
    "new Set([80016]);",
    "BingX's renamed 'order does not exist' is an error: a lost placement is never rejected and stays working for ever",
  ),
  p(
    "remain-zero-one-second",
    "venue",
    "src/venue/bingx/_throttle.ts",
    "this.pauseFor(group, expireInMs ?? g.bucket.windowMs, g.oneAtHint);",
    "this.pauseFor(group, expireInMs ?? 1000, g.oneAtHint);",
    "market reads resume 1 s after the venue said the 60 s window is full: the IP is restricted for 5 minutes",
  ),
  p(
    "venue-reject-without-reason",
    "venue",
    "src/venue/bingx/_order_tracker.ts",
    'if (e.kind === "REJECT") e.reject_reason = "VENUE";',
    'if (e.kind === "REJECT" && e.reject_reason !== undefined) e.reject_reason = "VENUE";',
    "an order the venue accepted then rejected is refused by the kernel: the slot stays ENTRY_WORKING with nothing at the venue",
  ),
];

/** The edges swept on 2026-12-06: lost venue events, stream catch-up, ring adoption, the journal's prune, the lease. */
const EDGE_SWEEP_PLANTS: readonly Plant[] = [
  p(
    "live-reconcile-no-replay",
    "reconcile",
    "src/launcher/live_reconcile.ts",
    "const replayed = due.filter((id) => this.replayEnded(id, view));",
    "const replayed: number[] = [];",
    "an exit filled at the venue with its event lost is reconciled away: the trade's PnL and fees never booked",
  ),
  p(
    "recovery-no-replay",
    "recovery",
    "src/launcher/recovery.ts",
    "if (reconcile) report.reconciled.push(...replayEnded(d, report.restored, lookups));",
    "if (reconcile && lookups === null) report.reconciled.push(...replayEnded(d, report.restored, lookups));",
    "an exit filled while the process was down is reconciled to flat at restart: its PnL and fee lost",
  ),
  p(
    "catch-up-no-retry",
    "venue",
    "src/venue/bingx/_catch_up.ts",
    "const last = round >= retryMs.length;",
    "const last = true;",
    "a catch-up query that fails once is never sent again: a fill missed in the stream gap stays unknown",
  ),
  p(
    "ring-adopt-corrupt",
    "libzinc",
    "ffi/src/ring_consume.c",
    "if (ahead == h->record_count || ahead == (uint64_t)h->record_count + 1) {",
    "if (ahead == h->record_count + 2) {",
    "a kernel killed mid-pop leaves the ring CORRUPT for every later kernel: the strategy plane is lost",
  ),
  p(
    "journal-prune-before-catch-up",
    "journal",
    "src/launcher/journal_start.ts",
    "journal.begin(kernel, start.nextIndex, false);",
    "journal.begin(kernel, start.nextIndex, true);",
    "the start prunes the segment catch-up needs: projected rows after the mark are never rebuilt",
  ),
  p(
    "lease-fence-at-beats-only",
    "fleet",
    "src/fleet/agent.ts",
    "if (fenceIn === null || fenceIn > wait) return sleep(wait, this.stopper.signal);",
    "return sleep(wait, this.stopper.signal);",
    "a kernel cut off from the cluster halts a beat late, after its lease expired: two kernels trade one account",
  ),
  p(
    "local-maps-refused-taken",
    "spool",
    "src/projection/local.ts",
    "const refused = writes.length - n - (this.file.lostTotal - lost);",
    "const refused = 0;",
    "map writes the local file refused are taken as saved: the key's latest value never reaches local.spool",
  ),
  p(
    "flatten-no-exit-lookup",
    "reconcile",
    "src/launcher/flatten.ts",
    "if (this.d.executor.resendCancel(s.slot_id) || this.lookUpExit(s))",
    "if (this.d.executor.resendCancel(s.slot_id))",
    "a flatten exit whose answer or events were lost is never looked up: the flatten answers INCOMPLETE",
  ),
  p(
    "late-landing-left-live",
    "venue",
    "src/launcher/executor.ts",
    "const late = this.absent.cancelIfLanded(event, (id) => this.kernel.slot(id));",
    "const late = null as Promise<void> | null;",
    "an order taken as absent that lands late rests at the venue: its fill is a position no slot owns",
  ),
  p(
    "followups-last-asker-only",
    "zinc",
    "src/launcher/_venue_followups.ts",
    "for (const id of entry.ids) {",
    "for (const id of entry.ids.slice(-1)) {",
    "a risk process's CANCEL takes the order's fill from the strategy that placed it: it may send again",
  ),
  p(
    "faulted-batch-answered-accepted",
    "zinc",
    "src/launcher/_ring_outcomes.ts",
    "      this.accepted[kernelIndex] = 0; // set by its kernel call; a faulted call sets none",
    "",
    "a faulted kernel's records are answered accepted: the strategy takes a live order for an intent never applied",
  ),
];

export const PLANTED: readonly Plant[] = [
  ...BINDING_PLANTS,
  ...EDGE_PLANTS,
  ...MONEY_PATH_PLANTS,
  ...EDGE_SWEEP_PLANTS,
  ...CLIENT_PLANTS,
  ...LATER_SWEEP_PLANTS,
  ...SESSION20_PLANTS,
  ...SESSION21_PLANTS,
  ...SESSION22_PLANTS,
  ...SESSION23_PLANTS,
  ...SESSION24_PLANTS,
  ...SESSION25_PLANTS,
];
