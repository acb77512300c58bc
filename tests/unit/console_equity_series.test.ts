/**
 * The console's equity chart follows serve's series (`GET /equity`, src/events/equity.ts): at most
 * one point per second (a newer value in the same second replaces the last point), always in time
 * order, a value stamped before the last point (serve's wall clock set back) replacing that point's
 * values. Live `account` events (up to one per 20 ms flush while marks move) must keep that shape:
 * a point per event filled the console's 2000 points with the last 40 s, dropping the half hour of
 * history the chart had loaded; and an event stamped before the last point was dropped, so the
 * chart stayed on an old equity until serve's clock caught up.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { getState, pushEquity, update } from "../../src/console/ui/_store.ts";
import { EquitySeries } from "../../src/events/equity.ts";

afterEach(() => update({ equity: [] }));

describe("console equity series from live account events", () => {
  test("keeps one point per second, as serve's series does, so the loaded history stays", () => {
    const serve = new EquitySeries();
    // 60 s of account events every 20 ms (marks moving).
    for (let at = 20; at < 60_000; at += 20) {
      const equity = 1_000 + at / 1_000;
      serve.add(at, equity, 0);
      pushEquity([at, equity, 0]);
    }
    const shown = getState().equity;
    expect(shown.length).toBe(60);
    expect(shown[0]![0]).toBeLessThan(1_000);
    expect(shown[shown.length - 1]).toEqual([59_980, 1_059.98, 0]);
    expect(shown).toEqual(serve.snapshot().points);
  });

  test("an event stamped before the last point (serve's clock set back) still shows the latest equity", () => {
    pushEquity([10_000, 1_000, 0]);
    pushEquity([5_000, 990, 10]);
    expect(getState().equity).toEqual([[10_000, 990, 10]]);
  });
});
