/**
 * The operator commands that read serve's address, the token or the cluster from the environment
 * (`status`, `healthcheck`, `intent`, `control`, `flatten`, `fleet`, `verify-isolation`) answer a
 * configuration they cannot read — a misspelled `DITA_V2_*` name, a bad value, an operator.token
 * file that holds no token — with its one line and exit 2, "bad arguments: nothing was sent". They
 * exited 1, which each of them documents as something else: `healthcheck` "unhealthy", a change
 * "its answer was lost after it was sent (it may have been applied)", `fleet` "a kernel not ok",
 * `verify-isolation` "a leak".
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controlCommand } from "../../src/cli/control.ts";
import { flattenCommand } from "../../src/cli/flatten.ts";
import { fleetCommand } from "../../src/cli/fleet.ts";
import { intentCommand } from "../../src/cli/intent.ts";
import { healthcheckCommand, statusCommand } from "../../src/cli/status.ts";
import { verifyIsolationCommand } from "../../src/cli/verify_isolation.ts";
import { type CliRun, runCli } from "../_support/cli.ts";

const dirs: string[] = [];
const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), "dita-cli-config-"));
  dirs.push(d);
  return d;
}

// Port 9 (discard): were anything sent, the command would say "cannot reach", not the variable.
type Run = (env: Record<string, string>) => Promise<CliRun>;
const mark = ["mark", "--asset", "BTC-USDT", "--price", "65000"];
const commands: Array<[string, Run]> = [
  ["status", (env) => runCli(statusCommand, [], env)],
  ["healthcheck", (env) => runCli(healthcheckCommand, [], env)],
  ["intent mark", (env) => runCli(intentCommand, mark, env)],
  ["control (read)", (env) => runCli(controlCommand, [], env)],
  ["control (change)", (env) => runCli(controlCommand, ["trading_state=HALTED"], env)],
  ["flatten", (env) => runCli(flattenCommand, [], env)],
  ["fleet", (env) => runCli(fleetCommand, [], env)],
  ["verify-isolation", (env) => runCli(verifyIsolationCommand, ["--others", "blue"], env)],
];

test("a misspelled DITA_V2_* variable is exit 2 with its one line for every command that loads the configuration", async () => {
  for (const [name, run] of commands) {
    const r = await run({ DITA_V2_STATE_DIR: stateDir(), DITA_V2_HTTP_PORT: "9", DITA_V2_MAX_LEVRAGE: "5" });
    expect([name, r.code, r.message, r.stdout]).toEqual([
      name,
      2,
      "DITA_V2_MAX_LEVRAGE is not a DITAv2 variable (did you mean DITA_V2_MAX_LEVERAGE?)",
      "",
    ]);
  }
});

test("a bad value (a port out of range, a token too short) is exit 2 naming the variable", async () => {
  for (const [name, run] of commands) {
    const r = await run({ DITA_V2_STATE_DIR: stateDir(), DITA_V2_HTTP_PORT: "99999" });
    expect([name, r.code, r.message]).toEqual([name, 2, "DITA_V2_HTTP_PORT: must be an integer 0..65535, got '99999'"]);
  }
  const r = await runCli(controlCommand, ["trading_state=HALTED"], {
    DITA_V2_STATE_DIR: stateDir(),
    DITA_V2_HTTP_PORT: "9",
    DITA_V2_OPERATOR_TOKEN: "short",
  });
  expect([r.code, r.message]).toEqual([
    2,
    "DITA_V2_OPERATOR_TOKEN: must be 16..256 printable characters without spaces (value not shown)",
  ]);
});

test("an operator.token file that holds no token is exit 2 for a change, naming the file, and nothing is sent", async () => {
  const dir = stateDir();
  writeFileSync(join(dir, "operator.token"), "two words\n");
  for (const [name, run] of commands.filter(([n]) => ["control (change)", "flatten", "intent mark"].includes(n))) {
    const r = await run({ DITA_V2_STATE_DIR: dir, DITA_V2_HTTP_PORT: "9" });
    expect([name, r.code]).toEqual([name, 2]);
    expect(r.message).toStartWith(`${join(dir, "operator.token")}: must hold one operator token`);
  }
});
