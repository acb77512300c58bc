/**
 * A fill the restart's recovery books gets its lifecycle row live, as the journal's replay rebuilds it
 * (found by tests/e2e/crash_points_bingx.test.ts, CRASH_SEED=4: a PARTIAL_EXIT row that only
 * `dita-v2 replay --project` could produce). The lifecycle rules need the last projected position
 * of the slot (`lifecycle.ts`, `prevSize`); the replay seeds it from the run's first snapshot
 * (`replay.ts` invariant 1), so the live start must hold the journal's restored slots before recovery
 * applies anything, not only the image after it. In one process with the mock venue (shared by both
 * lifetimes: it is the exchange) and a journal: a long of 0.02, an exit leg of 0.01 resting at the
 * venue, the process stops, the exit fills while it is down with its stream event lost, and the next
 * start's recovery looks the exit up and books its fill (EXIT_WORKING → POSITION_OPEN, 0.01 left).
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { CallbackSink } from "../../src/projection/index.ts";
import { MockVenueAdapter } from "../../src/venue/mock/index.ts";
import { btcEntry, until } from "../_support/runtime.ts";

const dirs: string[] = [];
const running: Runtime[] = [];
afterEach(async () => {
  for (const rt of running.splice(0)) await rt.shutdown(500);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const clock = new SystemClock();

/** One process lifetime on `dir` trading on `venue` (the exchange outlives it), its rows into `sink`. */
async function lifetime(dir: string, venue: MockVenueAdapter, sink: CallbackSink): Promise<Runtime> {
  const config = loadConfig({
    DITA_V2_STATE_DIR: dir,
    DITA_V2_RECONCILE_INTERVAL_MS: "0",
    DITA_V2_RECONCILE_ON_RESTART: "1",
    DITA_V2_WARM_PATH_MS: "0",
  });
  const bundle = await buildBundle(config, clock, {}, { journal: true, log: () => {}, projectionSinks: [sink] });
  const rt = new Runtime({ ...bundle, venue }, () => {});
  running.push(rt);
  await rt.start();
  return rt;
}

const tradeRows = (sink: CallbackSink) =>
  sink.records
    .filter((r) => r.kind === "trade_event")
    .map((r) => r.row as unknown as { row_id: string; event_type: string; fill_size: number });

test("an exit leg's fill that the restart's recovery books is projected as its PARTIAL_EXIT row", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dita-recovery-row-"));
  dirs.push(dir);
  const venue = new MockVenueAdapter({ seed: 5, clock, prices: { "BTC-USDT": 65_000 }, balance: 10_000 });
  const first = await lifetime(dir, venue, new CallbackSink());
  expect(first.submitStrategy({ ...btcEntry("RX"), size: 0.02 }).accepted).toBe(true);
  await until(() => first.b.kernel.slot(0).stage === "POSITION_OPEN");
  const exit = { type: "EXIT", slot_id: 0, size: 0.01, price: 67_000, reason: "TP" } as const;
  expect(first.submitStrategy(exit).accepted).toBe(true);
  await until(() => first.b.kernel.slot(0).exit_order?.status === "ACKED");
  running.splice(running.indexOf(first), 1);
  await first.shutdown(500);

  venue.setKnobs({ stream_drop: { after: 0 } }); // down: nobody hears the fill
  venue.setPrice("BTC-USDT", 67_100);
  await Bun.sleep(10);
  venue.clearKnobs();

  const sink = new CallbackSink();
  const second = await lifetime(dir, venue, sink);
  expect(second.b.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  expect(await second.b.projection.flush(2_000)).toBe(true);
  expect(tradeRows(sink).filter((r) => r.event_type === "PARTIAL_EXIT")).toEqual([
    expect.objectContaining({ row_id: "pink:RX:PX1:0.01", fill_size: 0.01 }),
  ]);
});
