/**
 * The BingX REST client (src/venue/bingx/rest_client.ts) reads an envelope's `code` only as a
 * number or decimal digits: `null`, `""`, `false` or a list are not "0" (success), though
 * `Number()` makes them 0. Such an answer is MALFORMED (outcome unknown, resolved by query), never
 * a success: a cancel would otherwise be taken as requested on an answer that says nothing.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { endpoints as ep, VenueRequestError } from "../../src/venue/bingx/index.ts";
import { restClientOn } from "../_support/rest_client.ts";

for (const code of ["null", '""', "false", "[]", '" "'])
  test(`an envelope whose code is ${code} is MALFORMED, not a success`, async () => {
    const body = `{"code":${code},"msg":"system busy","data":null}`;
    const c = restClientOn(new ManualClock(), async () => new Response(body, { status: 200 }));
    const err = await c.request(ep.cancelOrder("BTC-USDT", "k1")).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VenueRequestError);
    expect((err as VenueRequestError).kind).toBe("MALFORMED");
  });

test('an envelope whose code is the text "0" is still a success', async () => {
  const c = restClientOn(new ManualClock(), async () => new Response('{"code":"0","data":{"ok":1}}'));
  expect(await c.request(ep.balance())).toEqual({ ok: 1 });
});
