/**
 * The path warmer: keeps the intent-to-order path in the CPU's caches while no intent comes.
 * On a shared host, code that has not run for some milliseconds runs many times slower than
 * when hot (its cache lines were evicted meanwhile): on the 2-vCPU VM this project is measured
 * on, an HMAC of an order's parameters takes 0.9 us back to back, 34 us after 50 ms idle, and
 * 6 us when it also ran once a millisecond (bench/cold_path.ts; a journal-sized write(2): 1.6,
 * 31 and 2.4 us). A strategy's orders come sporadically, so every stage of its path pays that.
 * The warmer does not rehearse the system calls (nothing is written); bench/clients.ts times its
 * rehearsal of the signing beside the placement's. Every DITA_V2_WARM_PATH_MS (0 = off) one pass
 * runs the path's steps with nothing sent, journaled, mirrored or projected:
 *  - the ring drain (the real one: an intent already there is taken, as the ring loop would);
 *  - a shadow kernel (one slot, no journal, no mirror, never read by anything that decides)
 *    applies an ENTER record through the ring's entry point and is restored from its snapshot,
 *    so the kernel's code and the outcome and slot decoding run;
 *  - the venue rehearses its last order: rules, signing, request bytes (`rehearseOrder`).
 * The cost is CPU time on an idle process (bench/clients.ts reports it beside the latency).
 *
 * A pass that throws stops the warmer with one log line; serve goes on, unwarmed.
 *
 * Entry point: `new PathWarmer(host)` → `pass()`, `close()`.
 */

import { RECORD_BYTES } from "../contracts/abi.ts";
import type { VenueAdapter } from "../contracts/venue.ts";
import { ExecutionKernel, encodeInput, InputRecords } from "../kernel/index.ts";

export interface WarmHost {
  venue: VenueAdapter;
  /** The runtime's ring drain, when it may drain now (intake open, regions sound). */
  drainRing(): void;
  nowMs(): number;
  log(line: string): void;
}

const SHADOW_CAPITAL = 1_000_000;

export class PathWarmer {
  private readonly shadow = ExecutionKernel.open({ slotCount: 1, applyThread: false });
  private readonly enter = new Uint8Array(RECORD_BYTES.input);
  private readonly idle: Uint8Array;
  private readonly sink = {
    outcome: (o: { accepted_flags: Uint8Array }) => {
      this.rehearsed += o.accepted_flags[0] ?? 0;
    },
    refused: () => {},
  };
  passes = 0;
  private failed = false;
  /** Passes whose shadow ENTER the kernel accepted: the whole transition ran, not a refusal. */
  rehearsed = 0;

  constructor(private readonly host: WarmHost) {
    this.shadow.apply({ type: "SEED_CAPITAL", capital: SHADOW_CAPITAL, now_ms: host.nowMs() });
    this.idle = this.shadow.snapshot();
    const refusal = encodeInput(
      {
        type: "ENTER",
        slot_id: 0,
        trade_id: "path-warmer",
        asset: "WARM-USDT",
        side: "LONG",
        size: 0.001,
        price: null,
        leverage: 1,
        now_ms: host.nowMs(),
      },
      this.enter,
      0,
    );
    if (refusal !== null) throw new Error(`Invariant: the warmer's ENTER does not encode: ${refusal.message}`);
  }

  /**
   * One pass. A rehearsal that throws is a bug of its own, never the trading path's: it is logged
   * once and the warmer stops (serve keeps serving, unwarmed); answers false from then on.
   */
  pass(): boolean {
    if (this.failed) return false;
    try {
      this.passes++;
      this.host.drainRing();
      this.shadow.applyRecords(InputRecords.fromStrategy(this.enter, 1), this.sink);
      this.shadow.slot(0);
      this.shadow.restoreSnapshot(this.idle);
      this.host.venue.rehearseOrder?.();
      return true;
    } catch (e) {
      this.failed = true;
      this.host.log(`path warmer stopped (orders are sent as before, unwarmed): ${(e as Error).message}`);
      return false;
    }
  }

  close(): void {
    this.shadow.destroy();
  }
}
