/**
 * ORPHAN_POSITION across live reconciliation passes, in the fast tier: a real kernel and executor
 * over the mock venue, whose positions read a scripted double can make flaky.
 *
 * A venue position no slot owns is one CRITICAL ORPHAN_POSITION while it persists. A positions
 * read that briefly omits it (a partial or flaky answer) does not make it gone, so its return is
 * not a new CRITICAL; one whose size changes is reported again, with its new size; another orphan
 * appearing reports that one alone; a read that fails is never taken as "no positions". An orphan
 * is resolved (a log line says so) once two passes in a row do not find it; one that comes back
 * after that is reported again.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueAdapter, VenuePosition } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { T0 } from "../_support/kernel.ts";
import { reconcilerWorld } from "../_support/live.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(20); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

type Read = "venue" | "empty" | "fail";

async function world() {
  const clock = new ManualClock(T0);
  const mock = new MockVenueAdapter({ seed: 7, clock, prices: { "BTC-USDT": 65_000, "ETH-USDT": 2_500 } });
  await mock.connect();
  const reads: Read[] = []; // the scripted answers of the next positions reads, then the venue's
  const venue: VenueAdapter = Object.create(mock, {
    positions: {
      value: async (asset?: string): Promise<VenuePosition[]> => {
        const next = reads.shift() ?? "venue";
        if (next === "fail") throw new Error("positions: connection reset");
        return next === "empty" ? [] : mock.positions(asset);
      },
    },
  });
  const { kernel, executor, diags, logs, r } = reconcilerWorld(venue, clock);
  kernels.push(kernel);
  const byHand = async (asset: string, size: number, id: string) => {
    const order = { asset, side: "BUY", position_side: "LONG", type: "MARKET", reduce_only: false } as const;
    await mock.submit({ ...order, client_order_id: id, size });
    await executor.drain(1_000);
  };
  const orphans = () =>
    diags.filter((d) => d.code === "ORPHAN_POSITION").map((d) => `${d.details.asset} ${d.details.value}`);
  return { mock, r, reads, logs, byHand, orphans };
}

test("an orphan a flaky positions read omits once is not reported again when it reappears", async () => {
  const w = await world();
  await w.byHand("BTC-USDT", 0.01, "by-hand-1");
  await w.r.pass();
  expect(w.orphans()).toEqual(["BTC-USDT 0.01"]);
  w.reads.push("empty"); // one read misses it
  await w.r.pass();
  await w.r.pass(); // back in the next read
  await w.r.pass();
  expect(w.orphans()).toEqual(["BTC-USDT 0.01"]);
});

test("a second orphan is reported alone: the one already reported is not reported again", async () => {
  const w = await world();
  await w.byHand("BTC-USDT", 0.01, "by-hand-1");
  await w.r.pass();
  await w.byHand("ETH-USDT", 0.1, "by-hand-2");
  await w.r.pass();
  await w.r.pass();
  expect(w.orphans()).toEqual(["BTC-USDT 0.01", "ETH-USDT 0.1"]);
});

test("a failed positions read is not taken as no positions: the orphan is not reported again", async () => {
  const w = await world();
  await w.byHand("BTC-USDT", 0.01, "by-hand-1");
  await w.r.pass();
  w.reads.push("fail", "fail");
  expect(await w.r.pass()).toEqual([]);
  expect(await w.r.pass()).toEqual([]);
  await w.r.pass();
  expect(w.orphans()).toEqual(["BTC-USDT 0.01"]);
  expect(w.logs.some((l) => l.includes("resolved"))).toBe(false);
});

test("an orphan two passes in a row do not find is resolved (logged); one that comes back is reported again", async () => {
  const w = await world();
  await w.byHand("BTC-USDT", 0.01, "by-hand-1");
  await w.r.pass();
  w.reads.push("empty", "empty");
  await w.r.pass();
  expect(w.logs.filter((l) => l.includes("resolved"))).toEqual([]);
  await w.r.pass();
  expect(w.logs.filter((l) => l.includes("resolved"))).toEqual([
    "live reconcile: ORPHAN_POSITION resolved: 0.01 BTC-USDT LONG is no longer at the venue",
  ]);
  await w.r.pass(); // it is there again: a new CRITICAL
  expect(w.orphans()).toEqual(["BTC-USDT 0.01", "BTC-USDT 0.01"]);
});

test("an orphan whose size changes is reported again with its new size, once", async () => {
  const w = await world();
  await w.byHand("BTC-USDT", 0.01, "by-hand-1");
  await w.r.pass();
  await w.byHand("BTC-USDT", 0.01, "by-hand-2"); // the unowned exposure doubles
  await w.r.pass();
  await w.r.pass();
  expect(w.orphans()).toEqual(["BTC-USDT 0.01", "BTC-USDT 0.02"]);
});
