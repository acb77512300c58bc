/**
 * The TypeScript seam's `reconcile()` after a restart, against a client stub that answers the
 * kernel's slots: a trade whose slot the kernel is still reconciling (STALE_STATE_RECONCILING keeps
 * its trade_id) is listed in `reconciling`, is not `gone`, and stays in the seam's belief, so it is
 * reported gone only once the kernel has actually let go of it; a trade no slot holds is gone; a
 * trade the seam did not open is adopted.
 */

import { expect, test } from "bun:test";
import { type DitaClient, openLong, Seam, type Slot } from "../../clients/typescript/index.ts";
import { blankSlot, seededAccount } from "../_support/client_fakes.ts";

/** Slot `slotId` in `stage` holding trade `tradeId` (0.01 BTC-USDT LONG), or nothing when `tradeId` is "". */
function slot(slotId: number, stage: Slot["stage"] = "IDLE", tradeId = ""): Slot {
  if (tradeId === "") return blankSlot(slotId, { stage });
  return blankSlot(slotId, {
    stage,
    tradeId,
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    isOpen: stage === "POSITION_OPEN",
  });
}

const account = seededAccount();

/** The kernel as the seam sees it through the client: its slots, and every intent accepted. */
class KernelStub {
  slots: Slot[] = [slot(0), slot(1), slot(2)];
  state = () => ({ slots: this.slots, account, stateHash: 0n, mirrorCount: 1 });
  reconnect = () => ({});
  checkKernel = () => {}; // alive: the seam plans only against a live kernel it has reconciled with
  push = () => 1n;
  outcome = async () => ({ accepted: true, origin: "KERNEL", diagnostics: [] });
}

test("a trade the kernel is still reconciling is not gone and stays believed; gone once the kernel lets go", async () => {
  const kernel = new KernelStub();
  const seam = new Seam(kernel as unknown as DitaClient);
  for (const [slotId, tradeId] of [
    [0, "A"],
    [1, "B"],
  ] as const)
    expect((await seam.execute(openLong("BTC-USDT", { size: 0.01, leverage: 2, slotId, tradeId }))).ok).toBe(true);
  // the kernel restarted: A is being reconciled against the venue, B closed meanwhile, C is not ours
  kernel.slots = [slot(0, "STALE_STATE_RECONCILING", "A"), slot(1, "CLOSED", "B"), slot(2, "POSITION_OPEN", "C")];
  const report = seam.reconcile();
  expect(report.reconciling).toEqual([0]);
  expect(report.gone).toEqual([{ slotId: 1, tradeId: "B" }]);
  expect(report.open.map((s) => s.tradeId)).toEqual(["C"]);
  expect(report.adopted.map((s) => s.tradeId)).toEqual(["C"]);
  expect([...seam.believed()]).toEqual([
    [2, "C"],
    [0, "A"],
  ]);
  // reconciled away at the venue: only now is A gone
  kernel.slots = [slot(0, "CLOSED", "A"), slot(1, "CLOSED", "B"), slot(2, "POSITION_OPEN", "C")];
  expect(seam.reconcile().gone).toEqual([{ slotId: 0, tradeId: "A" }]);
  expect([...seam.believed()]).toEqual([[2, "C"]]);
});
