/**
 * `once` mode: assemble the runtime from the environment, connect and reconcile with the venue,
 * return one JSON status document, and tear everything down (nothing is left running). Log lines
 * and the document are masked (no credential is printed).
 *
 * Invariant: `once` holds the state directory's lock (`state_dir_lock.ts`) for its whole run, as
 * serve does. A serve running on the directory owns its spool files (appended at offsets it keeps
 * in memory, acknowledged, compacted by rename): a second writer there overwrites or strands its
 * rows. So a `once` on a serve's state directory is refused (exit 3, naming the serve's pid), and
 * changes nothing there.
 */
import { maskDeep, maskSecrets } from "../contracts/secrets.ts";

import { buildBundle, makeStateDir } from "./bundle.ts";
import { loadConfig } from "./config.ts";
import { Runtime } from "./runtime.ts";
import { lockStateDir } from "./state_dir_lock.ts";
import { statusDocument } from "./status.ts";
import { SystemClock } from "./system_clock.ts";

export async function runOnce(env: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const config = loadConfig(env);
  const unlock = lockStateDir(makeStateDir(config.state_dir, (line) => console.error(maskSecrets(line))));
  try {
    const bundle = await buildBundle(config, new SystemClock(), env, { journal: false });
    const rt = new Runtime(bundle, (line) => console.error(maskSecrets(line)));
    try {
      await rt.start();
      return maskDeep(statusDocument(rt));
    } finally {
      await rt.shutdown(2000);
    }
  } finally {
    unlock();
  }
}
