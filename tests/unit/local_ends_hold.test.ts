/**
 * LocalEnds (src/launcher/_local_ends.ts): an order the executor ends in this process (withdrawn before it left) is
 * told to the kernel only after the outcome that caused it was handed on, so outcomes reach the runtime's afterApply
 * in journal order. A ring drain is held whole: its records are journaled call after call at the drain's base seq plus
 * their offset among them, so an end applied between two of its kernel calls would shift every later record's seq.
 */

import { expect, test } from "bun:test";
import type { VenueEvent } from "../../src/contracts/venue.ts";
import { LocalEnds } from "../../src/launcher/_local_ends.ts";

function ends() {
  const log: string[] = [];
  const l = new LocalEnds(
    (e: VenueEvent) => void log.push(`applied ${e.client_order_id}`),
    { slot: () => ({ asset: "BTC-USDT" }) },
    { nowMs: () => 1_700_000_000_000 },
    () => {},
  );
  return { l, log };
}

const ack = (cid: string) => ({ client_order_id: cid }) as VenueEvent;

test("an end decided inside a dispatch is applied after the dispatch's afterApply, in the order ended", () => {
  const { l, log } = ends();
  l.around(
    () => {
      l.end(ack("A-E"));
      l.end(ack("B-E"));
      expect(l.holds("A-E")).toBe(true);
    },
    () => void log.push("afterApply"),
  );
  expect(log).toEqual(["afterApply", "applied A-E", "applied B-E"]);
  expect(l.holds("A-E")).toBe(false);
});

test("inside a held ring drain, ends of every kernel call wait for the drain's last afterApply", () => {
  const { l, log } = ends();
  l.hold(() => {
    l.around(
      () => l.end(ack("A-E")),
      () => void log.push("afterApply call 1"),
    );
    expect(l.holds("A-E")).toBe(true); // a CANCEL in the drain's second call sends nothing for it
    l.around(
      () => {},
      () => void log.push("afterApply call 2"),
    );
  });
  expect(log).toEqual(["afterApply call 1", "afterApply call 2", "applied A-E"]);
});

test("a dispatch that throws still hands its outcome on and applies its ends; outside a dispatch an end applies at once", () => {
  const { l, log } = ends();
  expect(() =>
    l.around(
      () => {
        l.end(ack("A-E"));
        throw new Error("dispatch failed");
      },
      () => void log.push("afterApply"),
    ),
  ).toThrow("dispatch failed");
  expect(log).toEqual(["afterApply", "applied A-E"]);
  l.end(ack("C-E"));
  expect(log.at(-1)).toBe("applied C-E");
});
