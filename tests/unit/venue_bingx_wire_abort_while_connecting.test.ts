/**
 * The REST transport (src/venue/bingx/http_wire.ts): a request that waits for its connection to
 * open honours its abort signal (the REST client's timeout). It rejects at the abort, not when the
 * connection finally opens (a venue host slow to accept would otherwise hold an order's placement
 * past its timeout, for as long as the system's connect timeout), and its bytes are never written
 * afterwards: an order given up as "outcome unknown" must not leave later.
 */

import { afterEach, expect, test } from "bun:test";
import { HttpWire } from "../../src/venue/bingx/http_wire.ts";

const realConnect = Bun.connect;
afterEach(() => {
  (Bun as unknown as { connect: typeof Bun.connect }).connect = realConnect;
});

/** Replaces Bun.connect with connections that open only when the test says so; records writes. */
function slowConnects() {
  const written: string[] = [];
  const pending: Array<() => void> = [];
  const fakeSocket = {
    write: (b: Uint8Array) => {
      written.push(new TextDecoder().decode(b));
      return b.length;
    },
    ref() {},
    unref() {},
    setNoDelay() {},
    terminate() {},
    end() {},
  };
  (Bun as unknown as { connect: unknown }).connect = () =>
    new Promise((resolve) => pending.push(() => resolve(fakeSocket)));
  const openAll = () => {
    for (const open of pending.splice(0)) open();
  };
  return { written, openAll };
}

test("a request aborted while its connection is still opening rejects at the abort and is never written", async () => {
  const net = slowConnects();
  const wire = new HttpWire("http://venue.test", { nowMs: () => 0 });
  const controller = new AbortController();
  const outcome = wire.fetch("http://venue.test/openApi/swap/v2/trade/order?x=1", {
    method: "POST",
    signal: controller.signal,
  });
  let state = "pending";
  outcome.then(
    () => {
      state = "resolved";
    },
    (e: Error) => {
      state = e.name;
    },
  );
  controller.abort();
  await new Promise((r) => setImmediate(r)); // settles in the abort's turn, not when the connection opens
  expect(state).toBe("AbortError");
  net.openAll();
  await new Promise((r) => setImmediate(r));
  expect(net.written).toEqual([]);
  wire.close();
});
