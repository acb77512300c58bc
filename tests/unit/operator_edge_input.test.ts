/**
 * Bad input at the operator's edges gets one clear, specific line and changes nothing:
 *
 * - the CLI reads numeric options as decimals (no 0x/0b/0o, Infinity, NaN, blanks), refuses a
 *   positional argument a command does not take and an option given twice (naming it), and
 *   `control` refuses a key given twice;
 * - `POST /control {}` is a 400 with one line, and the control change is never applied;
 * - a strategy body with a `__proto__` (or `constructor`) field names the field NONE;
 * - a slot id beyond what the record can carry is "out of range", like slot 8 of 8;
 * - DITA_V2_MOCK_PRICES with a price too large to be finite, or an asset twice, fails at config
 *   load naming the variable.
 */

import { describe, expect, test } from "bun:test";
import { runCommand } from "citty";
import { commandLineRefusal, decimalFlag } from "../../src/cli/_flags.ts";
import { parseChange } from "../../src/cli/control.ts";
import { root } from "../../src/cli/index.ts";
import { intentCommand } from "../../src/cli/intent.ts";
import { parseStrategyIntent } from "../../src/contracts/index.ts";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";
import { encodeInput, INPUT_SIZE } from "../../src/kernel/index.ts";
import { loadConfig } from "../../src/launcher/config.ts";

const enterArgs = (size: string, price = "65000") => [
  "enter",
  ...["--slot", "0", "--trade", "T1", "--asset", "BTC-USDT", "--side", "LONG"],
  ...["--size", size, "--price", price, "--url", "http://127.0.0.1:9"],
];

describe("CLI numbers are decimals", () => {
  test("0b1, 0x10, 0o7, blanks, Infinity and NaN are refused naming the option; decimals pass", () => {
    for (const bad of ["0b1", "0x10", "0o7", "", " 1", "1 ", "Infinity", "-Infinity", "NaN", "1e999", "1.", ".5", "+1"])
      expect(() => decimalFlag("size", bad)).toThrow(
        `--size must be a decimal number such as 0.01 or 65000, got '${bad}'`,
      );
    expect(["1", "0.01", "65000", "1e-3", "2.5E2", "-1"].map((s) => decimalFlag("size", s))).toEqual([
      1, 0.01, 65000, 0.001, 250, -1,
    ]);
  });

  test("intent enter --size 0b1 and --price 0x10 are refused before anything is sent", async () => {
    await expect(runCommand(intentCommand, { rawArgs: enterArgs("0b1") })).rejects.toThrow(
      "--size must be a decimal number such as 0.01 or 65000, got '0b1'",
    );
    await expect(runCommand(intentCommand, { rawArgs: enterArgs("0.01", "0x10") })).rejects.toThrow(
      "--price must be a decimal number such as 0.01 or 65000, got '0x10'",
    );
  });
});

describe("the command line takes no stray argument and no option twice", () => {
  test("a positional argument a command does not take is refused, naming it", async () => {
    expect(await commandLineRefusal(root, ["intent", "cancel", "3", "--slot", "5"])).toBe(
      "unexpected argument '3' for 'dita-v2 intent cancel': it takes no positional arguments (see dita-v2 intent cancel --help)",
    );
    expect(await commandLineRefusal(root, ["flatten", "now"])).toBe(
      "unexpected argument 'now' for 'dita-v2 flatten': it takes no positional arguments (see dita-v2 flatten --help)",
    );
    expect(await commandLineRefusal(root, ["intent", "exit", "--slot", "0", "--size", "1", "--", "x"])).toContain(
      "unexpected argument 'x'",
    );
    expect(await commandLineRefusal(root, ["replay", "a", "b"])).toBe(
      "unexpected argument 'b' for 'dita-v2 replay': it takes 1 (see dita-v2 replay --help)",
    );
  });

  test("an option given twice, in any spelling, is refused naming it", async () => {
    expect(await commandLineRefusal(root, ["intent", "cancel", "--slot=5", "--slot=6"])).toBe(
      "option --slot is given more than once for 'dita-v2 intent cancel': give it once",
    );
    expect(await commandLineRefusal(root, ["smoke", "--symbol", "X", "--wait-ms", "5", "--waitMs", "6"])).toBe(
      "option --wait-ms is given more than once for 'dita-v2 smoke': give it once",
    );
  });

  test("what the commands do take still passes: values that look like options, positionals, key=value pairs", async () => {
    for (const argv of [
      ["intent", "exit", "--slot", "0", "--size", "-1", "--reason", "TP"],
      ["intent", "json", "--body", "-"],
      ["intent", "cancel", "--slot", "5"],
      ["flatten", "--timeout-ms", "5000"],
      ["replay", "/tmp/journal", "--json"],
      ["ctl", "status"],
      ["control"],
      ["control", "trading_state=HALTED", "max_leverage=5", "--url", "http://x"],
      ["smoke", "--symbol", "X", "--no-dry-run"],
    ])
      expect([argv, await commandLineRefusal(root, argv)]).toEqual([argv, null]);
  });

  test("control refuses a key given twice, naming it", () => {
    expect(() => parseChange(["trading_state=HALTED", "trading_state=ACTIVE"])).toThrow(
      "control key 'trading_state' is given more than once",
    );
    expect(parseChange(["trading_state=HALTED", "max_leverage=5"])).toEqual({
      trading_state: "HALTED",
      max_leverage: 5,
    });
  });
});

