/**
 * `once` mode: assemble the runtime from the environment, connect and reconcile with the venue,
 * return one JSON status document, and tear everything down (nothing is left running). Log lines
 * and the document are masked (no credential is printed).
 */
import { maskDeep, maskSecrets } from "../contracts/secrets.ts";

import { buildBundle } from "./bundle.ts";
import { loadConfig } from "./config.ts";
import { Runtime } from "./runtime.ts";
import { statusDocument } from "./status.ts";
import { SystemClock } from "./system_clock.ts";

export async function runOnce(env: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const config = loadConfig(env);
  const bundle = await buildBundle(config, new SystemClock(), env, { journal: false });
  const rt = new Runtime(bundle, (line) => console.error(maskSecrets(line)));
  try {
    await rt.start();
    return maskDeep(statusDocument(rt));
  } finally {
    await rt.shutdown(2000);
  }
}
