/**
 * The chaos matrix: named, scripted cases (cases_*.ts), each run on the mock venue and on
 * bingx-sim (and, when marked `liveSafe`, on the BingX demo account). A case is a sequence of
 * steps; after every step the system settles, hung orders are resolved as the launcher does, and
 * the auditor checks exchange truth, quantity compliance, fill-price tracking and the kernel's
 * invariants (checkpoint.ts). A case may add its own expectations (`CASE` findings). At the end
 * every working order is cancelled and every position exited, audited once more (the venue must be
 * flat and capital equal to the wallet), and every process's journal must replay to its hash.
 *
 * A seed names a run: it draws the case's random choices (`ctx.rng`) and the venue's seeded
 * prices, books and order ids. A case that throws is a `CASE` finding, never a crash.
 *
 * `liveSafe` means: no injected fault, no price move, sizes at the contract minimum or a few
 * steps above, resting orders far from the market — what a demo account can take.
 *
 * Entry points: `runCase(case, options)`, `MatrixCase`, `CaseContext`, `CaseVerdict`.
 */

import type { Clock } from "../contracts/clock.ts";
import type { SystemInput } from "../contracts/intents.ts";
import type { KernelOutcome, SlotRecord } from "../contracts/records.ts";
import { Rng } from "../contracts/rng.ts";
import type { ContractRules } from "../contracts/venue.ts";
import type { RecoveryReport } from "../launcher/recovery.ts";
import type { BingxConfig } from "../venue/index.ts";
import { type Auditor, checkpoint, type Finding, hungFindings, replayCheck } from "./checkpoint.ts";
import { type Harness, startHarness } from "./harness.ts";
import { flattenIntents, type Intent } from "./intents.ts";
import { noKnobs } from "./knobs.ts";
import type { VenueTruth } from "./truth.ts";
import type { ChaosKnobs, VenueKind } from "./venue.ts";

const FINDINGS_MAX = 50;
export const MATRIX_PRICES = { "BTC-USDT": 65_000, "ETH-USDT": 3_200 };

export interface MatrixCase {
  /** kebab-case, unique: what `--case` names. */
  name: string;
  /** The anomaly the case drives, in words. */
  title: string;
  liveSafe: boolean;
  slots?: number;
  run(c: CaseContext): Promise<void>;
}

export interface CaseOptions {
  venue: VenueKind;
  seed: number;
  clock: Clock;
  /** BingX demo config: runs the case live (it must be `liveSafe`; the caller checks). */
  live?: BingxConfig | null;
  /** Replaces the auditor (canaries). */
  auditor?: Auditor;
  log?: (line: string) => void;
}

export interface CaseFinding extends Finding {
  step: string;
}

export interface CaseVerdict {
  case: string;
  venue: VenueKind | "live";
  seed: number;
  clean: boolean;
  steps: string[];
  findings: CaseFinding[];
  state_hash: string;
  replay_hash: string;
  restarts: number;
  diagnostics: Record<string, number>;
}

/** What a case script can do; every step ends in a full audit. */
export class CaseContext {
  readonly rng: Rng;
  readonly steps: string[] = [];
  readonly findings: CaseFinding[] = [];
  baseline: VenueTruth | null = null;
  private trades = 0;
  private readonly prefix: string;

  constructor(
    readonly h: Harness,
    readonly name: string,
    private readonly o: CaseOptions,
  ) {
    this.rng = new Rng(o.seed);
    const tag = `${name
      .split("-")
      .map((w) => w[0])
      .join("")}${o.seed % 10_000}`;
    this.prefix = o.live ? `L${tag}x${(o.clock.nowMs() % 2 ** 36).toString(36)}` : `M${tag}`;
  }

  get venue(): VenueKind | "live" {
    return this.h.venue.kind;
  }

  /** A trade id no other trade of this run (or, live, of earlier runs) used. */
  trade(): string {
    return `${this.prefix}T${++this.trades}`;
  }

  submit(intent: Intent): KernelOutcome {
    return this.h.submit(intent);
  }

  system(input: SystemInput): KernelOutcome {
    return this.h.system(input);
  }

  slot(i: number): SlotRecord {
    return this.h.kernel.slot(i);
  }

  rules(asset: string): ContractRules {
    const r = this.h.adapter.knownRules(asset);
    if (!r) throw new Error(`Condition failed: the venue has no contract rules for ${asset}`);
    return r;
  }

  price(asset: string): Promise<number> {
    return this.h.venue.price(asset);
  }

