/**
 * A trade past exit leg 255 survives restarts: the journal replays its slot restore and its later
 * legs, the snapshot a start writes holds the leg's high byte, and the next exit after each restart
 * is named after the next leg (`-X65002`), never a leg modulo 256 (an id the venue already holds).
 * Fast tier: runtimes over the mock venue on one state dir, no reconciliation.
 */

import { expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { SlotRecord } from "../../src/contracts/records.ts";
import { encodeSlotImage } from "../../src/kernel/index.ts";
import type { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { btcEntry, restartableRuntimes, until } from "../_support/runtime.ts";

const runtimes = restartableRuntimes("dita-legs-restart-");
const restingExit: StrategyIntent = { type: "EXIT", slot_id: 0, size: 0.01, price: 90_000, reason: "TP" };

async function cancelledLeg(rt: Runtime): Promise<void> {
  expect(rt.submitStrategy(restingExit).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).exit_order?.status === "ACKED");
  expect(rt.submitStrategy({ type: "CANCEL", slot_id: 0 }).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
}

test("a trade at exit leg 65 001 restarts from the journal, then from the snapshot, at that leg; its next exit is -X65002", async () => {
  const dir = runtimes.stateDir();
  const first = await runtimes.start(dir);
  expect(first.rt.submitStrategy(btcEntry("HI1")).accepted).toBe(true);
  await until(() => first.rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  await cancelledLeg(first.rt);
  const s = first.rt.b.kernel.slot(0);
  const far: SlotRecord = {
    ...s,
    leg: 65_000,
    exit_order: { ...s.exit_order!, leg: 65_000, client_order_id: "HI1-X65000" },
  };
  expect(first.rt.b.kernel.restoreSlot(encodeSlotImage(far), new SystemClock().nowMs()).accepted).toBe(true);
  await cancelledLeg(first.rt);
  expect(first.rt.b.kernel.slot(0)).toMatchObject({ leg: 65_001, exit_order: { client_order_id: "HI1-X65001" } });
  const hash = await runtimes.stop(first.rt, 1000);

  const replayed = await runtimes.start(dir); // snapshot 1 (before the trade) and the segment's entries
  expect(replayed.rt.b.journalBelief?.state_hash).toBe(hash);
  expect(replayed.rt.b.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", leg: 65_001 });
  const reseeded = await runtimes.stop(replayed.rt, 1000); // capital re-seeded from the new mock's wallet

  const snapshotted = await runtimes.start(dir); // the snapshot the last start wrote holds the state
  expect(snapshotted.lines.some((l) => l.startsWith(`journal: recovered state ${reseeded} from snapshot 2`))).toBe(
    true,
  );
  expect(snapshotted.rt.b.kernel.slot(0)).toMatchObject({ leg: 65_001, exit_order: { leg: 65_001 } });
  const next = snapshotted.rt.submitStrategy(restingExit);
  expect(next.accepted).toBe(true);
  expect(snapshotted.rt.b.kernel.slot(0).exit_order).toMatchObject({ leg: 65_002, client_order_id: "HI1-X65002" });
}, 60_000);
