/**
 * `dita-v2 status --report` → Last flatten lists what the venue still held when the flatten ended:
 * each position (asset, side, size) and each open order (asset, client order id), as the operator
 * playbook (§2) sends the operator there when a flatten stays at exit 5. It gave only their counts,
 * so an orphan position a flatten does not close was named nowhere in the report.
 */

import { expect, test } from "bun:test";
import { lastFlatten } from "../../src/cli/_report.ts";
import type { FlattenReport } from "../../src/contracts/flatten.ts";

const report = (venue: Partial<FlattenReport["venue"]>): FlattenReport => ({
  complete: false,
  trading_state: "HALTED",
  started_at_ms: Date.UTC(2026, 11, 6, 20, 56, 27, 440),
  finished_at_ms: Date.UTC(2026, 11, 6, 20, 56, 29, 539),
  slots: [
    { slot_id: 0, asset: "BTC-USDT", before: "POSITION_OPEN", after: "CLOSED", result: "CLOSED", detail: "" },
    {
      slot_id: 1,
      asset: "TRX-USDT",
      before: "EXIT_WORKING",
      after: "EXIT_WORKING",
      result: "STILL_OPEN",
      detail: "cancel not acknowledged",
    },
  ],
  venue: { checked: true, positions: [], open_orders: [], balance: 9997.1, error: null, ...venue },
  capital: 9997.1,
  attempts: { flatten_inputs: 1, after_refusal: 0 },
});

test("an incomplete flatten's section names each position and open order the venue still held, after the open slots", () => {
  const lines = lastFlatten(
    report({
      positions: [
        { asset: "ETH-USDT", side: "LONG", size: 0.5 },
        { asset: "TRX-USDT", side: "SHORT", size: 40 },
      ],
      open_orders: [{ asset: "TRX-USDT", client_order_id: "T7-X1" }],
    }),
  );
  expect(lines).toEqual([
    "## Last flatten",
    "",
    "2026-12-06T20:56:27.440Z → 2026-12-06T20:56:29.539Z: **INCOMPLETE**; 1 closed, 1 still open; venue: 2 positions, 1 open orders, balance 9997.1.",
    "- slot 1 TRX-USDT: EXIT_WORKING: cancel not acknowledged",
    "- venue position ETH-USDT LONG 0.5",
    "- venue position TRX-USDT SHORT 40",
    "- venue open order TRX-USDT T7-X1",
  ]);
});

test("a venue that could not be read lists nothing it held: the section says why it could not confirm", () => {
  const lines = lastFlatten(report({ checked: false, balance: null, error: "HTTP 503" }));
  expect(lines.at(2)).toEndWith("venue could not confirm: HTTP 503.");
  expect(lines.filter((l) => l.startsWith("- venue"))).toEqual([]);
  expect(lastFlatten(null)).toEqual(["## Last flatten", "", "None since serve started."]);
});
