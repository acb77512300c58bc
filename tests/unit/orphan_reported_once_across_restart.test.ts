/**
 * An orphan found by recovery at start is the one live reconciliation then follows: its first
 * pass does not report the same position a second time (one CRITICAL per orphan while it
 * persists, whoever found it first). In-process runtime over the mock venue, real journal.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

const dirs: string[] = [];
const open: Runtime[] = [];
afterEach(async () => {
  for (const rt of open.splice(0)) await rt.shutdown(500);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("an orphan recovery reported at start is not reported again by live reconciliation's first pass", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dita-orphan-start-"));
  dirs.push(dir);
  const env = { DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0", DITA_V2_WARM_PATH_MS: "0" };
  const b = await buildBundle(loadConfig(env), new SystemClock(), {}, { journal: true, log: () => {} });
  await b.venue.connect();
  const order = { asset: "BTC-USDT", side: "BUY", position_side: "LONG", type: "MARKET", reduce_only: false } as const;
  await b.venue.submit({ ...order, client_order_id: "by-hand-1", size: 0.01 }); // a position no slot owns
  const logs: string[] = [];
  const rt = new Runtime(b, (l) => logs.push(l));
  open.push(rt);
  await rt.start();
  const critical = () => logs.filter((l) => l.startsWith("CRITICAL ORPHAN_POSITION"));
  expect(critical()).toHaveLength(1);
  await rt.reconciler.pass();
  await rt.reconciler.pass();
  expect(critical()).toHaveLength(1);
});
