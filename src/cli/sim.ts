/**
 * `dita-v2 sim`: run bingx-sim alone on 127.0.0.1 until SIGTERM/SIGINT. An empty `--api-key`,
 * `--secret` or `--prices` (a shell variable unset) is refused naming it (exit 2), never defaulted.
 */

import { defineCommand } from "citty";
import { runSimFromArgs } from "../sim/index.ts";
import { CliFailure } from "./_fail.ts";
import { integerFlag } from "./_flags.ts";

function parsePrices(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw.split(",")) {
    const m = /^([A-Z0-9]+-[A-Z0-9]+)=(\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!m || !(Number(m[2]) > 0) || !Number.isFinite(Number(m[2])))
      throw new CliFailure(`--prices must look like 'TRX-USDT=0.25,BTC-USDT=65000', got '${raw.slice(0, 80)}'`, 2);
    if (Object.hasOwn(out, m[1]!)) throw new CliFailure(`--prices names ${m[1]} twice`, 2);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** A text option given empty (`--api-key "$KEY"` with KEY unset) is refused, not defaulted or failed later. */
function given(name: string, raw: string, what: string, fallback: string): string {
  if (raw.trim() === "")
    throw new CliFailure(`--${name} is empty: give ${what}, or leave --${name} out for ${fallback}`, 2);
  return raw;
}

export const simCommand = defineCommand({
  meta: { name: "sim", description: "Run bingx-sim, a local exchange speaking the BingX swap protocol" },
  args: {
    port: { type: "string", default: "0", description: "port on 127.0.0.1 (0 = any free port)" },
    "api-key": { type: "string", default: "sim-api-key", description: "API key the sim accepts" },
    secret: { type: "string", default: "sim-secret-key", description: "secret the sim signs with" },
    seed: { type: "string", default: "1", description: "seed for prices and fault draws" },
    prices: {
      type: "string",
      description: "symbols and start prices, e.g. TRX-USDT=0.25,BTC-USDT=65000 (default: BTC, ETH, SOL, DOGE, TRX)",
    },
  },
  async run({ args }) {
    await runSimFromArgs({
      port: integerFlag("port", args.port, 0, 65535),
      apiKey: given("api-key", args["api-key"], "one", "the sim's default"),
      secret: given("secret", args.secret, "one", "the sim's default"),
      seed: integerFlag("seed", args.seed, 0, 2 ** 31 - 1),
      ...(args.prices === undefined
        ? {}
        : {
            prices: parsePrices(given("prices", args.prices, "them as 'TRX-USDT=0.25,BTC-USDT=65000'", "the defaults")),
          }),
    });
  },
});
