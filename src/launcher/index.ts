/** Public surface of the launcher: configuration, bundle, runtime, once and serve. */
export { ConfigError, loadConfig, type RuntimeConfig } from "./config.ts";
export { buildBundle, initialControl, type Bundle } from "./bundle.ts";
export { Runtime } from "./runtime.ts";
export { runOnce } from "./once.ts";
export { runServe } from "./serve.ts";
export { health, statusDocument } from "./status.ts";
export { ensureOperatorToken, readOperatorToken, operatorTokenPath } from "./token.ts";
export { supervisorCtl, programState, PROGRAM, POSTURE } from "./supervisor.ts";
export { SystemClock } from "./system_clock.ts";
