/**
 * The check after every chaos step, shared by the seeded run (orchestrator.ts) and the matrix
 * (matrix.ts): wait for quiescence, resolve hung orders the way the launcher does, wait again,
 * read the exchange's truth and hand everything to the auditor. And the check at the end of a run:
 * every process's recorded inputs (one per restart) replay into a fresh kernel to the hash that
 * process ended with.
 *
 * `corruptTruth` is a canary: it plants a phantom position in the truth the auditor sees, which a
 * working auditor must flag. `auditor` replaces the auditor (the matrix canary breaks one of its
 * invariants on purpose, and the matrix must then fail).
 *
 * A hung order the query could not resolve (UNKNOWN) is a HUNG finding (`hungFindings`).
 *
 * Entry points: `checkpoint(h, options)`, `replayCheck(h)`, `relativeTo(truth, baseline)`,
 * `hungFindings(unresolved, during?)`.
 */

import { type AuditInput, audit, legalRows, type Violation } from "./auditor.ts";
import type { Harness } from "./harness.ts";
import type { VenueTruth } from "./truth.ts";

export type Auditor = (a: AuditInput) => Violation[];

export interface Finding {
  invariant: Violation["invariant"] | "QUIESCE" | "REPLAY" | "CASE" | "FLAT" | "HUNG";
  message: string;
}

export interface CheckpointOptions {
  /** What a live account held before the run (its positions and orders are not the run's). */
  baseline?: VenueTruth | null;
  corruptTruth?: boolean;
  auditor?: Auditor;
}

export async function checkpoint(h: Harness, o: CheckpointOptions = {}): Promise<Finding[]> {
  const found: Finding[] = [];
  if (!(await h.settle(80, 8_000)))
    found.push({ invariant: "QUIESCE", message: "the system did not settle within 8 s" });
  found.push(...hungFindings((await h.resolveHung()).unresolved));
  // Resolving hung orders moves the system again: unsettled now, the audit would read a moving target.
  if (!(await h.settle(80, 8_000)))
    found.push({
      invariant: "QUIESCE",
      message: "the system did not settle within 8 s after hung orders were resolved",
    });
  const truth = relativeTo(await h.truth(), o.baseline ?? null);
  if (o.corruptTruth) truth.positions.push({ asset: "BTC-USDT", side: "LONG", size: 0.4242 });
  const input: AuditInput = {
    slots: h.kernel.slots(),
    account: h.kernel.account(),
    truth,
    seededCapital: h.seededCapital,
    settlements: h.settlements.filter((s) => s.incarnation === h.incarnation),
    settledTrades: h.settlements,
    trades: h.trades,
    diagnostics: h.diagnostics,
    transitions: h.transitions,
    legal: legalRows(h.kernel.fsmTable()),
  };
  found.push(...(o.auditor ?? audit)(input));
  h.diagnostics.length = 0; // ROUTING reports each diagnostic once, at the step it happened
  h.transitions.length = 0;
  return found;
}

/**
 * A hung order whose query could not say what happened (UNKNOWN) is a HUNG finding: the venue never
 * confirmed its fate, whatever the auditor then sees. `during` names where it happened (a flatten).
 */
export function hungFindings(unresolved: readonly string[], during = ""): Finding[] {
  const where = during === "" ? "" : `during ${during}, `;
  return unresolved.map((cid) => ({
    invariant: "HUNG",
    message: `${where}hung order ${cid}: the venue's query never said what happened to it`,
  }));
}

/** Replays every process's journal; a hash that differs from the one that process reached is a REPLAY finding. */
export function replayCheck(h: Harness): { findings: Finding[]; state_hash: string; replay_hash: string } {
  const findings: Finding[] = [];
  const options = { slotCount: h.slotCount, hungOrderMs: h.hungOrderMs };
  h.retired.forEach((r, i) => {
    const replay = r.sequencer.replay(options);
    if (replay.state_hash !== r.state_hash)
      findings.push({
        invariant: "REPLAY",
        message: `process ${i} (before restart ${i + 1}): replayed ${replay.inputs} inputs to ${replay.state_hash}, it ended at ${r.state_hash}`,
      });
  });
  const replay = h.sequencer.replay(options);
  const stateHash = h.kernel.stateHashHex();
  if (replay.state_hash !== stateHash)
    findings.push({
      invariant: "REPLAY",
      message: `replayed ${replay.inputs} inputs: hash ${replay.state_hash}, live kernel ${stateHash}`,
    });
  return { findings, state_hash: stateHash, replay_hash: replay.state_hash };
}

/** Truth minus what the live account held before the run, its orders included (null baseline: the truth as is). */
export function relativeTo(t: VenueTruth, base: VenueTruth | null): VenueTruth {
  if (base === null) return t;
  const held = new Map(base.positions.map((p) => [`${p.asset}|${p.side}`, p.size]));
  const before = new Set([...base.open_orders, ...(base.orders ?? [])].map((o) => o.client_order_id));
  const now = new Set(t.positions.map((p) => `${p.asset}|${p.side}`));
  // A held position the run closed entirely is the run's too: it sold (−) what was held.
  const gone = base.positions.filter((p) => p.size > 0 && !now.has(`${p.asset}|${p.side}`));
  return {
    // A position mixed with what the account held before has no average of its own: drop it. The
    // run's part is negative when it ate into what was held (the auditor flags that).
    positions: [
      ...t.positions.map((p) => {
        const prior = held.get(`${p.asset}|${p.side}`) ?? 0;
        return prior > 0 ? { asset: p.asset, side: p.side, size: p.size - prior } : { ...p };
      }),
      ...gone.map((p) => ({ asset: p.asset, side: p.side, size: -p.size })),
    ],
    open_orders: t.open_orders.filter((o) => !before.has(o.client_order_id)),
    ...(t.orders ? { orders: t.orders.filter((o) => !before.has(o.client_order_id)) } : {}),
    wallet: null,
    placements_max: t.placements_max,
  };
}
