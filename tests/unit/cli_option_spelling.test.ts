/**
 * An option citty would read differently from how it is written is refused (exit 2) before the
 * command runs, because citty takes it as something else and the command runs without it:
 *
 * - a long option with one dash (`smoke -dry-run`): citty reads it as the short flags d, r, y, u, n,
 *   so `--dry-run` stays false and the smoke trades;
 * - a boolean option with a value other than true or false (`chaos --live=no`,
 *   `replay --project=0`): citty takes any such value as true.
 */

import { describe, expect, test } from "bun:test";
import { commandLineRefusal } from "../../src/cli/_flags.ts";
import { root } from "../../src/cli/index.ts";

describe("a long option written with one dash", () => {
  test("is refused naming it and its two-dash spelling, not run without it", async () => {
    for (const [argv, flag, where] of [
      [["smoke", "--symbol", "TRX-USDT", "-dry-run"], "-dry-run", "dita-v2 smoke"],
      [["smoke", "--symbol", "TRX-USDT", "-pink"], "-pink", "dita-v2 smoke"],
      [["smoke", "--symbol", "TRX-USDT", "-size", "3"], "-size", "dita-v2 smoke"],
      [["strategy-status", "-json"], "-json", "dita-v2 strategy-status"],
    ] as const)
      expect([argv, await commandLineRefusal(root, [...argv])]).toEqual([
        argv,
        `unknown option ${flag} for '${where}': a long option takes two dashes (-${flag})`,
      ]);
  });

  test("one-letter options (-h, -v) and negative values still pass", async () => {
    expect(await commandLineRefusal(root, ["intent", "exit", "--slot", "0", "--size", "-1"])).toBeNull();
    expect(await commandLineRefusal(root, ["fsm", "-h"])).toBeNull();
  });
});

describe("a boolean option given a value", () => {
  test("other than true or false is refused naming it", async () => {
    for (const [argv, word, where] of [
      [["chaos", "--matrix", "--live=no"], "--live=no", "dita-v2 chaos"],
      [["replay", "/tmp/j", "--project=0"], "--project=0", "dita-v2 replay"],
      [["smoke", "--symbol", "TRX-USDT", "--dry-run=yes"], "--dry-run=yes", "dita-v2 smoke"],
      [["smoke", "--symbol", "TRX-USDT", "--no-pink=false"], "--no-pink=false", "dita-v2 smoke"],
    ] as const)
      expect([argv, await commandLineRefusal(root, [...argv])]).toEqual([
        argv,
        `${word} is not a value the boolean ${word.split("=")[0]} takes for '${where}': give it alone, or =true / =false`,
      ]);
  });

  test("=true and =false still pass", async () => {
    expect(await commandLineRefusal(root, ["chaos", "--matrix", "--live=false"])).toBeNull();
    expect(await commandLineRefusal(root, ["strategy-status", "--json=true"])).toBeNull();
  });
});
