/**
 * Keeps the kernel's configuration equal to the control snapshot (docs/architecture.md §6): one
 * CONFIGURE per key that differs (the kernel enforces the slot limit, the trading state and the
 * risk limits; the snapshot only says what the operator asked for), mailbox commands applied when
 * the control region moved, and the snapshot following the kernel when the kernel moved its own
 * trading state (the drawdown watch). Every new snapshot is published (projection, events). At
 * start a stricter trading state or limit the journal restored is kept (`startUp`).
 *
 * The mailbox's flatten command is `mailboxFlatten` (refused, REJECTED, once shutdown began).
 *
 * Entry points: `ControlSync` (`apply`, `syncIfChanged`, `syncKernel`, `startUp`, `followKernel`),
 * `configureInputs` (pure), `mailboxFlatten`.
 */

import type { Clock } from "../contracts/clock.ts";
import { ControlError, type ControlSnapshot, type RiskLimits } from "../contracts/control.ts";
import { type ConfigKey, TRADING_STATES, type TradingState } from "../contracts/enums.ts";
import type { FlattenReport, FlattenSlot } from "../contracts/flatten.ts";
import type { SystemInput } from "../contracts/intents.ts";
import type { CommandActions, CommandResult, OperatorControlPlane } from "../control/index.ts";
import type { ExecutionKernel, KernelConfig } from "../kernel/index.ts";
import { carriedLimits, carriedLine } from "./_restart_limits.ts";
import type { Flattener } from "./flatten.ts";

const LIMIT_KEYS: Readonly<Record<keyof RiskLimits, ConfigKey>> = {
  max_notional_per_trade: "MAX_NOTIONAL_PER_TRADE",
  max_gross_exposure: "MAX_GROSS_EXPOSURE",
  max_orders_per_minute: "MAX_ORDERS_PER_MINUTE",
  max_leverage: "MAX_LEVERAGE",
  max_drawdown_ratio: "MAX_DRAWDOWN_RATIO",
};

/** How much each trading state restricts: a restart never lifts a stricter one by itself. */
const RESTRICTION: Readonly<Record<TradingState, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

export function configureInputs(snapshot: ControlSnapshot, kernel: KernelConfig, nowMs: number): SystemInput[] {
  const out: SystemInput[] = [];
  const configure = (key: ConfigKey, value: number) => out.push({ type: "CONFIGURE", key, value, now_ms: nowMs });
  // The trading state first: a lowered drawdown limit then meets the state the operator asked for
  // (the kernel's watch moves ACTIVE to REDUCING, leaves HALTED alone).
  if (snapshot.trading_state !== kernel.trading_state) {
    configure("TRADING_STATE", TRADING_STATES.indexOf(snapshot.trading_state) + 1);
  }
  if (snapshot.active_slot_limit !== kernel.active_slot_limit)
    configure("ACTIVE_SLOT_LIMIT", snapshot.active_slot_limit);
  for (const [field, key] of Object.entries(LIMIT_KEYS) as Array<[keyof RiskLimits, ConfigKey]>) {
    if (snapshot[field] !== kernel[field]) configure(key, snapshot[field]);
  }
  return out;
}

export interface ControlSyncDeps {
  control: OperatorControlPlane;
  kernel: ExecutionKernel;
  clock: Clock;
  applySystem(input: SystemInput): void;
  publish(snapshot: ControlSnapshot): void;
  log(line: string): void;
}

export class ControlSync {
  private seq = -1;
  /** Mailbox actions (flatten); set once the runtime built them. */
  actions: CommandActions | null = null;

  constructor(private readonly d: ControlSyncDeps) {}

  /** An operator's change (HTTP, CLI): validated by the plane (ControlError), then enforced. */
  apply(change: Record<string, unknown>): ControlSnapshot {
    const snapshot = this.d.control.apply(change, this.d.clock.nowMs());
    this.syncKernel(snapshot);
    return snapshot;
  }

  /** Applies pending mailbox commands when the control region changed since last seen. */
  syncIfChanged(): void {
    const { control, clock } = this.d;
    if (control.seq() === this.seq) return;
    this.seq = control.seq();
    for (const r of control.pollCommands(clock.nowMs(), undefined, this.actions)) {
      this.d.log(`control command ${JSON.stringify(r)}`);
    }
    // Not re-read here: a command posted meanwhile moved it, and the next sync must poll for it
    // (this sync's own writes cost that sync one empty poll).
    this.syncKernel(control.snapshot());
  }

