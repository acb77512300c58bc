/**
 * Public surface of the venue layer (DESIGN.md §7): the deterministic mock venue and the BingX
 * adapter, both implementing `VenueAdapter` from src/contracts/venue.ts.
 *
 * Layout: `mock/` (MockVenueAdapter and its knobs), `bingx/` (signer, REST client, endpoints,
 * contract rules, user stream, normalizer, adapter), `_event_id.ts` (event ids shared by both).
 */

export { canonDecimal, eventId } from "./_event_id.ts";
export {
  assertLiveAllowed,
  type BingxAdapterOptions,
  type BingxConfig,
  BingxVenueAdapter,
  bingxConfigFromEnv,
  isLoopbackUrl,
  type VenueErrorKind,
  VenueRequestError,
} from "./bingx/index.ts";
export { type MockKnobs, MockVenueAdapter, type MockVenueOptions, TAKER_FEE_RATE } from "./mock/index.ts";
