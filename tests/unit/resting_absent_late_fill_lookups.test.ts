/**
 * An entry taken as absent whose lookups were spent by the late-fill path (`_late_fills.ts`), not by the
 * resting-order check (`_resting_absent.ts`), in the fast tier: a real kernel, executor and live reconciler over the
 * mock venue, behind a double that holds an operator's order under the entry's lower-cased client id.
 *
 * Slot 0's market entry R1-E never reached the venue (its placement answer lost); the hung-order query found no such
 * order (ABSENT_REJECTED, slot 0 IDLE). Then the operator places, by hand, a resting BUY of the same size under
 * `r1-e` (BingX holds client ids in any case as one) and holds a LONG no slot owns. Each pass looks R1-E up for that
 * orphan position (`LateFills.orphans`): the venue answers about the operator's order (another venue order id, the
 * venue's spelling). While the venue's list may lag the kernel's end of R1-E (ENDED_LIST_LAG_MS) the resting-order
 * check does not judge the listed `r1-e`; by the time it does, the late-fill path has spent the lookups.
 *
 * What it states: that order is never cancelled by the id (that would cancel the operator's order), and one
 * ORPHAN_ORDER names slot 0's entry as the one whose id it holds (NOT_IT). Before the fix only the resting-order
 * check's own lookups marked the order `answered_another`: once the late-fill path had spent them, the pass sent the
 * cancel by R1-E.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type {
  CancelResult,
  OrderRequest,
  SubmitResult,
  VenueAdapter,
  VenueOrderState,
  VenuePosition,
} from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { LOOKUPS_MAX } from "../../src/launcher/_absent_orders.ts";
import { ENDED_LIST_LAG_MS } from "../../src/launcher/_resting_absent.ts";
import { mockVenue } from "../_support/executor.ts";
import { T0 } from "../_support/kernel.ts";
import { reconcilerWorld } from "../_support/live.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(20); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

/** The operator's resting BUY under the entry's lower-cased id, as the venue lists and answers it. */
const operatorOrder: VenueOrderState = {
  venue_order_id: "1799",
  client_order_id: "r1-e",
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "LIMIT",
  status: "NEW",
  size: 0.01,
  filled_size_cumulative: 0,
  avg_price: 60_000,
  fee_cumulative: 0,
  updated_ms: T0,
  created_ms: T0,
};

/** The operator's own LONG, which no slot owns. */
const operatorLong: VenuePosition = {
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  avg_price: 64_000,
  unrealized_pnl: 0,
  leverage: 3,
};

test(`an entry taken as absent whose ${LOOKUPS_MAX} late-fill lookups answered about another order under its id, then judged open under that id: never cancelled by the id, one ORPHAN_ORDER naming slot 0's entry as the one whose id it holds`, async () => {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(13, clock);
  let operator = false; // the operator's order and position, once placed
  const queries: string[] = [];
  const cancels: string[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    submit: { value: async (_r: OrderRequest): Promise<SubmitResult> => ({ status: "UNKNOWN", reason: "timeout" }) },
    queryOrder: {
      value: async (_asset: string, cid: string) => {
        queries.push(cid);
        return operator && cid.toLowerCase() === "r1-e" ? operatorOrder : null;
      },
    },
    openOrders: { value: async () => [...(await mock.openOrders()), ...(operator ? [operatorOrder] : [])] },
    positions: { value: async () => [...(await mock.positions()), ...(operator ? [operatorLong] : [])] },
    cancel: {
      value: async (_asset: string, cid: string): Promise<CancelResult> => {
        cancels.push(cid);
        return { status: "REQUESTED" };
      },
    },
  });
  const { kernel, executor, diags, logs, r } = reconcilerWorld(venue, clock);
  kernels.push(kernel);
  await executor.setLeverage("BTC-USDT", "LONG", 3);
  executor.submitStrategy(btcEntry("R1"));
  await executor.drain(1_000);
  expect(await executor.resolveByQuery(0)).toBe("ABSENT_REJECTED");
  expect(kernel.slot(0)).toMatchObject({ stage: "IDLE", entry_order: { client_order_id: "R1-E", status: "REJECTED" } });
  queries.length = 0;
  operator = true;

  // Within the list's lag of the kernel's REJECT: the late-fill path looks R1-E up for the orphan LONG each pass.
  for (let i = 1; i <= LOOKUPS_MAX; i++) {
    clock.advance(1_000);
    await r.pass();
  }
  expect(queries).toEqual(Array(LOOKUPS_MAX).fill("R1-E"));
  expect(cancels).toEqual([]);

  clock.advance(ENDED_LIST_LAG_MS); // now the resting-order check judges the listed r1-e
  await r.pass();
  await r.pass();
  expect(queries).toEqual(Array(LOOKUPS_MAX).fill("R1-E")); // spent: no more lookups
  expect(cancels).toEqual([]);
  expect(logs.filter((l) => l.includes("cancelling it there"))).toEqual([]);
  const orphanOrders = diags.filter((d) => d.code === "ORPHAN_ORDER");
  expect(orphanOrders.map((d) => d.message.split(":")[0])).toEqual([
    "open order under slot 0's entry order's client id that its lookups found to be another order, not cancelled",
  ]);
  expect(orphanOrders[0]?.details).not.toHaveProperty("made_by_slot"); // slot 0 did not make it
});
