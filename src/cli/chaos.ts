/**
 * `dita-v2 chaos`: seeded chaos runs (src/chaos/), three ways. Every run prints `SEED=` first, so a
 * failing run can be repeated; exit 0 when every verdict is clean, 1 otherwise, 2 for refused
 * arguments.
 *
 *   chaos --seed N [--steps K] [--venue sim|mock]        one VOPR run: drawn faults + adversarial bursts
 *   chaos --matrix [--case A,B] [--venue sim|mock|both] [--seed N]
 *                                                        the named case matrix, one JSON verdict per run
 *   chaos --live [--case A,B] [--seed N]                 the matrix's live-safe cases on the BingX demo
 *                                                        account (BINGX_SMOKE_LIVE=1 and keys)
 *
 * `--live` runs only cases marked safe for a demo account; naming any other is refused with one
 * line before anything is contacted. Without `--seed` a matrix case uses the seed the test suite
 * gives it (1000 + its index), so `--case X --venue V` repeats what `npm test` ran. An option the
 * chosen run would ignore (`--list` with anything, `--steps` with `--matrix`/`--live`, `--venue`
 * with `--live`) is refused (exit 2), and so is an empty `--case` (it is not read as every case).
 */

import { defineCommand } from "citty";
import { liveSafeCases, MATRIX, type MatrixCase, matrixCase, runCase, runChaos, STEPS_MAX } from "../chaos/index.ts";
import { SystemClock } from "../launcher/system_clock.ts";
import { assertLiveAllowed, type BingxConfig, bingxConfigFromEnv } from "../venue/index.ts";
import { CliFailure } from "./_fail.ts";
import { integerFlag } from "./_flags.ts";

function liveConfig(clock: SystemClock): BingxConfig {
  try {
    assertLiveAllowed(process.env);
  } catch (e) {
    throw new CliFailure((e as Error).message, 2);
  }
  const parsed = bingxConfigFromEnv(process.env, clock);
  if (!parsed.ok) throw new CliFailure(parsed.error, 2);
  return parsed.config;
}

/** The cases `--case` names (all, or all live-safe ones, when it is absent); refusals are one line. */
export function selectCases(raw: string | undefined, live: boolean): MatrixCase[] {
  const safe = liveSafeCases().map((c) => c.name);
  if (raw === undefined) return live ? liveSafeCases() : [...MATRIX];
  // `--case "$CASES"` with CASES unset must not run every case (with --live, on the demo account).
  if (raw.trim() === "")
    throw new CliFailure("--case is empty: name the cases (dita-v2 chaos --list), or leave --case out for all", 2);
  const out: MatrixCase[] = [];
  for (const name of raw.split(",").map((s) => s.trim())) {
    const c = matrixCase(name);
    if (!c) throw new CliFailure(`chaos: no case named '${name}' (dita-v2 chaos --list shows them)`, 2);
    if (live && !c.liveSafe)
      throw new CliFailure(
        `chaos: case ${name} is not safe for a demo account (it injects faults or moves prices); live-safe cases: ${safe.join(", ")}`,
        2,
      );
    out.push(c);
  }
  return out;
}

/** An option the chosen run would ignore is refused (exit 2): no flag is accepted that does nothing. */
function refuseIgnored(a: {
  seed?: string;
  steps?: string;
  venue?: string;
  matrix: boolean;
  case?: string;
  live: boolean;
  list: boolean;
}): void {
  const others = [a.seed, a.steps, a.venue, a.case].some((v) => v !== undefined) || a.matrix || a.live;
  if (a.list && others) throw new CliFailure("--list takes no other option (it lists the cases and exits)", 2);
  if ((a.matrix || a.live) && a.steps !== undefined)
    throw new CliFailure("--steps goes with a VOPR run (--seed N), not --matrix or --live", 2);
  if (a.live && a.venue !== undefined)
    throw new CliFailure("--venue does not go with --live (it runs against the BingX demo)", 2);
}

