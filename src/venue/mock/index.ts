/** Public surface of the mock venue: the adapter and its scenario knobs. */

export type { MockKnobs } from "./knobs.ts";
export { MockVenueAdapter, type MockVenueOptions } from "./mock_adapter.ts";
