/**
 * No flag is accepted that does nothing: an option a command declares but would ignore in the way
 * it is combined is refused with one line (exit 2) before the command runs, as `fleet --save`
 * without `--verify-isolation` already is.
 *
 * - `--version` / `-v` with a command (`dita-v2 flatten -v` ran the flatten);
 * - `ctl ACTION --stderr` for any action but tail;
 * - `chaos --list` with anything else, `--steps` with `--matrix`/`--live`, `--venue` with `--live`;
 * - `replay`: `--project` with `--export`, `--json` or `--from`; `--export` with `--json`; `--from`
 *   with a single-file journal (and its bad values exit 2, not 1, like every command's);
 * - `strategy-status --strategy` with `--prefix` (the prefix decides; the strategy was dropped).
 */

import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commandLineRefusal } from "../../src/cli/_flags.ts";
import { chaosCommand } from "../../src/cli/chaos.ts";
import { ctlCommand } from "../../src/cli/ctl.ts";
import { root } from "../../src/cli/index.ts";
import { replayCommand } from "../../src/cli/replay.ts";
import { strategyStatusCommand } from "../../src/cli/strategy_status.ts";
import { cliRefusal, spawnCli } from "../_support/cli.ts";

describe("--version", () => {
  test("with a command it is refused naming the command; alone it prints the version", async () => {
    for (const [argv, where] of [
      [["fsm", "--version"], "dita-v2 fsm"],
      [["status", "-v"], "dita-v2 status"],
      [["flatten", "-v", "--url", "http://127.0.0.1:9"], "dita-v2 flatten"],
      [["intent", "cancel", "--slot", "0", "--version"], "dita-v2 intent cancel"],
      [["--version", "status"], "dita-v2"],
    ] as const)
      expect([argv, await commandLineRefusal(root, [...argv])]).toEqual([
        argv,
        `--version is given alone (dita-v2 --version); with '${where}' it would do nothing`,
      ]);
    const alone = spawnCli(["--version"]);
    expect([alone.code, alone.stdout]).toEqual([0, "0.1.0\n"]);
    const withCommand = spawnCli(["fsm", "-v"]);
    expect([withCommand.code, withCommand.stdout]).toEqual([2, ""]);
  });
});

describe("options the combination would ignore are refused (exit 2)", () => {
  test("ctl --stderr goes with tail only", async () => {
    for (const action of ["status", "start", "stop", "restart"])
      expect(await cliRefusal(ctlCommand, [action, "--stderr", "--conf", "/nonexistent"])).toEqual({
        code: 2,
        message: "--stderr goes with 'ctl tail' only",
      });
  });

  test("chaos: --list alone, --steps only for a VOPR run, --venue not with --live", async () => {
    for (const [args, message] of [
      [["--list", "--seed", "5"], "--list takes no other option (it lists the cases and exits)"],
      [["--list", "--matrix"], "--list takes no other option (it lists the cases and exits)"],
      [["--matrix", "--steps", "5"], "--steps goes with a VOPR run (--seed N), not --matrix or --live"],
      [["--live", "--steps", "5"], "--steps goes with a VOPR run (--seed N), not --matrix or --live"],
      [["--live", "--venue", "mock"], "--venue does not go with --live (it runs against the BingX demo)"],
    ] as const)
      expect([args, await cliRefusal(chaosCommand, [...args])]).toEqual([args, { code: 2, message }]);
  });

  test("replay: --project, --export and --json are different outputs; --from reads a journal directory; bad values exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-replay-"));
    const file = join(dir, "old.jsonl");
    writeFileSync(file, "");
    try {
      for (const [args, message] of [
        [[dir, "--project", "--export", "jsonl"], "replay: give one of --project, --export, --json"],
        [[dir, "--project", "--json"], "replay: give one of --project, --export, --json"],
        [[dir, "--export", "jsonl", "--json"], "replay: give one of --project, --export, --json"],
        [[dir, "--project", "--from", "oldest"], "replay: --from goes with a replay or --export, not --project"],
        [[file, "--from", "oldest"], `replay: --from reads a journal directory; ${file} is a single-file journal`],
        [[dir, "--from", "middle"], "replay: --from must be newest or oldest, got 'middle'"],
        [[dir, "--export", "csv"], "replay: --export takes jsonl, got 'csv'"],
      ] as const)
        expect([args, await cliRefusal(replayCommand, [...args])]).toEqual([args, { code: 2, message }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("strategy-status takes --strategy or --prefix, not both", async () => {
    expect(await cliRefusal(strategyStatusCommand, ["--strategy", "blue", "--prefix", "cli_no_such_prefix"])).toEqual({
      code: 2,
      message: "give --strategy or --prefix, not both (the prefix names the regions)",
    });
  });
});
