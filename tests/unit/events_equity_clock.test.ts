/**
 * The equity series behind `GET /equity` (the console's chart) is stamped with the wall clock,
 * which an NTP step or a resumed VM can set back. Its points stay in time order whatever the
 * clock does (the chart draws x in order): a value stamped before the last point replaces that
 * point's values at its time, and the series still ends at the latest equity.
 */

import { describe, expect, test } from "bun:test";
import { EquitySeries } from "../../src/events/equity.ts";

describe("equity series and a clock set back", () => {
  test("a point stamped before the last one keeps the series in time order and ends at the latest equity", () => {
    const s = new EquitySeries(10, 1000);
    s.add(10_000, 100, 0);
    s.add(20_500, 110, 0);
    s.add(15_200, 105, 5); // the wall clock stepped back 5.3 s
    s.add(21_700, 107, 3);
    const xs = s.snapshot().points.map((p) => p[0]);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(s.snapshot().points.at(-1)).toEqual([21_700, 107, 3]);
    expect(s.snapshot().points).toEqual([
      [10_000, 100, 0],
      [20_500, 105, 5],
      [21_700, 107, 3],
    ]);
  });
});
