/**
 * `dita-v2 chaos --seed N [--steps K] [--live]`: one VOPR-style chaos run (src/chaos/). Prints
 * `SEED=N` first, so any failing run can be replayed with the same seed, then the auditor's
 * verdict as JSON; exits 0 when the verdict is clean, 1 otherwise. Against bingx-sim on 127.0.0.1
 * by default; `--live` targets the BingX demo account and is refused unless BINGX_SMOKE_LIVE=1 and
 * both keys are set (no fault can be injected there: only the adversarial intents run).
 */

import { defineCommand } from "citty";
import { runChaos, STEPS_MAX } from "../chaos/index.ts";
import { SystemClock } from "../launcher/system_clock.ts";
import { assertLiveAllowed, type BingxConfig, bingxConfigFromEnv } from "../venue/index.ts";
import { CliFailure } from "./_fail.ts";

function int(name: string, raw: string, lo: number, hi: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < lo || Number(raw) > hi)
    throw new CliFailure(`--${name} must be an integer ${lo}..${hi}, got '${raw}'`, 2);
  return Number(raw);
}

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

export const chaosCommand = defineCommand({
  meta: {
    name: "chaos",
    description:
      "Seeded chaos run: fault knobs + adversarial intents against bingx-sim, audited against exchange truth",
  },
  args: {
    seed: { type: "string", required: true, description: "seed for the fault schedule and the intents" },
    steps: { type: "string", default: "12", description: `steps to run (1..${STEPS_MAX})` },
    live: {
      type: "boolean",
      default: false,
      description: "BingX demo account instead of bingx-sim (needs BINGX_SMOKE_LIVE=1 and keys)",
    },
  },
  async run({ args }) {
    const seed = int("seed", args.seed, 0, Number.MAX_SAFE_INTEGER);
    const steps = int("steps", args.steps, 1, STEPS_MAX);
    process.stdout.write(`SEED=${seed}\n`);
    const clock = new SystemClock();
    const live = args.live ? liveConfig(clock) : null;
    const verdict = await runChaos({
      seed,
      steps,
      clock,
      live,
      log: (line) => process.stderr.write(`chaos: ${line}\n`),
    });
    process.stdout.write(`${JSON.stringify(verdict)}\n`);
    if (!verdict.clean) process.exitCode = 1;
  },
});
