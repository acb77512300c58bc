/** Public surface of the BingX adapter: the adapter, its config and guard, and its pure pieces (signer, rules, normalizer). */

export { type BingxAdapterOptions, BingxVenueAdapter } from "./adapter.ts";
export {
  assertLiveAllowed,
  type BingxConfig,
  bingxConfigFromEnv,
  bingxTuningError,
  DEFAULT_RATE_MARGIN,
  type Env,
  isLoopbackUrl,
  VST_BASE_URL,
  VST_WS_URL,
} from "./config.ts";
export { applyContractRules, formatStep, type RuleCheck, sizeRuleBreach, stepDecimals } from "./contract_rules.ts";
export * as endpoints from "./endpoints.ts";
export { classifyCode, redact, type VenueErrorKind, VenueRequestError } from "./errors.ts";
export { classifyFrame, decodeFrame, type FrameResult, kindForStatus, type OrderFact } from "./normalizer.ts";
export { BingxRestClient, type RestClientConfig, type RestRequest, retryAfterMs } from "./rest_client.ts";
export { canonicalParams, encodeParams, hmacSha256Hex, type Params, signJsonBody, signQuery } from "./signer.ts";
export { type StreamTimers, UserStream, type UserStreamOptions } from "./user_stream.ts";
