/**
 * `dita-v2 strategy-status --prefix` takes the prefixes serve can have (DITA_V2_ZINC_PREFIX:
 * 1..64 of [A-Za-z0-9_.-]): a longer one names no region any kernel could have made, so it is a
 * bad argument (exit 2, naming the rule), not "region missing" after a lookup.
 */

import { expect, test } from "bun:test";
import { strategyStatusCommand } from "../../src/cli/strategy_status.ts";
import { cliRefusal } from "../_support/cli.ts";

test("a prefix longer than 64 characters is exit 2 naming the rule DITA_V2_ZINC_PREFIX follows", async () => {
  const r = await cliRefusal(strategyStatusCommand, ["--prefix", "p".repeat(65)]);
  expect(r.code).toBe(2);
  expect(r.message).toContain(
    "--prefix must be 1..64 of [A-Za-z0-9_.-], not starting with '.' (as DITA_V2_ZINC_PREFIX)",
  );
});
