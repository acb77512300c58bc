/**
 * The contracts' parsers name the value they refuse as it was sent. JSON.parse reads `1e999` as
 * Infinity; the control and flatten parsers wrote it with JSON.stringify, which says `null` (a
 * value nobody sent), and the intent parser said "must be a number, got Infinity" (Infinity is a
 * number; what it is not is finite): now "must be finite". maskDeep copied a document's own `__proto__` key (JSON.parse
 * makes one) by assignment, which sets the copy's prototype instead: the key vanished.
 */

import { describe, expect, test } from "bun:test";
import { ControlError, nextControlSnapshot } from "../../src/contracts/control.ts";
import { parseFlattenRequest } from "../../src/contracts/flatten.ts";
import { parseStrategyIntent } from "../../src/contracts/intent_parse.ts";
import { maskDeep } from "../../src/contracts/secrets.ts";
import { normalizeSymbol } from "../../src/contracts/symbol.ts";
import { controlSnapshot } from "../_support/control.ts";

const SNAPSHOT = controlSnapshot({ reconcile_on_restart: false, updated_at_ms: 0 });

function controlError(change: Record<string, unknown>): ControlError {
  try {
    nextControlSnapshot(SNAPSHOT, change, 4, 1);
  } catch (e) {
    return e as ControlError;
  }
  throw new Error("accepted");
}

describe("a number JSON reads as Infinity (1e999) is refused naming Infinity, not null", () => {
  test("POST /control max_leverage 1e999", () => {
    const e = controlError(JSON.parse('{"max_leverage":1e999}'));
    expect(e).toBeInstanceOf(ControlError);
    expect(e.key).toBe("max_leverage");
    expect(e.message).toBe("max_leverage must be an integer 0..125 (0 = off), got Infinity");
  });

  test("POST /control max_notional_per_trade -1e999", () => {
    expect(controlError(JSON.parse('{"max_notional_per_trade":-1e999}')).message).toEndWith("got -Infinity");
  });

  test("POST /flatten timeout_ms 1e999", () => {
    expect(parseFlattenRequest(JSON.parse('{"timeout_ms":1e999}'))).toBe(
      "timeout_ms must be an integer 1000..240000, got Infinity",
    );
  });

  test("an ENTER size or a limit price of 1e999 is refused as not finite, not as not a number", () => {
    const enter = '{"type":"ENTER","slot_id":0,"trade_id":"T1","asset":"BTC-USDT","side":"LONG","leverage":1';
    const size = parseStrategyIntent(JSON.parse(`${enter},"size":1e999}`));
    expect(size.ok ? null : size.refusal).toMatchObject({
      field: "SIZE",
      message: "size must be finite, got Infinity",
    });
    const price = parseStrategyIntent(JSON.parse(`${enter},"size":1,"price":-1e999}`));
    expect(price.ok ? null : price.refusal.message).toBe("price must be finite, got -Infinity");
  });
});

test("a control value JSON cannot write (a BigInt from a direct caller) is refused, not a TypeError", () => {
  const e = controlError({ max_leverage: 10n });
  expect(e).toBeInstanceOf(ControlError);
  expect(e.message).toBe("max_leverage must be an integer 0..125 (0 = off), got 10n");
});

test("maskDeep keeps a document's own __proto__ key as a key, and the copy's prototype stays Object's", () => {
  const doc = JSON.parse('{"a":1,"__proto__":{"polluted":true}}') as Record<string, unknown>;
  const out = maskDeep(doc) as Record<string, unknown>;
  expect(Object.keys(out)).toEqual(["a", "__proto__"]);
  expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  expect((out as { polluted?: unknown }).polluted).toBeUndefined();
  expect(JSON.stringify(out)).toBe(JSON.stringify(doc));
});

test("a symbol with a non-ASCII letter that upper-cases to ASCII (ſ → S, ﬀ → FF) is refused, not traded as another contract", () => {
  for (const raw of ["\u017Fol-usdt", "btc\uFB00-usdt", "\u017FOLUSDT"]) {
    expect(normalizeSymbol(raw)).toEqual({
      ok: false,
      message: `symbol must look like TRX-USDT (or TRXUSDT), got '${raw}'`,
    });
  }
  expect(normalizeSymbol(" sol-usdt ")).toEqual({ ok: true, symbol: "SOL-USDT" });
  expect(normalizeSymbol("solusdc")).toEqual({ ok: true, symbol: "SOL-USDC" });
});
