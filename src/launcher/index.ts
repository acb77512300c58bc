/** Public surface of the launcher: configuration, bundle, runtime, once and serve. */

export { type Bundle, buildBundle, initialControl } from "./bundle.ts";
export { ConfigError, loadConfig, type RuntimeConfig } from "./config.ts";
export {
  catchUp,
  projectJournal,
  projectSegments,
  type ReplayIntoSinksReport,
  replayIntoSinks,
} from "./journal_projection.ts";
export { runOnce } from "./once.ts";
export { Runtime } from "./runtime.ts";
export { runServe } from "./serve.ts";
export { health, statusDocument } from "./status.ts";
export { POSTURE, PROGRAM, programState, supervisorCtl } from "./supervisor.ts";
export { SystemClock } from "./system_clock.ts";
export { ensureOperatorToken, operatorTokenPath, readOperatorToken } from "./token.ts";
