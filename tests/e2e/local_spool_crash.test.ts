/**
 * A serve without servers (the local default sink) killed with SIGKILL just as a trade closes, then
 * started again on its state dir: the trade's rows are all in the local file (`dita-v2 spool`), its
 * CLOSE row with the PnL included. Found by an audit: the local sink had no projected mark, so the rows
 * of the last drain interval before a SIGKILL were lost for good (4 of 4 kills 15 ms after the exit),
 * though the journal held their inputs. Now the local file is its own spool: the mark names what it
 * holds, and the next start's catch-up re-projects the rest from the journal. Through the executable.
 */

import { afterAll, expect, test } from "bun:test";
import { spoolRows } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";

const started: Served[] = [];
afterAll(async () => {
  for (const s of started) if (s.proc.exitCode === null) await s.stop();
});

const ENV = { DITA_V2_SLOTS: "2", DITA_V2_MOCK_PRICES: "BTC-USDT=65000" };

function tradeRows(stateDir: string): Array<Record<string, any>> {
  const r = spoolRows(stateDir, "trade_event");
  expect([r.code, r.stderr]).toEqual([0, ""]);
  return r.rows;
}

test("SIGKILL as a trade closes: after the restart the local file holds its OPEN and CLOSE rows, each once", async () => {
  const first = await startServe(ENV);
  started.push(first);
  const enter = { type: "ENTER", slot_id: 0, trade_id: "K1", asset: "BTC-USDT", side: "LONG", size: 0.01, leverage: 2 };
  expect((await first.call("/intents", { method: "POST", body: enter })).status).toBe(200);
  await eventually("filled", async () => (await first.call("/slots/0")).body.stage === "POSITION_OPEN");
  const exit = { type: "EXIT", slot_id: 0, size: 0.01, reason: "TP" };
  expect((await first.call("/intents", { method: "POST", body: exit })).status).toBe(200);
  for (let i = 0; i < 5_000 && (await first.call("/slots/0")).body.stage !== "CLOSED"; i++); // no sleep: kill at once
  await first.kill9();

  const second = await startServe(ENV, first.stateDir);
  started.push(second);
  expect((await second.call("/slots/0")).body).toMatchObject({ stage: "CLOSED", trade_id: "K1" });
  const rows = tradeRows(second.stateDir);
  expect(rows.map((r) => r.row_id).sort()).toEqual(["pink:K1:CLOSE", "pink:K1:OPEN"]);
  expect(await second.stop()).toBe(0);
});
