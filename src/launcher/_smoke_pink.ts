/**
 * `dita-v2 smoke --pink`: the enter and exit of the smoke done the way PINK trades — a strategy
 * decision goes through the decision-to-intent seam of the TypeScript strategy client, into the
 * Zinc intents ring (real shared memory, this process's own prefix), through the kernel to the
 * venue, and the client reads each outcome back from its lane of the outcomes region: the
 * kernel's answer, then the venue's (ACK, FULL_FILL). The runtime's serve loops drain the ring,
 * exactly as in `serve`. An entry that reached the ring and was not refused counts as entered even
 * when its outcome never came back (the kernel may have sent it): a failure then flattens.
 *
 * Entry points: `PINK_STEPS` (the dry run's text for steps 5..8), `PinkTrader`, `pinkCycle`.
 */

import { closeAll, DitaClient, type Outcome, openLong, Seam, type SeamResult } from "../../clients/typescript/index.ts";
import { nativeLibraryPath } from "../kernel/index.ts";
import { describeSlot, longSize, near, until, verifyTruth } from "./_smoke_checks.ts";
import type { Runtime } from "./runtime.ts";
import type { SmokeOptions, Step } from "./smoke.ts";

export const PINK_STEPS: Readonly<Record<string, string>> = {
  enter:
    "decision OPEN LONG size, leverage 1 -> seam -> Zinc ring -> kernel; the strategy client reads the KERNEL outcome (accepted, ENTRY_WORKING)",
  "wait fill":
    "the client reads the venue's answers in its lane (ACK, FULL_FILL); slot 0 POSITION_OPEN and the venue LONG position equals size",
  exit: "decision CLOSE_ALL -> seam -> ring -> kernel: EXIT of the whole position (reason SIGNAL), read back accepted",
  "wait close": "the client reads the exit's FULL_FILL; slot 0 CLOSED",
};

/** What the report keeps of one outcome the client read back. */
function brief(o: Outcome): Record<string, unknown> {
  return {
    origin: o.origin,
    input_kind: o.inputKind,
    accepted: o.accepted,
    stage: o.stage,
    event_kind: o.eventKind,
    order_status: o.orderStatus,
    code: o.diagnostics[0]?.code ?? null,
    message: o.message || null,
  };
}

function refused(r: SeamResult): string | null {
  const first = r.refusals[0];
  return first === undefined ? null : `${first.origin} ${first.code}: ${first.message}`;
}

export class PinkTrader {
  readonly outcomes: Array<Record<string, unknown>> = [];
  /**
   * The entry reached the ring and the kernel did not refuse it: it may be at the venue even when
   * its outcome never came back (timed out, lost), so a failure after it must flatten.
   */
  entrySent = false;
  private entryId: bigint | null = null;
  private exitId: bigint | null = null;

  private constructor(
    private readonly client: DitaClient,
    private readonly seam: Seam,
  ) {}

  /** Connects the strategy client to the runtime's regions (the runtime's loops must be running). */
  static connect(rt: Runtime): PinkTrader {
    const client = DitaClient.connect({
      prefix: rt.b.config.zinc_prefix,
      namespace: rt.b.config.strategy,
      libPath: nativeLibraryPath("zinc"),
    });
    return new PinkTrader(client, new Seam(client, { tradeIdPrefix: "smoke", timeoutMs: 5000 }));
  }

  async enter(symbol: string, size: number): Promise<unknown> {
    const r = await this.seam.execute(openLong(symbol, { size, leverage: 1, slotId: 0 }));
    const step = r.steps[0];
    if (step?.outcome) this.outcomes.push(brief(step.outcome));
    this.entrySent = step !== undefined && step.id !== null && step.outcome?.accepted !== false;
    const why = refused(r);
    if (why !== null || !step?.outcome?.accepted) throw new Error(`OPEN LONG refused: ${why ?? "no outcome"}`);
    this.entryId = step.id;
    return {
      client_intent_id: String(step.id),
      kernel: brief(step.outcome),
      trade_id: (step.intent as { tradeId: string }).tradeId,
    };
  }

  async exit(): Promise<unknown> {
    const r = await this.seam.execute(closeAll("SIGNAL"));
    const step = r.steps[0];
    if (step?.outcome) this.outcomes.push(brief(step.outcome));
    const why = refused(r);
    if (why !== null || !step?.outcome?.accepted) throw new Error(`CLOSE_ALL refused: ${why ?? "nothing to close"}`);
    this.exitId = step.id;
    return { client_intent_id: String(step.id), kernel: brief(step.outcome) };
  }

  /** Reads the venue's answers to the entry (or exit) until a FULL_FILL; a REJECT fails the step. */
  async venueFilled(which: "entry" | "exit", waitMs: number): Promise<Array<Record<string, unknown>>> {
    const id = which === "entry" ? this.entryId : this.exitId;
    if (id === null) throw new Error(`no ${which} intent was sent`);
    const seen: Array<Record<string, unknown>> = [];
    for (;;) {
      const o = await this.client.nextVenueOutcome(id, waitMs);
      seen.push(brief(o));
      this.outcomes.push(brief(o));
      if (o.eventKind === "REJECT" || o.eventKind === "CANCEL_ACK")
        throw new Error(
          `the venue answered the ${which} with ${o.eventKind}: ${o.diagnostics[0]?.code ?? ""} ${o.message}`,
        );
      if (o.eventKind === "FULL_FILL") return seen;
    }
  }

  close(): void {
    this.client.close();
  }
}

/** Steps 5..9 with --pink: the decisions go through the seam and the ring; outcomes are read back. */
export async function pinkCycle(
  rt: Runtime,
  pink: PinkTrader,
  opts: SmokeOptions,
  size: number,
  step: Step,
  entered: () => void,
  seed: number,
): Promise<void> {
  const { venue, kernel } = rt.b;
  await step("enter", async () => {
    try {
      return await pink.enter(opts.symbol, size);
    } finally {
      if (pink.entrySent) entered(); // pushed and not refused: a failure from here on flattens
    }
  });
  await step("wait fill", async () => {
    const venueOutcomes = await pink.venueFilled("entry", opts.waitMs);
    await until(
      "slot 0 POSITION_OPEN",
      opts.waitMs,
      () => kernel.slot(0).stage === "POSITION_OPEN",
      () => describeSlot(kernel.slot(0)),
    );
    const venueSize = longSize(await venue.positions(opts.symbol), opts.symbol);
    if (!near(venueSize, size)) throw new Error(`filled sizes differ: venue ${venueSize}, asked ${size}`);
    return { venue_outcomes: venueOutcomes, entry_price: kernel.slot(0).entry_price, venue_size: venueSize };
  });
  await step("exit", () => pink.exit());
  await step("wait close", async () => {
    const venueOutcomes = await pink.venueFilled("exit", opts.waitMs);
    await until(
      "slot 0 CLOSED",
      opts.waitMs,
      () => kernel.slot(0).stage === "CLOSED",
      () => describeSlot(kernel.slot(0)),
    );
    return { venue_outcomes: venueOutcomes, realized_pnl: kernel.slot(0).realized_pnl, fees: kernel.slot(0).fees };
  });
  await step("verify", () => verifyTruth(rt, opts.symbol, seed));
}
