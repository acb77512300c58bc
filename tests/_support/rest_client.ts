/**
 * The BingX REST client on a ManualClock with a scripted transport, for unit tests: requests run one
 * after another, so a throttle wait simply moves the clock (margin 0.8, as serve runs).
 *
 * Entry points: `restClientOn(clock, fetch)`, `offlineAdapter(answer)`, `REST_KEY`, `REST_SECRET`.
 */

import { ManualClock } from "../../src/contracts/clock.ts";
import { Throttle } from "../../src/venue/bingx/_throttle.ts";
import { BingxRestClient, BingxVenueAdapter } from "../../src/venue/bingx/index.ts";

export const REST_KEY = "unitApiKey0123456789";
export const REST_SECRET = "unitSecretABCDEFGHIJ0123";

export function restClientOn(
  clock: ManualClock,
  fetch: (url: string, init: RequestInit) => Promise<Response>,
): BingxRestClient {
  const throttle = new Throttle({ clock, margin: 0.8, sleep: async (ms) => clock.advance(ms) });
  return new BingxRestClient({
    apiKey: REST_KEY,
    secret: REST_SECRET,
    baseUrl: "http://127.0.0.1:1",
    recvWindowMs: 5000,
    clock,
    timeoutMs: 50,
    fetch,
    throttle,
  });
}

/** A BingX adapter, never connected, whose every REST request is answered by `answer`. */
export function offlineAdapter(answer: () => unknown): BingxVenueAdapter {
  return new BingxVenueAdapter(
    {
      apiKey: REST_KEY,
      secret: REST_SECRET,
      baseUrl: "http://127.0.0.1:1",
      wsUrl: "ws://127.0.0.1:1/ws",
      recvWindowMs: 5000,
      clock: new ManualClock(),
      timeoutMs: 1000,
    },
    { fetch: async () => new Response(JSON.stringify(answer()), { status: 200 }) },
  );
}
