/**
 * The chaos orchestrator (VOPR style): seed → drawn fault knobs → adversarial intents through the
 * real kernel + executor + venue adapter (bingx-sim or the mock venue) → settle → hung resolution
 * → auditor, step after step;
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
 * a working auditor must flag (checkpoint.ts).
 *
 * Entry points: `runChaos(options) → ChaosVerdict`.
 */

import type { Clock } from "../contracts/clock.ts";
import { Rng } from "../contracts/rng.ts";
import type { BingxConfig } from "../venue/index.ts";
import { checkpoint, type Finding, hungFindings, replayCheck } from "./checkpoint.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type Action, ASSETS, drawBurst, flattenIntents } from "./intents.ts";
import { describeKnobs, drawKnobs, noKnobs } from "./knobs.ts";
import type { VenueTruth } from "./truth.ts";
import type { VenueKind } from "./venue.ts";

export const STEPS_MAX = 10_000;
const VIOLATIONS_MAX = 50;

export interface ChaosOptions {
  seed: number;
  steps?: number;
  clock: Clock;
  /** bingx-sim (default) or the mock venue; ignored when `live` is set. */
  venue?: VenueKind;
  live?: BingxConfig | null;
  corruptTruth?: boolean;
  log?: (line: string) => void;
}

export interface StepViolation extends Finding {
  step: number;
}

export interface ChaosVerdict {
  seed: number;
  venue: VenueKind | "live";
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
  const h = await startHarness({ seed: o.seed, clock: o.clock, venue: o.venue, live: o.live ?? null, log: o.log });
  const run = new Run(h, rng, o);
  try {
    run.baseline = h.venue.kind === "live" ? await h.truth() : null;
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
  private readonly prices = new Map<string, number>();

  /** Client order ids must never repeat at a venue: live runs share one account, so they add the start time. */
  private readonly tradePrefix: string;

  constructor(
    private readonly h: Harness,
    private readonly rng: Rng,
    private readonly o: ChaosOptions,
  ) {
    const seed = String(o.seed % 100_000);
    this.tradePrefix = h.venue.kind !== "live" ? `C${seed}` : `L${seed}x${(o.clock.nowMs() % 2 ** 40).toString(36)}`;
  }

  async step(step: number): Promise<void> {
    const live = this.h.venue.kind === "live";
    if (!live) {
      const k = drawKnobs(this.rng);
      this.knobs.push(describeKnobs(k));
      this.h.venue.setFaults(k);
    }
    for (const asset of Object.keys(ASSETS)) this.prices.set(asset, await this.h.venue.price(asset));
    const actions = drawBurst(this.rng, this.h.kernel.slots(), {
      price: (asset) => this.prices.get(asset) ?? 1,
      nextTrade: () => `${this.tradePrefix}T${++this.trades}`,
    });
    for (const a of actions) this.fire(a);
    await this.h.settle(80, 6_000);
    if (!live) this.h.venue.setFaults(noKnobs());
    await this.check(step);
  }

  /**
   * Cancels every working order, exits every position (a hung order its query left unresolved is
   * HUNG), and audits the flat end state.
   */
  async flatten(step: number): Promise<void> {
    const unresolved = new Set<string>();
    for (let pass = 0; pass < 3; pass++) {
      const { cancels, exits } = flattenIntents(this.h.kernel.slots());
      if (cancels.length + exits.length === 0) break;
      for (const i of cancels) this.fire({ intent: i });
      await this.h.settle();
      for (const i of flattenIntents(this.h.kernel.slots()).exits) this.fire({ intent: i });
      await this.h.settle();
      for (const cid of (await this.h.resolveHung()).unresolved) unresolved.add(cid);
    }
    this.add(step, hungFindings([...unresolved], "the flatten"));
    await this.check(step);
    // Kernel and venue agree just as well when both still hold a trade: the end must be flat.
    for (const s of this.h.kernel.slots().filter((x) => x.is_open))
      this.add(step, [
        { invariant: "FLAT", message: `after the flatten slot ${s.slot_id} ${s.stage} still holds a trade` },
      ]);
  }

  private fire(a: Action): void {
    if ("move" in a) {
      if (this.h.venue.kind === "live") return; // nobody moves a live market
      this.h.venue.setPrice(a.move.asset, a.move.price);
      this.prices.set(a.move.asset, a.move.price);
      return;
    }
    this.intents++;
    this.h.submit(a.intent);
  }

  private async check(step: number): Promise<void> {
    this.add(step, await checkpoint(this.h, { baseline: this.baseline, corruptTruth: this.o.corruptTruth }));
  }

  private add(step: number, found: readonly Finding[]): void {
    for (const v of found) if (this.violations.length < VIOLATIONS_MAX) this.violations.push({ ...v, step });
  }

  verdict(steps: number): ChaosVerdict {
    const replay = replayCheck(this.h);
    this.add(steps + 1, replay.findings);
    return {
      seed: this.o.seed,
      venue: this.h.venue.kind,
      steps,
      clean: this.violations.length === 0,
      violations: this.violations,
      knobs: this.knobs,
      intents: this.intents,
      inputs: this.h.sequencer.length,
      venue_events: this.h.sequencer.venueEvents().length,
      state_hash: replay.state_hash,
      replay_hash: replay.replay_hash,
      diagnostics: { ...this.h.diagnosticCounts },
    };
  }
}
