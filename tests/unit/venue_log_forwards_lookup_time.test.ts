/**
 * The launcher's verbosity wrapper (src/launcher/_venue_log.ts) and the chaos gate sit in front of
 * every adapter: a lookup's `created_at_ms` (when the kernel created the order, so the adapter can
 * tell a reused trade id's old order from it) must reach the adapter through them.
 */
import { expect, test } from "bun:test";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import { LoggedVenue } from "../../src/launcher/_venue_log.ts";

test("the verbosity wrapper forwards a lookup's created_at_ms to the adapter", async () => {
  const seen: unknown[][] = [];
  const inner = {
    queryOrder: async (...args: unknown[]) => {
      seen.push(args);
      return null;
    },
  } as unknown as VenueAdapter;
  const logged = new LoggedVenue(
    inner,
    () => true,
    () => {},
  );
  await logged.queryOrder("BTC-USDT", "T1-E", 1_700_000_000_000);
  expect(seen).toEqual([["BTC-USDT", "T1-E", 1_700_000_000_000]]);
});
