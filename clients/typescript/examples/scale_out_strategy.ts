/**
 * Example strategy (TypeScript, Bun): one trade decided in steps through the ring — open, scale
 * out, take profit — the same as clients/python/examples/scale_out_strategy.py. It connects by
 * prefix, sizes the entry from the kernel's account (the only capital authority) and the venue's
 * mark price (standing in for the strategy's market data), hands each decision to the seam, reads
 * every outcome back (kernel, then venue) and waits for the slot to move. A decision refused for a
 * rate limit (at the edge: nothing was sent; or by the venue) is sent again once its hint has
 * passed, when the hint is short (RETRY_MAX_MS), at most RETRIES times.
 *
 *   bun scale_out_strategy.ts --prefix dita_v2_pink --lib $(dita-v2 zinc-lib) \
 *       --price-url http://127.0.0.1:PORT [--asset BTC-USDT] [--fraction 0.02] [--leverage 2] [--step 0.0001]
 *
 * Prints one JSON document; exit 0 when the trade opened and closed, 1 when a decision was refused,
 * 2 on bad arguments: a --price-url with no mark price for --asset, or a --prefix / --lib the client
 * cannot connect with (one line on stderr naming what is wrong, no stack trace).
 */

import { parseArgs } from "node:util";
import {
  type Decision,
  DitaClient,
  DitaClientError,
  openLong,
  Seam,
  type SeamResult,
  type Stage,
  scaleOut,
  takeProfit,
} from "../index.ts";

const RETRIES = 3;
const RETRY_MAX_MS = 30_000;

/** `decision` through the seam; a rate-limited refusal with a short hint is sent again after it. */
async function execute(seam: Seam, decision: Decision): Promise<SeamResult> {
  for (let tries = 1; ; tries++) {
    const r = await seam.execute(decision, { awaitVenue: true });
    const wait = r.retryAfterMs ?? 1_000;
    if (r.ok || !r.rateLimited || r.restarted || tries === RETRIES || wait > RETRY_MAX_MS) return r;
    await Bun.sleep(wait);
  }
}

/** The venue's mark price of `asset`; a BadArgument naming the URL when there is none. */
async function markPrice(url: string, asset: string): Promise<number> {
  const none = (why: string) => new BadArgument(`--price-url ${url} gave no mark price for ${asset} (${why})`);
  const body = await fetch(`${url}/openApi/swap/v2/quote/premiumIndex?symbol=${asset}`)
    .then((res) => res.json() as Promise<{ data?: { markPrice?: string } }>)
    .catch((e: Error) => {
      throw none(e.message);
    });
  const price = Number(body?.data?.markPrice);
  if (!(price > 0)) throw none(`answered ${JSON.stringify(body).slice(0, 120)}`);
  return price;
}

class BadArgument extends Error {}

async function waitForStage(client: DitaClient, slot: number, stages: Stage[], timeoutMs: number): Promise<Stage> {
  const deadline = Date.now() + timeoutMs;
  while (!stages.includes(client.slot(slot).stage)) {
    if (Date.now() > deadline) throw new Error(`slot ${slot} is ${client.slot(slot).stage}, not ${stages.join("|")}`);
    await client.waitForChange(200);
  }
  return client.slot(slot).stage;
}

function summary(r: SeamResult) {
  return {
    ok: r.ok,
    refusals: r.refusals.map((x) => ({ origin: x.origin, code: x.code, message: x.message })),
    outcomes: r.steps.map((s) => ({
      intent: s.intent.type,
      kernel: s.outcome?.stage ?? null,
      accepted: s.outcome?.accepted ?? null,
      venue: s.venue?.eventKind ?? null,
    })),
  };
}

async function main(): Promise<number> {
  const { values: a } = parseArgs({
    options: {
      prefix: { type: "string" },
      lib: { type: "string" },
      "price-url": { type: "string" },
      asset: { type: "string", default: "BTC-USDT" },
      fraction: { type: "string", default: "0.02" },
      leverage: { type: "string", default: "2" },
      step: { type: "string", default: "0.0001" },
    },
  });
  if (!a.prefix || !a.lib || !a["price-url"]) {
    console.error("usage: scale_out_strategy.ts --prefix P --lib LIBZINC --price-url URL [--asset A]");
    return 2;
  }
  const asset = a.asset!;
  let price: number;
  let client: DitaClient;
  try {
    price = await markPrice(a["price-url"], asset);
    client = DitaClient.connect({ prefix: a.prefix, libPath: a.lib });
  } catch (e) {
    if (!(e instanceof BadArgument || e instanceof DitaClientError)) throw e;
    console.error(`scale_out_strategy.ts: ${e.message}`);
    return 2;
  }
  const report: Record<string, unknown> & { decisions: unknown[] } = { decisions: [] };
  try {
    const seam = new Seam(client, { steps: { [asset]: Number(a.step) }, tradeIdPrefix: "example-ts" });
    report.account_before = client.account().equity;
    const opened = await execute(
      seam,
      openLong(asset, { capitalFraction: Number(a.fraction), leverage: Number(a.leverage), referencePrice: price }),
    );
    report.decisions.push({ decision: "open long", ...summary(opened) });
    if (!opened.ok) return 1;
    const slot = (opened.steps[0]!.intent as { slotId: number }).slotId;
    await waitForStage(client, slot, ["POSITION_OPEN"], 10_000);
    for (const [name, decision, until] of [
      ["scale out half", scaleOut(slot, { fraction: 0.5 }), ["POSITION_OPEN"]],
      ["take profit", takeProfit(slot), ["CLOSED"]],
    ] as const) {
      const r = await execute(seam, decision);
      report.decisions.push({
        decision: name,
        ...summary(r),
        stage: r.ok ? await waitForStage(client, slot, [...until], 10_000) : null,
      });
      if (!r.ok) return 1;
    }
    report.slot = { realized_pnl: client.slot(slot).realizedPnl, fees: client.slot(slot).fees };
    report.account_after = client.account().equity;
    return 0;
  } finally {
    client.close();
    console.log(JSON.stringify(report, null, 2));
  }
}

process.exitCode = await main();
