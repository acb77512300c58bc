/**
 * The event hub's unit tests' fixtures (src/events): `testHub` (a hub on the test's clock that
 * flushes at once and never beats within a test), `flushed` (the hub's queued writes done) and
 * `accountRecord` (the kernel's account record of a seeded 10 000).
 */

import type { AccountRecord } from "../../src/contracts/records.ts";
import { EventHub, type EventHubOptions } from "../../src/events/index.ts";

/** A hub of epoch "e1" on `clock`: no flush delay, a heartbeat a minute away; `o` overrides any option. */
export const testHub = (clock: EventHubOptions["clock"], o: Partial<EventHubOptions> = {}) =>
  new EventHub({ clock, epoch: "e1", heartbeatMs: 60_000, flushMs: 0, ...o });

/** Resolves once the writes the hub queued on this turn have gone out (one setImmediate). */
export const flushed = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The account record of capital 10 000 (seeded, nothing drawn down or paid) at `equity`: the difference is unrealized PnL. */
export function accountRecord(equity = 10_000, version = 1): AccountRecord {
  return {
    capital: 10_000,
    peak_capital: 10_000,
    drawdown: 0,
    drawdown_ratio: 0,
    fees_paid: 0,
    realized_pnl_total: 0,
    unrealized_pnl: equity - 10_000,
    equity,
    trade_seq: 0,
    version,
    seeded: true,
  };
}
