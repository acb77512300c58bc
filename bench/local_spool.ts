/**
 * The local default sink over many orders (writes bench/results/local_spool.json): serve's runtime on
 * defaults (mock venue, journal, no servers: the projection's only sink is `<state dir>/spool/local.spool`),
 * whole trades (ENTER MARKET → fill → EXIT → fill → CLOSED) on 8 slots with a mark between them, with a
 * small seal size so that many seals and deletions happen in one run. Reported: the rows' bytes per order
 * (every byte the sink wrote, sealed files and deleted ones included), seals, files deleted, the disk the
 * sink holds at the end against its bound ((keep + 1) × segment), the largest active file, and any
 * SPOOL_FULL. What a serve on defaults would reach the old 512 MiB cap after is the cap over bytes per order.
 *
 *   bun bench/local_spool.ts [TRADES (20000)] [SEGMENT_MB (2)] [KEEP (3)]
 */

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { StrategyIntent } from "../src/contracts/index.ts";
import { buildBundle } from "../src/launcher/bundle.ts";
import { loadConfig } from "../src/launcher/config.ts";
import { Runtime } from "../src/launcher/runtime.ts";
import { SystemClock } from "../src/launcher/system_clock.ts";
import type { ProjectionDiagnostic } from "../src/projection/index.ts";

const trades = Number(process.argv[2] ?? 20_000);
const segmentMb = Number(process.argv[3] ?? 2);
const keep = Number(process.argv[4] ?? 3);
const SLOTS = 8;
const CAP_BYTES = 512 * 2 ** 20;

const dir = mkdtempSync(join(tmpdir(), "dita-bench-local-spool-"));
const spool = join(dir, "spool");
const diags: ProjectionDiagnostic[] = [];
const env = {
  DITA_V2_STATE_DIR: dir,
  DITA_V2_RECONCILE_INTERVAL_MS: "0",
  DITA_V2_MOCK_BALANCE: "100000000",
  DITA_V2_LOCAL_SPOOL_SEGMENT_MB: String(segmentMb),
  DITA_V2_LOCAL_SPOOL_KEEP: String(keep),
};
const bundle = await buildBundle(loadConfig(env), new SystemClock(), env, {
  journal: true,
  log: () => {},
  onProjectionDiagnostic: (d) => diags.push(d),
});
const rt = new Runtime(bundle, () => {});
await rt.start();

const stage = (slot: number) => bundle.kernel.slot(slot).stage;
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !done(); i++) await Bun.sleep(1);
  if (!done()) throw new Error("a trade did not settle within 5 s");
}
const sizeOf = (p: string) => (existsSync(p) ? statSync(p).size : 0);
const sealedDir = join(spool, "local-sealed");
const held = () =>
  sizeOf(join(spool, "local.spool")) +
  (existsSync(sealedDir) ? readdirSync(sealedDir).reduce((n, f) => n + sizeOf(join(sealedDir, f)), 0) : 0);

let largestActive = 0;
const t0 = Bun.nanoseconds();
for (let i = 0; i < trades; i++) {
  const slot = i % SLOTS;
  const mark: StrategyIntent = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 + (i % 100) };
  rt.submitStrategy(mark);
  const enter: StrategyIntent = {
    type: "ENTER",
    slot_id: slot,
    trade_id: `B${i}`,
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price: null,
    leverage: 3,
  } as StrategyIntent;
  if (!rt.submitStrategy(enter).accepted) throw new Error(`ENTER ${i} refused`);
  await until(() => stage(slot) === "POSITION_OPEN");
  const exit = { type: "EXIT", slot_id: slot, size: 0.01, price: null, reason: "SIGNAL" } as StrategyIntent;
  if (!rt.submitStrategy(exit).accepted) throw new Error(`EXIT ${i} refused`);
  await until(() => stage(slot) === "CLOSED");
  if (i % 200 === 0) largestActive = Math.max(largestActive, sizeOf(join(spool, "local.spool")));
}
await bundle.projection.flush(10_000);
const seconds = (Bun.nanoseconds() - t0) / 1e9;
const rotated = diags.filter((d) => d.code === "SPOOL_ROTATED");
const deleted = rotated.flatMap((d) => d.details.pruned as { bytes: number }[]);
const deletedBytes = deleted.reduce((n, p) => n + p.bytes, 0);
const heldBytes = held();
const orders = 2 * trades;
const bytesPerOrder = (heldBytes + deletedBytes) / orders;
await rt.shutdown();
rmSync(dir, { recursive: true, force: true });

const result = {
  bench: "local_spool",
  runtime: `bun ${Bun.version}`,
  context: { load_average_1_5_15: loadavg().map((x) => Number(x.toFixed(2))) },
  setup: { trades, orders, slots: SLOTS, segment_mb: segmentMb, keep, marks: trades },
  seconds: Number(seconds.toFixed(1)),
  bytes_per_order: Number(bytesPerOrder.toFixed(0)),
  seals: rotated.length,
  files_deleted: deleted.length,
  held_bytes_at_end: heldBytes,
  bound_bytes: (keep + 1) * segmentMb * 2 ** 20,
  largest_active_file_bytes: largestActive,
  spool_full: diags.filter((d) => d.code === "SPOOL_FULL").length,
  orders_to_fill_the_old_512_mib_cap: Math.round(CAP_BYTES / bytesPerOrder),
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", "local_spool.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
