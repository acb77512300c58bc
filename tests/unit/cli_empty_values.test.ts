/**
 * An empty value (`--size "$SIZE"` with SIZE unset) or a bad one is refused with one line naming
 * the option (exit 2): never a default silently used in its place, never a stack trace or exit 1.
 *
 * - `smoke --size ""` traded the smallest size, `--wait-ms ""` waited 20 s, `--conf ""` skipped
 *   the supervisor precheck (no config, so "not running") and a `--conf` that does not exist did too;
 * - `chaos --matrix --case ""` ran every case (with `--live`, every live-safe case on the demo);
 * - `sim --prices ""` started with the default prices; `--api-key ""` / `--secret ""` ended in
 *   "Condition failed" with exit 1;
 * - `replay ""` or a path that does not exist was exit 1 ("the journal cannot be read");
 * - `control __proto__=1` was dropped from the change without a word.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { CliFailure } from "../../src/cli/_fail.ts";
import { selectCases } from "../../src/cli/chaos.ts";
import { parseChange } from "../../src/cli/control.ts";
import { replayCommand } from "../../src/cli/replay.ts";
import { simCommand } from "../../src/cli/sim.ts";
import { smokeCommand } from "../../src/cli/smoke.ts";
import { cliRefusal } from "../_support/cli.ts";

const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
afterAll(() => busy.stop(true));

describe("smoke", () => {
  const dry = ["--symbol", "TRX-USDT", "--dry-run"];
  test("an empty --size or --wait-ms is refused naming it, not replaced by the default", async () => {
    for (const name of ["size", "wait-ms"])
      expect([name, await cliRefusal(smokeCommand, [...dry, `--${name}`, ""])]).toEqual([
        name,
        { code: 2, message: `--${name} is empty: give a positive number, or leave --${name} out for the default` },
      ]);
  });

  test("an empty --conf, or one that does not exist, is refused: the supervisor precheck would pass unseen", async () => {
    for (const conf of ["", "/nonexistent/dolphin-supervisord.conf"])
      expect([conf, await cliRefusal(smokeCommand, [...dry, "--conf", conf])]).toEqual([
        conf,
        {
          code: 2,
          message: `--conf must name the supervisord config of the precheck, got '${conf}' (no such file)`,
        },
      ]);
  });
});

describe("chaos", () => {
  test("an empty --case is refused naming it, not read as every case", () => {
    for (const live of [false, true])
      expect(() => selectCases("", live)).toThrow(
        new CliFailure("--case is empty: name the cases (dita-v2 chaos --list), or leave --case out for all", 2),
      );
  });
});

describe("sim", () => {
  test("an empty --api-key or --secret is refused naming it (exit 2, not 'Condition failed')", async () => {
    for (const name of ["api-key", "secret"])
      expect([name, await cliRefusal(simCommand, [`--${name}`, "", "--port", String(busy.port)])]).toEqual([
        name,
        { code: 2, message: `--${name} is empty: give one, or leave --${name} out for the sim's default` },
      ]);
  });

  test("an empty --prices is refused naming it, not replaced by the default prices", async () => {
    expect(await cliRefusal(simCommand, ["--prices", "", "--port", String(busy.port)])).toEqual({
      code: 2,
      message: "--prices is empty: give them as 'TRX-USDT=0.25,BTC-USDT=65000', or leave --prices out for the defaults",
    });
  });
});

describe("replay", () => {
  test("an empty path or one that does not exist is a bad argument (exit 2)", async () => {
    for (const path of ["", "/nonexistent/journal"])
      expect([path, await cliRefusal(replayCommand, [path])]).toEqual([
        path,
        { code: 2, message: `replay: no journal at '${path}' (give <state dir>/journal or a *.jsonl journal)` },
      ]);
  });
});

describe("control", () => {
  test("every key=value pair is in the change sent, __proto__ too (serve names it as unknown)", () => {
    expect(Object.keys(parseChange(["__proto__=1", "trading_state=HALTED"]))).toEqual(["__proto__", "trading_state"]);
    expect(JSON.parse(JSON.stringify(parseChange(["__proto__=1"])))).toEqual(JSON.parse('{"__proto__":1}'));
  });
});
