/**
 * The chaos orchestrator (VOPR style): seed → drawn fault knobs → adversarial intents through the
 * real kernel + executor + BingX adapter → settle → hung resolution → auditor, step after step;
 * then everything is cancelled and flattened and audited once more (the venue must be flat and the
 * kernel's capital equal to the wallet), and the sequencer replays every recorded input against a
 * fresh kernel, which must reach the same state hash.
 *
 * One `Rng(seed)` draws knobs and intents, so a seed names the run (`dita-v2 chaos --seed N`);
 * the venue's timing is real loopback I/O, so a replay reproduces the schedule, not every
 * interleaving. Against the live demo account (`live` config) no fault can be injected: only the
 * intents run, and positions the account held before the run are the baseline.
 *
 * `corruptTruth` is the canary: it plants a phantom position in the truth the auditor sees, which
 * a working auditor must flag.
 *
 * Entry points: `runChaos(options) → ChaosVerdict`.
 */

import type { Clock } from "../contracts/clock.ts";
import { Rng } from "../contracts/rng.ts";
import type { BingxConfig } from "../venue/index.ts";
import { audit, type Violation } from "./auditor.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type Action, drawBurst, flattenIntents } from "./intents.ts";
import { applyKnobs, clearKnobs, describeKnobs, drawKnobs } from "./knobs.ts";
import type { VenueTruth } from "./truth.ts";

export const STEPS_MAX = 10_000;
const VIOLATIONS_MAX = 50;

export interface ChaosOptions {
  seed: number;
  steps?: number;
  clock: Clock;
  live?: BingxConfig | null;
  corruptTruth?: boolean;
  log?: (line: string) => void;
}

export interface StepViolation extends Omit<Violation, "invariant"> {
  step: number;
  invariant: Violation["invariant"] | "QUIESCE" | "REPLAY";
}

export interface ChaosVerdict {
  seed: number;
  steps: number;
  clean: boolean;
  violations: StepViolation[];
  knobs: string[][];
  intents: number;
  inputs: number;
  venue_events: number;
  state_hash: string;
  replay_hash: string;
  diagnostics: Record<string, number>;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosVerdict> {
  const steps = o.steps ?? 12;
  if (!Number.isInteger(steps) || steps < 1 || steps > STEPS_MAX)
    throw new Error(`Condition failed: steps must be 1..${STEPS_MAX}, got ${steps}`);
  const rng = new Rng(o.seed);
  const h = await startHarness({ seed: o.seed, clock: o.clock, live: o.live ?? null, log: o.log });
  const run = new Run(h, rng, o);
  try {
    run.baseline = h.sim ? null : await h.truth();
    for (let step = 1; step <= steps; step++) await run.step(step);
    await run.flatten(steps + 1);
    return run.verdict(steps);
  } finally {
    await h.stop();
  }
}

class Run {
  readonly violations: StepViolation[] = [];
  readonly knobs: string[][] = [];
  baseline: VenueTruth | null = null;
  intents = 0;
  private trades = 0;

  /** Client order ids must never repeat at a venue: live runs share one account, so they add the start time. */
  private readonly tradePrefix: string;

  constructor(
    private readonly h: Harness,
    private readonly rng: Rng,
    private readonly o: ChaosOptions,
  ) {
    const seed = String(o.seed % 100_000);
    this.tradePrefix = h.sim ? `C${seed}` : `L${seed}x${(o.clock.nowMs() % 2 ** 40).toString(36)}`;
  }

  async step(step: number): Promise<void> {
    const sim = this.h.sim;
    if (sim) {
      const k = drawKnobs(this.rng);
      this.knobs.push(describeKnobs(k));
      applyKnobs(sim.faults, k);
    }
    const actions = drawBurst(this.rng, this.h.kernel.slots(), {
      price: (asset) => this.price(asset),
      nextTrade: () => `${this.tradePrefix}T${++this.trades}`,
    });
    for (const a of actions) this.fire(a);
    await this.h.settle(80, 6_000);
    if (sim) clearKnobs(sim.faults);
    await this.check(step);
  }

