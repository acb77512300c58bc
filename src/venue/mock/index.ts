/** Public surface of the mock venue: the adapter and its scenario knobs. */
export { MockVenueAdapter, type MockVenueOptions } from "./mock_adapter.ts";
export type { MockKnobs } from "./_knobs.ts";
export { TAKER_FEE_RATE } from "./_orders.ts";
