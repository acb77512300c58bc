/**
 * Two CLI edge rules: a contract symbol in the reference's spelling (TRXUSDT, quote USDT or USDC)
 * is normalized to the venue's (TRX-USDT) and anything else is refused with one line; and an
 * option a command does not declare is refused before it runs (no flag that does nothing), while
 * declared options in any spelling (kebab, camel, alias, --no-<boolean>, --x=value) pass.
 */

import { expect, test } from "bun:test";
import { unknownOption } from "../../src/cli/_flags.ts";
import { root } from "../../src/cli/index.ts";
import { normalizeSymbol } from "../../src/contracts/index.ts";

test("TRXUSDT and trx-usdt become TRX-USDT; other spellings are refused with one line", () => {
  expect(["TRXUSDT", "trxusdt", " TRX-USDT ", "BTCUSDC", "1000PEPEUSDT"].map(normalizeSymbol)).toEqual([
    { ok: true, symbol: "TRX-USDT" },
    { ok: true, symbol: "TRX-USDT" },
    { ok: true, symbol: "TRX-USDT" },
    { ok: true, symbol: "BTC-USDC" },
    { ok: true, symbol: "1000PEPE-USDT" },
  ]);
  for (const bad of ["TRX/USDT", "USDT", "TRX", "", "TRX-USDT-X", "TRX_USDT"])
    expect(normalizeSymbol(bad)).toEqual({
      ok: false,
      message: `symbol must look like TRX-USDT (or TRXUSDT), got '${bad}'`,
    });
});

test("an undeclared option is named with its command; declared ones pass in every spelling", async () => {
  expect(await unknownOption(root, ["smoke", "--symbol", "X", "--pink"])).toBeNull();
  expect(
    await unknownOption(root, ["smoke", "--symbol=X", "--dry-run", "--venue-url", "u", "--wait-ms", "5"]),
  ).toBeNull();
  expect(await unknownOption(root, ["smoke", "--symbol", "X", "--no-dry-run", "--waitMs", "5"])).toBeNull();
  expect(await unknownOption(root, ["smoke", "--symbol", "X", "--pinky"])).toBe(
    "unknown option --pinky for 'dita-v2 smoke' (see dita-v2 smoke --help)",
  );
  expect(await unknownOption(root, ["intent", "exit", "--slot", "0", "--size", "-1", "--reason", "TP"])).toBeNull();
  expect(await unknownOption(root, ["intent", "json", "--body", "-"])).toBeNull();
  expect(await unknownOption(root, ["intent", "mark", "--asset", "X", "--price", "1", "--bogus=2"])).toBe(
    "unknown option --bogus for 'dita-v2 intent mark' (see dita-v2 intent mark --help)",
  );
  expect(await unknownOption(root, ["strategy-status", "--json", "--help"])).toBeNull();
});
