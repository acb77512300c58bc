/**
 * Chaos (docs/architecture.md §10, VOPR style: seed first): seeded fault knobs for bingx-sim and
 * the mock venue, adversarial intents and the scripted case matrix through the real kernel +
 * executor + venue adapter, an event sequencer that replays what the kernel received, and an
 * auditor that compares kernel state with exchange truth (positions, orders, quantities, fill
 * prices, PnL, capital). Public surface only; README.md has the layout.
 */

export { auditFills, type FillAuditInput, type FillViolation, type TradeInfo } from "./audit_fills.ts";
export { type AuditInput, audit, legalRows, type Violation } from "./auditor.ts";
export { liveSafeCases, MATRIX, matrixCase } from "./cases.ts";
export { type Auditor, checkpoint, type Finding, relativeTo, replayCheck } from "./checkpoint.ts";
export { Harness, type HarnessOptions, type Retired, type Settlement, startHarness } from "./harness.ts";
export { type Action, ASSETS, drawBurst, flattenIntents, type Intent } from "./intents.ts";
export { describeKnobs, drawKnobs, noKnobs } from "./knobs.ts";
export {
  CaseContext,
  type CaseFinding,
  type CaseOptions,
  type CaseVerdict,
  MATRIX_PRICES,
  type MatrixCase,
  runCase,
} from "./matrix.ts";
export { type ChaosOptions, type ChaosVerdict, runChaos, STEPS_MAX, type StepViolation } from "./orchestrator.ts";
export { EventSequencer, type ReplayResult } from "./sequencer.ts";
export {
  adapterTruth,
  mockTruth,
  simTruth,
  type TruthFill,
  type TruthOrder,
  type TruthPosition,
  type VenueTruth,
} from "./truth.ts";
export { CHAOS_RULES, type ChaosKnobs, type ChaosVenue, mockKnobs, openVenue, type VenueKind } from "./venue.ts";
