/**
 * Chaos (docs/architecture.md §10, VOPR style: seed first): seeded fault knobs for bingx-sim,
 * adversarial intents through the real kernel + executor + BingX adapter, an event sequencer that
 * replays what the kernel received, and an auditor that compares kernel state with exchange truth.
 * Public surface only; README.md has the layout.
 */

export { type AuditInput, audit, type Violation } from "./auditor.ts";
export { Harness, type HarnessOptions, type Settlement, startHarness } from "./harness.ts";
export { type Action, ASSETS, drawBurst, flattenIntents, type Intent } from "./intents.ts";
export { applyKnobs, type ChaosKnobs, clearKnobs, describeKnobs, drawKnobs, noKnobs } from "./knobs.ts";
export { type ChaosOptions, type ChaosVerdict, runChaos, STEPS_MAX, type StepViolation } from "./orchestrator.ts";
export { EventSequencer, type ReplayResult } from "./sequencer.ts";
export { adapterTruth, simTruth, type TruthOrder, type TruthPosition, type VenueTruth } from "./truth.ts";