  /** Sets the venue's faults for the current step (cleared before its audit). */
  faults(k: Partial<ChaosKnobs>): void {
    this.h.venue.setFaults({ ...noKnobs(), ...k });
  }

  move(asset: string, price: number): void {
    this.h.venue.setPrice(asset, price);
  }

  settle(): Promise<boolean> {
    return this.h.settle(60, 6_000);
  }

  /** Runs `body`, lets the venue answer, clears faults, then audits (findings carry `label`). */
  async step(label: string, body: () => void | Promise<void>): Promise<void> {
    this.steps.push(label);
    try {
      await body();
      await this.settle();
    } finally {
      if (this.venue !== "live") this.h.venue.setFaults(noKnobs());
    }
    this.add(label, await checkpoint(this.h, { baseline: this.baseline, auditor: this.o.auditor }));
  }

  /** A case's own expectation, checked where it is written. */
  expect(ok: boolean, message: string): void {
    if (!ok) this.add(this.steps.at(-1) ?? "start", [{ invariant: "CASE", message }]);
  }

  /** The process dies and restarts (recovery against the venue); returns the recovery report. */
  restart(reconcile = true): Promise<RecoveryReport> {
    return this.h.restart(reconcile);
  }

  add(step: string, found: readonly Finding[]): void {
    for (const f of found) if (this.findings.length < FINDINGS_MAX) this.findings.push({ ...f, step });
  }

  /**
   * Cancels every working order and exits every position (a hung order its query left unresolved
   * is HUNG), then audits the end state.
   */
  async flattenAll(): Promise<void> {
    const unresolved = new Set<string>();
    await this.step("flatten", async () => {
      for (let pass = 0; pass < 3; pass++) {
        const { cancels, exits } = flattenIntents(this.h.kernel.slots());
        if (cancels.length + exits.length === 0) break;
        for (const i of cancels) this.submit(i);
        await this.settle();
        for (const i of flattenIntents(this.h.kernel.slots()).exits) this.submit(i);
        await this.settle();
        for (const cid of (await this.h.resolveHung()).unresolved) unresolved.add(cid);
      }
      this.add("flatten", hungFindings([...unresolved], "the flatten"));
    });
    const left = this.h.kernel.slots().filter((s) => s.is_open);
    this.expect(
      left.length === 0,
      `after flatten, slots ${left.map((s) => `${s.slot_id} ${s.stage}`).join(", ")} hold a trade`,
    );
  }
}

/** The verdict of a case whose venue or kernel could not be started (one CASE finding). */
function notStarted(mc: MatrixCase, o: CaseOptions, e: unknown): CaseVerdict {
  const message = `the harness could not start: ${e instanceof Error ? e.message : String(e)}`;
  return {
    case: mc.name,
    venue: o.live ? "live" : o.venue,
    seed: o.seed,
    clean: false,
    steps: [],
    findings: [{ step: "start", invariant: "CASE", message }],
    state_hash: "",
    replay_hash: "",
    restarts: 0,
    diagnostics: {},
  };
}

export async function runCase(mc: MatrixCase, o: CaseOptions): Promise<CaseVerdict> {
  if (o.live && !mc.liveSafe) throw new Error(`Condition failed: case ${mc.name} is not safe for a live account`);
  let h: Harness;
  try {
    h = await startHarness({
      seed: o.seed,
      clock: o.clock,
      venue: o.venue,
      live: o.live ?? null,
      slots: mc.slots ?? 4,
      prices: { ...MATRIX_PRICES },
      log: o.log,
    });
  } catch (e) {
    return notStarted(mc, o, e);
  }
  const c = new CaseContext(h, mc.name, o);
  try {
    c.baseline = o.live ? await h.truth() : null;
    try {
      await mc.run(c);
    } catch (e) {
      c.add(c.steps.at(-1) ?? "start", [{ invariant: "CASE", message: `the case threw: ${(e as Error).message}` }]);
    }
    await c.flattenAll();
    const replay = replayCheck(h);
    c.add("end", replay.findings);
    return {
      case: mc.name,
      venue: h.venue.kind,
      seed: o.seed,
      clean: c.findings.length === 0,
      steps: c.steps,
      findings: c.findings,
      state_hash: replay.state_hash,
      replay_hash: replay.replay_hash,
      restarts: h.retired.length,
      diagnostics: { ...h.diagnosticCounts },
    };
  } finally {
    await h.stop();
  }
}
