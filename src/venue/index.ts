/**
 * Public surface of the venue layer (docs/architecture.md §8): the deterministic mock venue and the BingX
 * adapter, both implementing `VenueAdapter` from src/contracts/venue.ts.
 *
 * Layout: `mock/` (MockVenueAdapter and its knobs), `bingx/` (signer, REST client, endpoints,
 * contract rules, user stream, normalizer, adapter), `event_id.ts` (event ids shared by both).
 */

export {
  applyContractRules,
  assertLiveAllowed,
  type BingxAdapterOptions,
  type BingxConfig,
  BingxVenueAdapter,
  bingxConfigFromEnv,
  bingxTuningError,
  isLoopbackUrl,
  sizeRuleBreach,
  type VenueErrorKind,
  VenueRequestError,
} from "./bingx/index.ts";
export { canonDecimal, eventId } from "./event_id.ts";
export { type MockKnobs, MockVenueAdapter, type MockVenueOptions } from "./mock/index.ts";
