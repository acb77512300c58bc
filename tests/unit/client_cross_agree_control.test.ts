/**
 * The two strategy clients read the control snapshot the kernel side writes (src/control/codec.ts
 * `encodeSnapshot`, ffi/README.md §6) the same way: the trading state at byte 27 and the risk
 * limits at bytes 32..62 decode to the kernel's values in the TypeScript client (`decodeControl`)
 * and the Python one (`decode_control`), so a strategy can see HALTED or REDUCING and the limits
 * before it is refused. A trading state outside 1..3 or a limit outside its range (a NaN too) is a
 * CorruptRegion naming the field in both, never a value. The Python side runs in one `python3`
 * process over the source tree.
 */

import { describe, expect, test } from "bun:test";
import { CorruptRegionError, decodeControl } from "../../clients/typescript/index.ts";
import type { ControlSnapshot } from "../../src/contracts/control.ts";
import { encodeSnapshot } from "../../src/control/codec.ts";
import { controlSnapshot } from "../_support/control.ts";
import { hexOf, runPythonClient } from "../_support/python_client.ts";

const PY = `
import json, sys
from dita_v2_client import CorruptRegion, decode_control
out = []
for hex_bytes in json.load(sys.stdin):
    try:
        c = decode_control(bytes.fromhex(hex_bytes))
        out.append(None if c is None else [c.trading_state, c.max_notional_per_trade, c.max_gross_exposure,
                                           c.max_drawdown_ratio, c.max_orders_per_minute, c.max_leverage])
    except CorruptRegion as e:
        out.append("CorruptRegion " + str(e))
print(json.dumps(out))
`;

function python(images: Uint8Array[]): unknown[] {
  return runPythonClient(PY, images.map(hexOf)) as unknown[];
}

/** What the TypeScript client reads, in the Python answer's shape. */
function typescript(image: Uint8Array): unknown {
  try {
    const c = decodeControl(image);
    if (c === null) return null;
    return [
      c.tradingState,
      c.maxNotionalPerTrade,
      c.maxGrossExposure,
      c.maxDrawdownRatio,
      c.maxOrdersPerMinute,
      c.maxLeverage,
    ];
  } catch (e) {
    if (e instanceof CorruptRegionError) return `CorruptRegion ${e.message}`;
    throw e;
  }
}

const BASE = controlSnapshot();

const SNAPSHOTS: ControlSnapshot[] = [
  BASE,
  { ...BASE, trading_state: "REDUCING", max_notional_per_trade: 5000, max_drawdown_ratio: 0.25 },
  {
    ...BASE,
    trading_state: "HALTED",
    max_notional_per_trade: 1e15,
    max_gross_exposure: 123_456.789,
    max_drawdown_ratio: 1,
    max_orders_per_minute: 1200,
    max_leverage: 125,
  },
  { ...BASE, trading_state: "ACTIVE", max_gross_exposure: 0.1, max_orders_per_minute: 7, max_leverage: 3 },
];

const kernelView = (s: ControlSnapshot) => [
  s.trading_state,
  s.max_notional_per_trade,
  s.max_gross_exposure,
  s.max_drawdown_ratio,
  s.max_orders_per_minute,
  s.max_leverage,
];

describe("a snapshot the kernel side encodes decodes to its trading state and risk limits in both clients", () => {
  const answers = python(SNAPSHOTS.map(encodeSnapshot));
  SNAPSHOTS.forEach((s, i) => {
    test(`${s.trading_state}, notional ${s.max_notional_per_trade}, leverage ${s.max_leverage}`, () => {
      expect(typescript(encodeSnapshot(s))).toEqual(kernelView(s));
      expect(answers[i]).toEqual(kernelView(s));
    });
  });
});

/** The kernel's encoding of BASE with one field's bytes overwritten (what a hostile writer could leave). */
function hostile(write: (dv: DataView) => void): Uint8Array {
  const image = encodeSnapshot(BASE);
  write(new DataView(image.buffer));
  return image;
}

const HOSTILE: Array<[string, Uint8Array]> = [
  ["trading_state", hostile((dv) => dv.setUint8(27, 0))],
  ["trading_state", hostile((dv) => dv.setUint8(27, 4))],
  ["trading_state", hostile((dv) => dv.setUint8(27, 0xff))],
  ["max_notional_per_trade", hostile((dv) => dv.setFloat64(32, Number.NaN, true))],
  ["max_gross_exposure", hostile((dv) => dv.setFloat64(40, -1, true))],
  ["max_drawdown_ratio", hostile((dv) => dv.setFloat64(48, 1.5, true))],
  ["max_orders_per_minute", hostile((dv) => dv.setUint32(56, 1201, true))],
  ["max_leverage", hostile((dv) => dv.setUint16(60, 126, true))],
];

test("a trading state outside 1..3 or a risk limit outside its range is CorruptRegion naming it in both clients", () => {
  const answers = python(HOSTILE.map(([, image]) => image));
  HOSTILE.forEach(([key, image], i) => {
    expect(String(typescript(image))).toStartWith(`CorruptRegion control ${key} = `);
    expect(String(answers[i])).toStartWith(`CorruptRegion control ${key} = `);
  });
});

test("an all-zero snapshot (none written yet) is null in both clients", () => {
  expect(typescript(new Uint8Array(64))).toBeNull();
  expect(python([new Uint8Array(64)])).toEqual([null]);
});
