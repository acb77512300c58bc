/**
 * An outbox without a spool (the local sink's: its file is the destination) holds at most `memMax`
 * records in memory while its sink refuses them; past that it refuses new records. The refusal is
 * loud: one SPOOL_FULL (CRITICAL, `details.reason` `cap`) when it starts, again only after the sink
 * took a batch, and every refused record counts in `records_refused`. Before, it only counted them:
 * records were dropped with no diagnostic at all.
 */
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { CallbackSink, Outbox, type ProjectionDiagnostic } from "../../src/projection/index.ts";

const record = (i: number) => ({ kind: "diagnostic" as const, row: { row_id: `pink:r:L${i}`, strategy: "pink" } });

test("an outbox without a spool refuses records past memMax loudly: one SPOOL_FULL cap, each refusal counted", async () => {
  const diags: ProjectionDiagnostic[] = [];
  const sink = new CallbackSink();
  sink.down = true;
  const box = new Outbox(sink, {
    clock: new ManualClock(),
    spool: null,
    memMax: 3,
    delayMs: 1_000_000,
    onDiagnostic: (d) => diags.push(d),
  });
  for (let i = 0; i < 6; i++) box.push(record(i));
  const full = diags.filter((d) => d.code === "SPOOL_FULL");
  expect(full.map((d) => [d.severity, d.details.reason])).toEqual([["CRITICAL", "cap"]]);
  expect(full[0]!.message).toContain("callback");
  expect(box.stats()).toMatchObject({ backlog_records: 3, records_refused: 3 });
  expect(box.spooledAll).toBe(false);
  sink.down = false;
  expect(await box.flush(1_000)).toBe(true);
  expect(sink.records.map((r) => r.row.row_id)).toEqual(["pink:r:L0", "pink:r:L1", "pink:r:L2"]);
  for (let i = 6; i < 10; i++) box.push(record(i)); // refused again after the sink took a batch: reported again
  expect(diags.filter((d) => d.code === "SPOOL_FULL")).toHaveLength(2);
  await box.close();
});
