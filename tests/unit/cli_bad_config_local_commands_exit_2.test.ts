/**
 * The commands that load the configuration without talking to a serve (`replay --project`, `once`,
 * `serve`) answer a configuration they cannot read — a misspelled `DITA_V2_*` name, a bad value, a
 * `--project` without `DITA_V2_CLICKHOUSE=REAL` — with its one line and exit 2, as the operator
 * commands do (cli_bad_config_exit_2.test.ts): nothing was done. They exited 1, which `replay`
 * documents as "the journal cannot be read". `smoke` refuses a malformed BINGX_* value the same way
 * (exit 2, nothing sent) instead of a failed connect step (exit 1, "a step failed").
 */

import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onceCommand } from "../../src/cli/once.ts";
import { replayCommand } from "../../src/cli/replay.ts";
import { serveCommand } from "../../src/cli/serve.ts";
import { smokeCommand } from "../../src/cli/smoke.ts";
import { type CliRun, runCli } from "../_support/cli.ts";

const dirs: string[] = [];
const servers: Array<ReturnType<typeof Bun.serve>> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "dita-cli-local-config-"));
  dirs.push(d);
  return d;
}

/** A stand-in ClickHouse that counts what it is sent: a replay that refuses sends nothing. */
function clickhouse(): { url: string; requests: () => number } {
  let n = 0;
  const s = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => {
      n += 1;
      return new Response("Ok.\n");
    },
  });
  servers.push(s);
  return { url: `http://127.0.0.1:${s.port}`, requests: () => n };
}

type Run = (env: Record<string, string>) => Promise<CliRun>;

function commands(journal: string): Array<[string, Run]> {
  return [
    ["replay --project", (env) => runCli(replayCommand, [journal, "--project"], env)],
    ["once", (env) => runCli(onceCommand, [], env)],
    ["serve", (env) => runCli(serveCommand, [], env)],
  ];
}

test("a misspelled DITA_V2_* variable is exit 2 with its one line for replay --project, once and serve, and nothing is written", async () => {
  const dir = scratch();
  const journal = join(dir, "journal");
  mkdirSync(journal);
  const ch = clickhouse();
  for (const [name, run] of commands(journal)) {
    const state = join(dir, "state");
    const r = await run({
      DITA_V2_STATE_DIR: state,
      DITA_V2_HTTP_PORT: "0",
      DITA_V2_CLICKHOUSE: "REAL",
      DITA_V2_CLICKHOUSE_URL: ch.url,
      DITA_V2_MAX_LEVRAGE: "5",
    });
    expect([name, r.code, r.message, r.stdout, existsSync(state)]).toEqual([
      name,
      2,
      "DITA_V2_MAX_LEVRAGE is not a DITAv2 variable (did you mean DITA_V2_MAX_LEVERAGE?)",
      "",
      false,
    ]);
  }
  expect(ch.requests()).toBe(0);
});

test("a bad value is exit 2 naming the variable for replay --project, once and serve", async () => {
  const dir = scratch();
  const journal = join(dir, "journal");
  mkdirSync(journal);
  for (const [name, run] of commands(journal)) {
    const r = await run({ DITA_V2_STATE_DIR: join(dir, "state"), DITA_V2_HTTP_PORT: "99999" });
    expect([name, r.code, r.message]).toEqual([name, 2, "DITA_V2_HTTP_PORT: must be an integer 0..65535, got '99999'"]);
  }
});

test("replay --project without DITA_V2_CLICKHOUSE=REAL is exit 2 naming the variable, not 1 (the journal cannot be read)", async () => {
  const dir = scratch();
  const journal = join(dir, "journal");
  mkdirSync(journal);
  const r = await runCli(replayCommand, [journal, "--project"], { DITA_V2_CLICKHOUSE: "OFF" });
  expect([r.code, r.message, r.stdout]).toEqual([
    2,
    "DITA_V2_CLICKHOUSE: replay --project writes into ClickHouse: set it to REAL (and its URL)",
    "",
  ]);
});

test("smoke against a sim with a malformed BINGX_API_KEY is refused, exit 2, before any step runs", async () => {
  const dir = scratch();
  const sim = clickhouse(); // any listener: counts what the smoke would send
  const r = await runCli(smokeCommand, ["--symbol", "TRX-USDT", "--venue-url", sim.url], {
    DITA_V2_STATE_DIR: dir,
    BINGX_API_KEY: "short",
  });
  expect([r.code, r.message, r.stdout]).toEqual([
    2,
    "BINGX_API_KEY is malformed (expected 8–256 printable characters)",
    "",
  ]);
  expect(sim.requests()).toBe(0);
  expect(existsSync(join(dir, "smoke"))).toBe(false);
});

test("once with a malformed BINGX_API_KEY says so once, naming the variable: exit 2, nothing sent", async () => {
  const dir = scratch();
  const venue = clickhouse(); // any listener: counts what once would send
  const r = await runCli(onceCommand, [], {
    DITA_V2_STATE_DIR: join(dir, "state"),
    DITA_V2_VENUE: "BINGX",
    BINGX_BASE_URL: venue.url,
    BINGX_API_KEY: "short",
    BINGX_API_SECRET: "S0123456789",
  });
  expect([r.code, r.message]).toEqual([2, "BINGX_API_KEY is malformed (expected 8–256 printable characters)"]);
  expect(venue.requests()).toBe(0);
});
