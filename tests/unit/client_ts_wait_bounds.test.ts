/**
 * The TypeScript client's waits against real Zinc regions (a unique prefix per test, removed
 * after it; this process plays the kernel through RealZincPlane): every `waitForChange` pending
 * when the kernel mirrors a change answers that change — not only the first of them to wake —
 * and a timeout that is not a number (NaN) is refused at once with a RangeError naming it, before
 * anything is pushed, instead of a wait with no deadline; `submit` given a bare number instead of its
 * options (`{ timeoutMs }`) is refused the same way, never run on the default timeout.
 */

import { expect, test } from "bun:test";
import type { Intent } from "../../clients/typescript/index.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";

const regions = zincRegionsPerTest("client_bounds");
function kernel() {
  const { prefix, plane } = regions.plane({ outcomeLanes: 4, namespace: "pink" });
  const client = regions.client(prefix);
  /** One mirror call that changes nothing but the state sequence. */
  const mirror = () => plane.publishState(new Uint8Array(2 * 448), new BigUint64Array(4), new Uint8Array(96), 1n);
  return { plane, client, mirror };
}

const mark: Intent = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 };
/** The wait's answer, or "still waiting" once `ms` passed (a guard against a wait that never ends). */
const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p.then(
      (v) => ({ v }),
      (e: unknown) => ({ e }),
    ),
    Bun.sleep(ms).then(() => "still waiting" as const),
  ]);

test("every waitForChange pending when the kernel mirrors answers that change, not only the first to wake", async () => {
  const { client, mirror } = kernel();
  const first = client.waitForChange(2000);
  const second = client.waitForChange(400);
  await Bun.sleep(20);
  mirror();
  const [a, b] = await Promise.all([first, second]);
  expect(a).not.toBeNull();
  expect(b).toBe(a);
  expect(await client.waitForChange(0)).toBeNull(); // that change was seen: nothing new since
});

test("a NaN timeout is a RangeError at once, and submit pushes nothing", async () => {
  const { plane, client } = kernel();
  const id = client.push(mark);
  const waits: Array<() => Promise<unknown>> = [
    () => client.outcome(id, Number.NaN),
    () => client.nextVenueOutcome(id, Number.NaN),
    () => client.waitForChange(Number.NaN),
    () => client.submit(mark, { timeoutMs: Number.NaN }),
  ];
  for (const wait of waits) {
    const r = await within(wait(), 2000);
    expect(r).not.toBe("still waiting");
    expect((r as { e: unknown }).e).toBeInstanceOf(RangeError);
    expect(String((r as { e: unknown }).e)).toContain("timeout");
  }
  expect(plane.ringStats().tail).toBe(1); // only the first push: the refused submit sent nothing
});

test("submit given a bare number (Python's positional timeout) is a RangeError naming { timeoutMs }, and pushes nothing", async () => {
  const { plane, client } = kernel();
  for (const options of [5000, Number.NaN, null]) {
    const r = await within(client.submit(mark, options as unknown as { timeoutMs?: number }), 2000);
    expect(r).not.toBe("still waiting");
    expect((r as { e: unknown }).e).toBeInstanceOf(RangeError);
    expect(String((r as { e: unknown }).e)).toContain("{ timeoutMs }");
  }
  expect(plane.ringStats().tail).toBe(0); // nothing was pushed: a timeout is never silently ignored
});
