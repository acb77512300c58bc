/**
 * Public surface of the venue layer (DESIGN.md §7): the deterministic mock venue and the BingX
 * adapter, both implementing `VenueAdapter` from src/contracts/venue.ts.
 *
 * Layout: `mock/` (MockVenueAdapter and its knobs), `bingx/` (signer, REST client, endpoints,
 * contract rules, user stream, normalizer, adapter), `_event_id.ts` (event ids shared by both).
 */
export { MockVenueAdapter, type MockKnobs, type MockVenueOptions, TAKER_FEE_RATE } from "./mock/index.ts";
export {
  BingxVenueAdapter, type BingxAdapterOptions, type BingxConfig, assertLiveAllowed, bingxConfigFromEnv, isLoopbackUrl,
  VenueRequestError, type VenueErrorKind,
} from "./bingx/index.ts";
export { eventId, canonDecimal } from "./_event_id.ts";