describe("POST /control", () => {
  const TOKEN = "t0k3n";
  const applied: Record<string, unknown>[] = [];
  const deps = {
    slotCount: () => 4,
    operatorToken: () => TOKEN,
    control: (change: Record<string, unknown>) => {
      applied.push(change);
      return { version: 2 };
    },
  } as unknown as HttpDeps;
  const post = (body: string) =>
    createHttp(deps).fetch(
      new Request("http://127.0.0.1/control", {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", Host: "127.0.0.1" },
        body,
      }),
    );

  test("an empty change is a 400 with one line, and nothing is applied", async () => {
    const r = await post("{}");
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      error: 'control change has no keys: name at least one, e.g. {"trading_state":"HALTED"}',
    });
    expect(applied).toEqual([]);
    expect((await post('{"trading_state":"HALTED"}')).status).toBe(200);
    expect(applied).toEqual([{ trading_state: "HALTED" }]);
  });
});

describe("edge diagnostics", () => {
  test("a __proto__ or constructor field is refused naming the field NONE", () => {
    for (const key of ["__proto__", "constructor", "toString"]) {
      const body = JSON.parse(`{"type":"CANCEL","slot_id":0,"${key}":1}`);
      const r = parseStrategyIntent(body);
      expect(r.ok).toBe(false);
      if (!r.ok) expect([key, r.refusal.field, r.refusal.code]).toEqual([key, "NONE", "INVALID_INTENT"]);
    }
  });

  test("a slot id too large for the record is out of range; a non-integer is not a slot id", () => {
    const bytes = new Uint8Array(INPUT_SIZE);
    const refusal = (slot_id: unknown) => encodeInput({ type: "CANCEL", slot_id, now_ms: 1 }, bytes, 0);
    expect(refusal(99_999_999_999)).toMatchObject({
      code: "INVALID_SLOT_ID",
      field: "SLOT_ID",
      message: "slot_id 99999999999 is out of range: a kernel has at most 256 slots (0..=255)",
    });
    expect(refusal(2 ** 32 - 1)?.message).toContain("is out of range");
    expect(refusal(1.5)?.message).toBe("slot_id must be a non-negative integer, got 1.5");
    expect(refusal(-1)?.message).toBe("slot_id must be a non-negative integer, got -1");
  });
});

describe("DITA_V2_MOCK_PRICES", () => {
  test("a price too large to be finite is refused at load, naming the variable", () => {
    expect(() => loadConfig({ DITA_V2_MOCK_PRICES: `BTC-USDT=${"9".repeat(400)}` })).toThrow(
      /^DITA_V2_MOCK_PRICES: price for BTC-USDT is too large/,
    );
  });

  test("an asset given twice is refused at load, naming the variable", () => {
    expect(() => loadConfig({ DITA_V2_MOCK_PRICES: "BTC-USDT=1,BTC-USDT=2" })).toThrow(
      "DITA_V2_MOCK_PRICES: BTC-USDT is given twice",
    );
    expect(loadConfig({ DITA_V2_MOCK_PRICES: "BTC-USDT=1,ETH-USDT=2" }).mock_prices).toEqual({
      "BTC-USDT": 1,
      "ETH-USDT": 2,
    });
  });
});
