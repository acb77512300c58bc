/**
 * `dita-v2 strategy-status --prefix` takes the prefixes serve can have (DITA_V2_ZINC_PREFIX:
 * 1..64 of [A-Za-z0-9_.-]): a longer one names no region any kernel could have made, so it is a
 * bad argument (exit 2, naming the rule), not "region missing" after a lookup.
 */

import { expect, test } from "bun:test";
import { runCommand } from "citty";
import { strategyStatusCommand } from "../../src/cli/strategy_status.ts";

async function refusal(rawArgs: string[]): Promise<{ code: number; message: string }> {
  try {
    await runCommand(strategyStatusCommand, { rawArgs });
  } catch (e) {
    return { code: (e as { exitCode?: number }).exitCode ?? 1, message: (e as Error).message };
  }
  return { code: 0, message: "" };
}

test("a prefix longer than 64 characters is exit 2 naming the rule DITA_V2_ZINC_PREFIX follows", async () => {
  const r = await refusal(["--prefix", "p".repeat(65)]);
  expect(r.code).toBe(2);
  expect(r.message).toContain("--prefix must be 1..64 of [A-Za-z0-9_.-] (as DITA_V2_ZINC_PREFIX)");
});