  /** Cancels every working order, exits every position, and audits the flat end state. */
  async flatten(step: number): Promise<void> {
    for (let pass = 0; pass < 3; pass++) {
      const { cancels, exits } = flattenIntents(this.h.kernel.slots());
      if (cancels.length + exits.length === 0) break;
      for (const i of cancels) this.fire({ intent: i });
      await this.h.settle();
      for (const i of flattenIntents(this.h.kernel.slots()).exits) this.fire({ intent: i });
      await this.h.settle();
      await this.h.resolveHung();
    }
    await this.check(step);
  }

  private fire(a: Action): void {
    if ("move" in a) {
      this.h.sim?.setPrice(a.move.asset, a.move.price);
      return;
    }
    this.intents++;
    this.h.submit(a.intent);
  }

  private price(asset: string): number {
    const p = this.h.sim?.state().prices[asset];
    return (
      p ??
      this.h.kernel.slots().find((s) => s.asset === asset && s.mark_price > 0)?.mark_price ??
      (asset === "ETH-USDT" ? 3_200 : 65_000)
    );
  }

  private async check(step: number): Promise<void> {
    if (!(await this.h.settle(80, 8_000)))
      this.add(step, [{ invariant: "QUIESCE", message: "the system did not settle within 8 s" }]);
    await this.h.resolveHung();
    await this.h.settle(80, 8_000);
    const truth = relative(await this.h.truth(), this.baseline);
    if (this.o.corruptTruth) truth.positions.push({ asset: "BTC-USDT", side: "LONG", size: 0.4242 });
    const found = audit({
      slots: this.h.kernel.slots(),
      account: this.h.kernel.account(),
      truth,
      seededCapital: this.h.seededCapital,
      settlements: this.h.settlements,
      diagnostics: this.h.diagnostics,
    });
    this.add(step, found);
    this.h.diagnostics.length = 0; // ROUTING reports each diagnostic once, at the step it happened
  }

  private add(step: number, found: readonly (Violation | Omit<StepViolation, "step">)[]): void {
    for (const v of found)
      if (this.violations.length < VIOLATIONS_MAX) this.violations.push({ ...v, step } as StepViolation);
  }

  verdict(steps: number): ChaosVerdict {
    const k = this.h.kernel;
    const replay = this.h.sequencer.replay({ slotCount: k.slotCount, hungOrderMs: this.h.hungOrderMs });
    const stateHash = k.stateHashHex();
    if (replay.state_hash !== stateHash)
      this.add(steps + 1, [
        {
          invariant: "REPLAY",
          message: `replayed ${replay.inputs} inputs: hash ${replay.state_hash}, live kernel ${stateHash}`,
        },
      ]);
    return {
      seed: this.o.seed,
      steps,
      clean: this.violations.length === 0,
      violations: this.violations,
      knobs: this.knobs,
      intents: this.intents,
      inputs: this.h.sequencer.length,
      venue_events: this.h.sequencer.venueEvents().length,
      state_hash: stateHash,
      replay_hash: replay.state_hash,
      diagnostics: { ...this.h.diagnosticCounts },
    };
  }
}

/** Truth minus what the live account held before the run (null baseline: the truth as is). */
function relative(t: VenueTruth, base: VenueTruth | null): VenueTruth {
  if (base === null) return t;
  const held = new Map(base.positions.map((p) => [`${p.asset}|${p.side}`, p.size]));
  const before = new Set(base.open_orders.map((o) => o.client_order_id));
  return {
    positions: t.positions.map((p) => ({ ...p, size: p.size - (held.get(`${p.asset}|${p.side}`) ?? 0) })),
    open_orders: t.open_orders.filter((o) => !before.has(o.client_order_id)),
    wallet: null,
    placements_max: t.placements_max,
  };
}