const VENUE_CHOICES = { sim: ["sim"], mock: ["mock"], both: ["mock", "sim"] } as const;

async function runMatrix(args: { case?: string; venue: string; seed?: string; live: boolean }): Promise<void> {
  const cases = selectCases(args.case, args.live);
  const venues = VENUE_CHOICES[args.venue as keyof typeof VENUE_CHOICES];
  if (!venues) throw new CliFailure(`--venue must be sim, mock or both, got '${args.venue}'`, 2);
  const fixed = args.seed === undefined ? null : integerFlag("seed", args.seed, 0, Number.MAX_SAFE_INTEGER);
  const clock = new SystemClock();
  const live = args.live ? liveConfig(clock) : null;
  let clean = true;
  for (const mc of cases) {
    const seed = fixed ?? 1_000 + MATRIX.indexOf(mc);
    for (const venue of live ? (["sim"] as const) : venues) {
      process.stdout.write(`SEED=${seed} case=${mc.name} venue=${live ? "live" : venue}\n`);
      const v = await runCase(mc, {
        venue,
        seed,
        clock,
        live,
        log: (line) => process.stderr.write(`chaos: ${line}\n`),
      });
      process.stdout.write(`${JSON.stringify(v)}\n`);
      clean &&= v.clean;
    }
  }
  if (!clean) process.exitCode = 1;
}

export const chaosCommand = defineCommand({
  meta: {
    name: "chaos",
    description:
      "Seeded chaos: a VOPR run (--seed), the case matrix (--matrix) or its live-safe cases on the BingX demo (--live), audited against exchange truth",
  },
  args: {
    seed: { type: "string", description: "seed (required for a VOPR run; a matrix case defaults to its suite seed)" },
    steps: { type: "string", description: `VOPR steps to run (1..${STEPS_MAX}, default 12)` },
    venue: {
      type: "string",
      description: "sim or mock for a VOPR run (default sim); sim, mock or both for --matrix (default both)",
    },
    matrix: { type: "boolean", default: false, description: "run the named case matrix instead of a VOPR run" },
    case: {
      type: "string",
      description: "comma-separated case names (default: every case; with --live every live-safe case)",
    },
    list: { type: "boolean", default: false, description: "list the matrix's cases (name, live-safe, title) and exit" },
    live: {
      type: "boolean",
      default: false,
      description: "the matrix's live-safe cases on the BingX demo account (needs BINGX_SMOKE_LIVE=1 and keys)",
    },
  },
  async run({ args }) {
    refuseIgnored(args);
    if (args.list) {
      for (const c of MATRIX) process.stdout.write(`${c.name}\t${c.liveSafe ? "live-safe" : "local"}\t${c.title}\n`);
      return;
    }
    if (args.matrix || args.live) {
      await runMatrix({ case: args.case, venue: args.venue ?? "both", seed: args.seed, live: args.live });
      return;
    }
    if (args.case !== undefined) throw new CliFailure("--case needs --matrix or --live", 2);
    if (args.seed === undefined) throw new CliFailure("--seed is required for a VOPR run (or use --matrix)", 2);
    const venue = args.venue ?? "sim";
    if (venue !== "sim" && venue !== "mock") throw new CliFailure(`--venue must be sim or mock, got '${venue}'`, 2);
    const seed = integerFlag("seed", args.seed, 0, Number.MAX_SAFE_INTEGER);
    const steps = integerFlag("steps", args.steps ?? "12", 1, STEPS_MAX);
    process.stdout.write(`SEED=${seed}\n`);
    const verdict = await runChaos({
      seed,
      steps,
      clock: new SystemClock(),
      venue,
      log: (line) => process.stderr.write(`chaos: ${line}\n`),
    });
    process.stdout.write(`${JSON.stringify(verdict)}\n`);
    if (!verdict.clean) process.exitCode = 1;
  },
});
