/**
 * The mock venue's leverage changes and their pushes, as BingX's user stream pushes
 * ACCOUNT_CONFIG_UPDATE: `set` checks the leverage (a whole number in 1..125, else a `Condition
 * failed`; above the contract's `max_leverage` refused as BingX's 101414, nothing changed), stores
 * it in the ledger (the venue's truth) and, when a side's value changed, pushes the symbol's
 * leverage of both sides (margin mode cross) to each listener: asynchronously, `latency_ms` later
 * as the mock's events. The mock cannot tell the kernel's executor from a person calling it by
 * hand, and BingX pushes either, so both push. At each `connect()` every asset whose leverage was set
 * is pushed once (`atConnect`), as BingX pushes the account's configuration at connect (bingx-sim
 * does the same). While the stream is down (before `connect()`, after `close()`) nothing is pushed
 * and nothing is held for later, a push on its way at `close()` included.
 *
 * Entry point: `new LeveragePushes(knobs, streamNowMs)`, `set`, `atConnect`, `subscribe`.
 */

import type { ContractRules, PositionSide, VenueLeverage, VenueLeverageListener } from "../../contracts/venue.ts";
import type { MockLedger } from "./_ledger.ts";
import type { KnobCell } from "./_refusals.ts";

/** BingX's highest leverage on any contract. */
const LEVERAGE_MAX = 125;

export class LeveragePushes {
  private readonly listeners = new Set<VenueLeverageListener>();

  /** `streamNowMs`: the time a push is stamped with, or null while the stream is down (nothing pushed). */
  constructor(
    private readonly knobs: KnobCell,
    private readonly streamNowMs: () => number | null,
  ) {}

  subscribe(listener: VenueLeverageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets `asset`'s `side` to `leverage` in `ledger` (checked first: nothing changes on a throw); a change is pushed. */
  set(ledger: MockLedger, asset: string, side: PositionSide, leverage: number, rules: ContractRules): void {
    if (!(Number.isInteger(leverage) && leverage >= 1 && leverage <= LEVERAGE_MAX))
      throw new Error(`Condition failed: leverage must be an integer in 1..${LEVERAGE_MAX}, got ${leverage}`);
    const max = rules.max_leverage; // BingX: 101414, nothing changed
    if (leverage > max) throw new Error(`101414 leverage ${leverage} is above ${asset}'s maximum ${max}`);
    const before = ledger.leverage(asset, side);
    ledger.setLeverage(asset, side, leverage);
    if (leverage !== before) this.push(ledger, asset);
  }

  /** At (re)connect, as BingX does: each asset whose leverage was set, pushed once. */
  atConnect(ledger: MockLedger): void {
    for (const asset of ledger.leveragedAssets()) this.push(ledger, asset);
  }

  private push(ledger: MockLedger, asset: string): void {
    const nowMs = this.streamNowMs();
    if (nowMs === null || this.listeners.size === 0) return;
    const pushed: VenueLeverage = {
      asset,
      long: ledger.leverage(asset, "LONG"),
      short: ledger.leverage(asset, "SHORT"),
      margin_mode: "cross",
      venue_time_ms: nowMs,
    };
    setTimeout(() => {
      if (this.streamNowMs() === null) return; // the stream went down meanwhile: the push in flight is lost
      for (const l of [...this.listeners]) l({ ...pushed });
    }, this.knobs.get().latency_ms ?? 0);
  }
}
