/**
 * Chaos (DESIGN.md §9 "Live chaos", STYLE.md "Tests"): seeded fault knobs for bingx-sim,
 * adversarial intents through the real kernel + executor + BingX adapter, an event sequencer that
 * replays what the kernel received, and an auditor that compares kernel state with exchange truth.
 * Public surface only; README.md has the layout.
 */
export { startHarness, Harness, type HarnessOptions, type Settlement } from "./harness.ts";
export { audit, type AuditInput, type Violation } from "./auditor.ts";
export { EventSequencer, type ReplayResult } from "./sequencer.ts";
export { simTruth, adapterTruth, type VenueTruth, type TruthOrder, type TruthPosition } from "./truth.ts";
export { runChaos, STEPS_MAX, type ChaosOptions, type ChaosVerdict, type StepViolation } from "./orchestrator.ts";
export { drawKnobs, applyKnobs, clearKnobs, describeKnobs, noKnobs, type ChaosKnobs } from "./knobs.ts";
export { drawBurst, flattenIntents, ASSETS, type Action, type Intent } from "./intents.ts";
