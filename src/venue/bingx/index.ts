/** Public surface of the BingX adapter: the adapter, its config and guard, and the pure pieces tests and benches use. */
export { BingxVenueAdapter, type BingxAdapterOptions } from "./adapter.ts";
export { type BingxConfig, type Env, VST_BASE_URL, VST_WS_URL, assertLiveAllowed, bingxConfigFromEnv, isLoopbackUrl } from "./config.ts";
export { type Params, canonicalParams, encodeParams, hmacSha256Hex, signJsonBody, signQuery } from "./signer.ts";
export { BingxRestClient, type RestRequest, type RestClientConfig, retryAfterMs } from "./rest_client.ts";
export { VenueRequestError, type VenueErrorKind, classifyCode, redact } from "./errors.ts";
export * as endpoints from "./endpoints.ts";
export { applyContractRules, formatStep, stepDecimals, type RuleCheck } from "./contract_rules.ts";
export { type FrameResult, type OrderFact, classifyFrame, decodeFrame, kindForStatus } from "./normalizer.ts";
export { UserStream, type StreamTimers, type UserStreamOptions } from "./user_stream.ts";
export { parseJsonSafe, quoteLongIntegers } from "./_safe_json.ts";
export { parseOrder, parsePlacedOrderId } from "./_parse.ts";
export { OrderTracker, type StreamFeeMode } from "./_order_tracker.ts";
