/**
 * `dita-v2 smoke --pink --dry-run` prints the environment the run is assembled from. Its Zinc
 * prefix is per run (`dita_v2_smoke_<strategy>_<pid>`, the running smoke's own pid, so two smokes
 * never share regions): the dry run must say so, not print a prefix built from its own pid, which
 * is not the prefix the real run (another process) will use.
 */

import { expect, test } from "bun:test";
import { smokeCommand } from "../../src/cli/smoke.ts";
import { runCli } from "../_support/cli.ts";

/** What the dry run printed; it must not refuse. */
async function dryRun(rawArgs: string[]): Promise<string> {
  const r = await runCli(smokeCommand, rawArgs);
  expect([r.code, r.message]).toEqual([0, ""]);
  return r.stdout;
}

test("the pink dry run shows the Zinc prefix as per run, not one built from the dry run's own pid", async () => {
  const out = await dryRun([
    "--symbol",
    "TRXUSDT",
    "--pink",
    "--strategy",
    "blue",
    "--venue-url",
    "http://127.0.0.1:1",
    "--dry-run",
  ]);
  const line = out.split("\n").find((l) => l.startsWith("  DITA_V2_ZINC_PREFIX="));
  expect(line).toBe(
    "  DITA_V2_ZINC_PREFIX=dita_v2_smoke_blue_<pid> (per run: <pid> is the running smoke's own process id; its regions are removed afterwards)",
  );
  expect(out).not.toContain(`_${process.pid}`);
});

test("without --pink the dry run names no Zinc prefix (the runtime's Zinc is in memory)", async () => {
  const out = await dryRun(["--symbol", "TRXUSDT", "--venue-url", "http://127.0.0.1:1", "--dry-run"]);
  expect(out).toContain("  DITA_V2_ZINC=MEMORY\n");
  expect(out).not.toContain("DITA_V2_ZINC_PREFIX");
});
