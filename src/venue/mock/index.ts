/** Public surface of the mock venue: the adapter and its scenario knobs. */

export type { MockFill } from "./fill_history.ts";
export type { MockKnobs } from "./knobs.ts";
export { MockVenueAdapter, type MockVenueOptions } from "./mock_adapter.ts";
