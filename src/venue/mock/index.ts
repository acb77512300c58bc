/** Public surface of the mock venue: the adapter and its scenario knobs. */

export type { MockKnobs } from "./_knobs.ts";
export { TAKER_FEE_RATE } from "./_orders.ts";
export { MockVenueAdapter, type MockVenueOptions } from "./mock_adapter.ts";
