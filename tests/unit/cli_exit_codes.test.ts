/**
 * The exit codes and lines a script meets at the CLI's edges, as documented (README "Commands",
 * src/cli/README.md): bad arguments exit 2 with one plain line and nothing is sent.
 *
 * - a missing required option or positional, a missing or unknown subcommand: exit 2 (citty's own
 *   refusals once exited 1), one line without terminal colour codes or a stack trace;
 * - `dita-v2 intent enter --help` shows enter's options, not the intent group's; usage written to a
 *   pipe (not a terminal) is plain text, without colour codes;
 * - `flatten --timeout-ms` outside 1000..240000 is refused before anything is sent (it was sent and
 *   answered 400 → exit 3 "refused", or reported as "cannot reach" for a huge value);
 * - `smoke --venue-url notaurl` is refused naming the option (exit 2), not "Invalid URL" (exit 1);
 * - `verify-isolation`: a bad or repeated namespace and an unreachable store exit 2, never 1 (1 is
 *   "a leak");
 * - `zinc-lib --out ""` is refused instead of writing into the working directory;
 * - a reader that went away (`dita-v2 chaos --list | head -1`) stops the command quietly with exit
 *   141 (SIGPIPE's), never an EPIPE stack trace.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flattenCommand } from "../../src/cli/flatten.ts";
import { smokeCommand } from "../../src/cli/smoke.ts";
import { verifyIsolationCommand } from "../../src/cli/verify_isolation.ts";
import { zincLibCommand } from "../../src/cli/zinc_lib.ts";
import { CLI_MAIN, cliRefusal, spawnCli } from "../_support/cli.ts";

/** `bun src/cli/main.ts ...args` with only PATH and HOME set. */
const cli = (args: string[]) =>
  spawnCli(args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    timeout: 30_000,
  });

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe("usage errors exit 2 with one plain line", () => {
  test("a missing required option or positional, a missing or unknown subcommand: exit 2, no colour codes", () => {
    for (const [args, says] of [
      [["intent", "enter", "--slot", "0"], "Missing required argument: --trade"],
      [["intent", "cancel"], "Missing required argument: --slot"],
      [["replay"], "Missing required positional argument: JOURNAL"],
      [["ctl"], "Missing required positional argument: ACTION"],
      [["smoke"], "Missing required argument: --symbol"],
      [["verify-isolation"], "Missing required argument: --others"],
      [["intent"], "No command specified."],
      [["intent", "bogus"], "Unknown command bogus"],
      [["launch-missiles"], "Unknown command launch-missiles"],
    ] as const) {
      const r = cli([...args]);
      expect([args, r.code, r.stdout, r.stderr]).toEqual([args, 2, "", `dita-v2: ${says}\n`]);
    }
  });

  test("--help after a nested subcommand shows that subcommand's options", () => {
    const r = cli(["intent", "enter", "--help"]);
    expect(r.code).toBe(0);
    for (const option of ["--slot", "--trade", "--asset", "--side", "--size", "--leverage"])
      expect(r.stdout).toContain(option);
  });

  test("usage written to a pipe is plain text, without terminal colour codes", () => {
    for (const args of [["--help"], [], ["intent", "--help"], ["intent", "enter", "--help"]]) {
      const r = cli(args);
      expect([args, r.code]).toEqual([args, 0]);
      expect(r.stdout).toContain("USAGE dita-v2");
      expect(r.stdout).not.toContain("\u001b[");
    }
  });
});

/** Runs the CLI with stdout a pipe whose read end is already closed: every write meets EPIPE. */
const READER_GONE = `
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, timeout=30)
sys.stdout.write(str(p.returncode) + "\\n" + p.stderr.decode())
`;

describe("stdout's reader went away", () => {
  test("the command stops without a stack trace, exit 141", () => {
    for (const args of [["chaos", "--list"], ["fsm"]]) {
      const r = Bun.spawnSync(["python3", "-c", READER_GONE, process.execPath, CLI_MAIN, ...args], { stdout: "pipe" });
      expect([args, r.stdout.toString()]).toEqual([args, "141\n"]);
    }
  });
});

describe("bad values are refused before anything is sent", () => {
  test("flatten --timeout-ms outside 1000..240000 is exit 2 naming the range, token or not", async () => {
    for (const token of [undefined, "t0ken"]) {
      if (token === undefined) delete process.env.DITA_V2_OPERATOR_TOKEN;
      else process.env.DITA_V2_OPERATOR_TOKEN = token;
      process.env.DITA_V2_STATE_DIR = mkdtempSync(join(tmpdir(), "cli-flatten-"));
      for (const raw of ["0", "999", "240001", "99999999999999999999"])
        expect(await cliRefusal(flattenCommand, ["--timeout-ms", raw, "--url", "http://127.0.0.1:9"])).toEqual({
          code: 2,
          message: `--timeout-ms must be an integer 1000..240000, got '${raw}'`,
        });
      rmSync(process.env.DITA_V2_STATE_DIR, { recursive: true, force: true });
    }
  });

  test("smoke --venue-url that is no http(s) origin is exit 2 naming it, dry run or not", async () => {
    for (const url of ["notaurl", "", "http://[::1"])
      for (const dry of [["--dry-run"], []])
        expect(
          await cliRefusal(smokeCommand, [
            "--symbol",
            "TRX-USDT",
            ...dry,
            "--venue-url",
            url,
            "--conf",
            "/nonexistent",
          ]),
        ).toEqual({ code: 2, message: `--venue-url must be an http(s) origin, got '${url}'` });
  });

  test("zinc-lib --out '' is refused (exit 2) and writes nothing into the working directory", async () => {
    const cwd = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), "cli-zinc-lib-"));
    process.chdir(dir);
    try {
      const r = await cliRefusal(zincLibCommand, ["--out", ""]);
      expect(r.code).toBe(2);
      expect(r.message).toStartWith("--out is empty");
      expect(existsSync(join(dir, "libzinc.so"))).toBe(false);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("verify-isolation never answers a bad argument or an unreachable store with 1 (a leak)", () => {
  test("a bad, repeated or missing namespace is exit 2 naming the option, before anything is contacted", async () => {
    process.env.DITA_V2_HAZELCAST = "OFF";
    process.env.DITA_V2_CLICKHOUSE = "REAL";
    process.env.DITA_V2_CLICKHOUSE_URL = "http://127.0.0.1:9";
    for (const [args, message] of [
      [["--others", "pink"], "--others must not name --strategy 'pink' or a namespace twice, got 'pink'"],
      [["--others", "blue,blue"], "--others must not name --strategy 'pink' or a namespace twice, got 'blue,blue'"],
      [["--others", "Blue"], "--others: each namespace must match ^[a-z][a-z0-9_]{0,31}$, got 'Blue'"],
      [["--others", " , "], "--others names no namespace: give the others to compare with, e.g. blue"],
      [["--strategy", "X", "--others", "blue"], "--strategy must match ^[a-z][a-z0-9_]{0,31}$, got 'X'"],
    ] as const)
      expect([args, await cliRefusal(verifyIsolationCommand, [...args])]).toEqual([args, { code: 2, message }]);
  });

  test("an unreachable ClickHouse is exit 2, not the leak code", async () => {
    process.env.DITA_V2_HAZELCAST = "OFF";
    process.env.DITA_V2_CLICKHOUSE = "REAL";
    process.env.DITA_V2_CLICKHOUSE_URL = "http://127.0.0.1:9";
    const r = await cliRefusal(verifyIsolationCommand, ["--others", "blue"]);
    expect(r.code).toBe(2);
    expect(r.message).toStartWith("cannot verify isolation: ");
  });
});
