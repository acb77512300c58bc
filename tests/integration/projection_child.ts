/**
 * Child process for projection_restart.test.ts: projects TRADES whole trades (DEBUG journal on) to a
 * ClickHouse URL that is down, so everything lands in `<STATE_DIR>/spool/clickhouse.spool`; prints
 * `SPOOLED <backlog>` and then idles (at most 60 s) until the parent SIGKILLs it. Not a test file.
 */
import { ManualClock } from "../../src/contracts/clock.ts";
import { createProjection } from "../../src/projection/index.ts";
import { control, TradeScript, wholeTrade } from "./projection_fixtures.ts";

const p = await createProjection({
  run: "t1",
  strategy: "pink",
  stateDir: process.env.STATE_DIR!,
  clock: new ManualClock(),
  clickhouse: { url: process.env.CH_URL!, database: process.env.CH_DB! },
  required: false,
  onDiagnostic: () => {},
  tuning: { delayMs: 1, retryMinMs: 50, retryMaxMs: 100, requestTimeoutMs: 500 },
});
const k = new TradeScript();
k.ctl = control({ mode: "DEBUG", debug_clickhouse_enabled: true });
for (let s = 0; s < Number(process.env.TRADES); s++) for (const o of wholeTrade(k, s % 8, `TX${s}`)) p.onOutcome(o);
await p.flush(300);
console.log(`SPOOLED ${p.stats().backlog_records}`);
await Bun.sleep(60_000);
