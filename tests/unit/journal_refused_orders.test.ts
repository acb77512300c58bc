/**
 * What the launcher does while the disk refuses the journal's writes (src/launcher/_journal_guard.ts
 * and the executor's `journaled` hook). An entry whose intent is not in the journal is not sent (a
 * crash would bring its position back as an orphan nobody asked for): the kernel hears a local
 * REJECT and the slot is IDLE again. An exit still goes (it only reduces what the venue holds). The
 * guard reports the first refusal of a streak once and halts trading once, says when writes work
 * again, never throws for a refusal, and logs (not throws) what a refused close leaves unwritten.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import { JournalWriteError } from "../../src/kernel/index.ts";
import { JournalGuard } from "../../src/launcher/_journal_guard.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";

const enter = { type: "ENTER", slot_id: 0, trade_id: "J1", asset: "BTC-USDT", side: "LONG", size: 0.001 } as const;

test("an entry the journal could not write is not sent: REJECT, slot IDLE; an exit still goes", async () => {
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 1, clock, prices: { "BTC-USDT": 65_000 } });
  await venue.connect();
  const sent: OrderRequest[] = [];
  const submit = venue.submit.bind(venue);
  venue.submit = (o) => {
    sent.push(o);
    return submit(o);
  };
  const kernel = freshKernel();
  const seen: DiagnosticRecord[] = [];
  const logs: string[] = [];
  let journaled = false;
  const ex = new Executor(kernel, venue, clock, {
    afterApply: (_i, o) => seen.push(...o.diagnostics),
    journaled: () => journaled,
    log: (l) => logs.push(l),
  });
  expect(ex.submitStrategy({ ...enter, price: null, leverage: 2 }).accepted).toBe(true);
  await ex.drain(1_000);
  expect(sent).toEqual([]);
  expect(kernel.slot(0).stage).toBe("IDLE");
  expect(seen.map((d) => d.code)).toContain("VENUE_REJECTED");
  expect(logs).toContain("slot 0: J1-E not sent: the journal cannot be written (trading HALTED)");
  // Journaled again: the entry goes and fills; then refused again, the exit still goes.
  journaled = true;
  ex.submitStrategy({ ...enter, trade_id: "J2", price: null, leverage: 2 });
  await ex.drain(1_000);
  await Bun.sleep(20);
  expect(kernel.slot(0).stage).toBe("POSITION_OPEN");
  journaled = false;
  const size = kernel.slot(0).size;
  expect(ex.submitStrategy({ type: "EXIT", slot_id: 0, size, price: null, reason: "MANUAL" }).accepted).toBe(true);
  await ex.drain(1_000);
  expect(sent.map((o) => o.reduce_only)).toEqual([false, true]); // the entry J2, then the exit
  kernel.destroy();
  await venue.close();
});

function fakeJournal() {
  const j = {
    refuse: false,
    behind: false,
    flushes: 0,
    flush() {
      j.flushes++;
      if (j.refuse) {
        j.behind = true;
        throw new JournalWriteError(
          "/state/journal/segment-000000000001.bin: write refused (ENOSPC: no space left on device)",
        );
      }
      j.behind = false;
    },
    close() {
      j.flush();
    },
  };
  return j;
}

test("the guard: one log line and one halt per streak of refusals, one line when writes work again, never a throw", () => {
  const journal = fakeJournal();
  const logs: string[] = [];
  let halts = 0;
  const guard = new JournalGuard(journal as never, { log: (l) => logs.push(l), halt: () => halts++ });
  expect(guard.flush()).toBe(true);
  journal.refuse = true;
  for (let i = 0; i < 5; i++) expect(guard.flush()).toBe(false);
  expect(guard.durable).toBe(false);
  expect(guard.failing).toContain("ENOSPC");
  expect(halts).toBe(1);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(/no entry order is sent meanwhile; trading HALTED$/);
  journal.refuse = false;
  expect(guard.flush()).toBe(true);
  expect(guard.durable).toBe(true);
  expect(guard.failing).toBeNull();
  expect(logs[1]).toBe(
    "journal: writes again after 5 refused flush(es); trading stays HALTED until the operator sets ACTIVE",
  );
  journal.refuse = true;
  guard.close();
  expect(logs[2]).toMatch(/^journal: closed with inputs unwritten \(.*ENOSPC/);
});
