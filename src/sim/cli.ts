/**
 * `dita-v2 sim`: runs bingx-sim alone until SIGTERM or SIGINT, then stops it and resolves.
 * The lead wires this into citty; it prints one line with the URL and the seed, because a
 * command-line user needs both (library use through `startBingxSim` prints nothing).
 */

import { startBingxSim } from "./index.ts";

export interface SimArgs {
  port: number;
  apiKey: string;
  secret: string;
  seed: number;
  /** Symbols and start prices, e.g. {"TRX-USDT": 0.25}; default: the sim's catalog. */
  prices?: Record<string, number>;
}

export async function runSimFromArgs(args: SimArgs): Promise<void> {
  const handle = await startBingxSim({
    port: args.port,
    apiKey: args.apiKey,
    secret: args.secret,
    seed: args.seed,
    ...(args.prices ? { prices: args.prices } : {}),
  });
  process.stdout.write(`bingx-sim listening on ${handle.url} (ws ${handle.wsUrl}) SEED=${handle.seed}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      void handle.stop().then(resolve, resolve);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