  /**
   * The kernel enforces what the snapshot asks for: one CONFIGURE per key that differs. What is
   * published is the snapshot as it is now: a CONFIGURE whose journal write was refused halts
   * trading inside this call, and that newer snapshot must not be followed by `snapshot`.
   */
  syncKernel(snapshot: ControlSnapshot): void {
    for (const input of configureInputs(snapshot, this.d.kernel.config(), this.d.clock.nowMs())) {
      this.d.applySystem(input);
    }
    this.d.publish(this.d.control.snapshot());
  }

  /**
   * Start-up: the kernel enforces the configured snapshot, except where the restored kernel (the
   * journal's last run) restricts more: its trading state (a halt — the operator's, a flatten's, a
   * refused journal write's, a lost lease's — or the drawdown watch's REDUCING) survives a restart,
   * crash or not, until the operator sets ACTIVE; and per limit the stricter of the restored and
   * the configured one applies (`_restart_limits.ts`: a limit tightened at runtime is never
   * loosened by a restart). The carried-over values go into the snapshot (one change, so every
   * reader sees them), each logged in one line saying how to lift it.
   */
  startUp(): void {
    const kernel = this.d.kernel.config();
    const configured = this.d.control.snapshot();
    const restored = kernel.trading_state;
    const state = RESTRICTION[restored] > RESTRICTION[configured.trading_state];
    const limits = carriedLimits(kernel, configured);
    if (!state && limits.length === 0) {
      this.syncKernel(configured);
      return;
    }
    const change: Record<string, unknown> = state ? { trading_state: restored } : {};
    for (const c of limits) change[c.key] = c.restored;
    const snapshot = this.apply(change);
    if (state) {
      this.d.log(
        `trading ${restored} carried over from the last run (the journal), over DITA_V2_TRADING_STATE=${configured.trading_state}; control version ${snapshot.version}: set trading_state=ACTIVE to resume`,
      );
    }
    for (const c of limits) this.d.log(carriedLine(c, snapshot.version));
  }

  /**
   * The kernel moved its own trading state (the drawdown watch: ACTIVE → REDUCING, on a capital
   * move or a lowered limit); the snapshot follows, so the operator sees it and the next sync does
   * not undo it.
   */
  followKernel(): void {
    const state = this.d.kernel.config().trading_state;
    if (this.d.control.snapshot().trading_state === state) return;
    const snapshot = this.d.control.apply({ trading_state: state }, this.d.clock.nowMs());
    this.d.log(`trading state ${state} (kernel drawdown watch); control version ${snapshot.version}`);
    this.d.publish(snapshot);
  }
}

/**
 * The control mailbox's flatten: answered STARTED at once, run on the next turn (never inside the
 * mailbox poll), then answered APPLIED (complete) or INCOMPLETE under the same request id — or
 * REJECTED naming the error when the flatten itself failed (e.g. the halt could not be written), so
 * the requester is never left at STARTED. Nothing here rejects unhandled (that can end a Bun
 * process): an answer the control region refuses is logged.
 */
export function mailboxFlatten(flattener: Flattener, control: OperatorControlPlane): CommandActions {
  return {
    flatten: (request, requestId) => {
      const refused = flattener.refusal();
      if (refused !== null) throw new ControlError("flatten", refused); // answered REJECTED, nothing started
      setImmediate(() => {
        const version = () => control.snapshot().version;
        flattener
          .run(request)
          .then(
            (r) => answerOf(r, requestId, version()),
            (e: unknown) => failedAnswer(e, requestId, version()),
          )
          .then((result) => control.answer(result))
          .catch((e: unknown) => flattener.log(`flatten: answer to request ${requestId} not written: ${errorText(e)}`));
      });
      return `flatten started (bound ${request.timeout_ms} ms); the answer follows under request ${requestId}`;
    },
  };
}

/** The final answer of a flatten that threw: REJECTED, with the error (trading may already be HALTED). */
function failedAnswer(e: unknown, requestId: number, version: number): CommandResult {
  const message = `flatten failed: ${errorText(e)}; run it again or flatten at the venue`;
  return { requestId, status: "REJECTED", key: "flatten", message, version };
}

function answerOf(r: FlattenReport, requestId: number, version: number): CommandResult {
  const count = (what: FlattenSlot["result"]) => r.slots.filter((s) => s.result === what).length;
  const open = r.slots.filter((s) => s.result === "STILL_OPEN").map((s) => s.slot_id);
  const venue = r.venue.checked
    ? `venue positions ${r.venue.positions.length}, open orders ${r.venue.open_orders.length}`
    : (r.venue.error ?? "venue not checked");
  const message = `flatten ${r.complete ? "complete" : "incomplete"}: ${count("CLOSED")} closed, ${count("ALREADY_FLAT")} already flat, still open ${JSON.stringify(open)}; ${venue}`;
  return { requestId, status: r.complete ? "APPLIED" : "INCOMPLETE", key: "flatten", message, version };
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
