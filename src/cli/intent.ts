/**
 * `dita-v2 intent enter|exit|cancel|mark|json`: send one strategy intent to a running serve
 * (POST /intents) and print the outcome. `json` sends a wire intent as written (an argument or
 * `-` for stdin); serve's HTTP edge parses it, so a VENUE or SYSTEM input is refused there with
 * INPUT_SOURCE_REFUSED and counted like any other. Exit 0 when accepted, 3 when refused (422 by the
 * edge or the kernel; 429 for a rate, with its retry hint: the edge's RATE_LIMITED or the kernel's
 * RISK_LIMIT max_orders_per_minute), 1 for any other answer (401
 * token refused, 503 not taking intents: the request was refused, not the intent, or no answer came
 * after it was sent), 2 bad arguments or unreachable, 4 no token. `--asset` may be spelled
 * TRXUSDT: it is normalized to TRX-USDT (the same rule as `smoke --symbol`). Numbers (`--slot`,
 * `--size`, `--price`, `--leverage`) are decimals: `--size 0b1` or `--price 0x10` is refused (exit
 * 2), as are positional arguments and an option given twice (main.ts, `_flags.ts`).
 */

import { defineCommand } from "citty";
import { normalizeSymbol } from "../contracts/index.ts";
import { call, print, urlArg } from "./_client.ts";
import { CliFailure } from "./_fail.ts";
import { decimalFlag } from "./_flags.ts";

/** `--asset` as the venue spells it: TRXUSDT is normalized to TRX-USDT, as everywhere in the CLI. */
function asset(raw: string): string {
  const s = normalizeSymbol(raw);
  if (!s.ok) throw new CliFailure(`--asset ${s.message.replace(/^symbol /, "")}`, 2);
  return s.symbol;
}

/** A numeric option as a decimal (`_flags.ts`: no 0x/0b/0o, no Infinity); absent stays absent. */
function num(name: string, raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : decimalFlag(name, raw);
}

/**
 * Reads `--body`: inline JSON, or `-` for standard input; must be a JSON object. The text is sent as
 * written, for serve's edge to judge: parsed and written again here, `1e999` became `null` (a limit
 * price gone: a MARKET order) and a key given twice kept its last value, where serve refuses both.
 */
async function jsonBody(raw: string): Promise<string> {
  const text = raw === "-" ? await Bun.stdin.text() : raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliFailure(`--body is not JSON: ${(e as Error).message.slice(0, 120)}`, 2);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new CliFailure('--body must be a JSON object such as {"type":"CANCEL","slot_id":0}', 2);
  return text;
}

async function send(url: string | undefined, intent: Record<string, unknown> | string): Promise<void> {
  const body = typeof intent === "string" ? { text: intent } : { body: intent };
  const r = await call(url, "/intents", { method: "POST", ...body, auth: true });
  if (r.status !== 200 && r.status !== 422 && r.status !== 429)
    throw new CliFailure(`intent answered HTTP ${r.status}: ${JSON.stringify(r.body)}`);
  print(r.body);
  process.exitCode = r.status === 200 ? 0 : 3;
}

const slotArg = { type: "string", description: "slot id", required: true } as const;

export const intentCommand = defineCommand({
  meta: { name: "intent", description: "Send an intent to a running serve: enter | exit | cancel | mark | json" },
  subCommands: {
    enter: defineCommand({
      meta: { name: "enter", description: "Open a trade in a slot" },
      args: {
        slot: slotArg,
        trade: { type: "string", required: true, description: "trade id [A-Za-z0-9_-]{1,32}" },
        asset: { type: "string", required: true, description: "e.g. BTC-USDT" },
        side: { type: "string", required: true, description: "LONG | SHORT" },
        size: { type: "string", required: true, description: "base units" },
        price: { type: "string", description: "limit price (market when absent)" },
        leverage: { type: "string", default: "1", description: "1..125" },
        url: urlArg,
      },
      run: ({ args }) =>
        send(args.url, {
          type: "ENTER",
          slot_id: num("slot", args.slot),
          trade_id: args.trade,
          asset: asset(args.asset),
          side: args.side,
          size: num("size", args.size),
          price: num("price", args.price) ?? null,
          leverage: num("leverage", args.leverage),
        }),
    }),
    exit: defineCommand({
      meta: { name: "exit", description: "Start an exit leg" },
      args: {
        slot: slotArg,
        size: { type: "string", required: true, description: "base units" },
        reason: { type: "string", default: "MANUAL", description: "SIGNAL | TP | SL | MANUAL" },
        price: { type: "string", description: "limit price" },
        url: urlArg,
      },
      run: ({ args }) =>
        send(args.url, {
          type: "EXIT",
          slot_id: num("slot", args.slot),
          size: num("size", args.size),
          reason: args.reason,
          price: num("price", args.price) ?? null,
        }),
    }),
    cancel: defineCommand({
      meta: { name: "cancel", description: "Cancel the slot's working order" },
      args: { slot: slotArg, url: urlArg },
      run: ({ args }) => send(args.url, { type: "CANCEL", slot_id: num("slot", args.slot) }),
    }),
    mark: defineCommand({
      meta: { name: "mark", description: "Mark an asset's price (unrealized PnL)" },
      args: {
        asset: { type: "string", required: true, description: "e.g. BTC-USDT" },
        price: { type: "string", required: true, description: "mark price" },
        url: urlArg,
      },
      run: ({ args }) =>
        send(args.url, { type: "MARK_PRICE", asset: asset(args.asset), price: num("price", args.price) }),
    }),
    json: defineCommand({
      meta: {
        name: "json",
        description: "Send a wire intent as JSON (strategy kinds only: ENTER, EXIT, CANCEL, MARK_PRICE)",
      },
      args: {
        body: {
          type: "string",
          required: true,
          description: "the intent as a JSON object, or - to read it from stdin",
        },
        url: urlArg,
      },
      run: async ({ args }) => send(args.url, await jsonBody(args.body)),
    }),
  },
});
