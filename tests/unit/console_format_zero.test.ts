/**
 * Figures the console shows (PnL, fees, sizes) that round to zero at the digits shown are zero:
 * float noise from the kernel's arithmetic (-1e-12) or a negative zero must not show "-0.00" in red
 * or "+0.0000" in green, as if the trade had lost or made money.
 */

import { describe, expect, test } from "bun:test";
import { num, pct, pnlClass, qty, signed } from "../../src/console/ui/_format.ts";

describe("console figures that round to zero", () => {
  test("show no sign", () => {
    expect(num(-0)).toBe("0.00");
    expect(num(-0.001)).toBe("0.00");
    expect(signed(-0)).toBe("0.00");
    expect(signed(-1e-12, 4)).toBe("0.0000");
    expect(signed(1e-12, 4)).toBe("0.0000");
    expect(qty(-1e-12)).toBe("0");
    expect(pct(-1e-9)).toBe("0.00 %");
  });

  test("are neither up nor down", () => {
    expect(pnlClass(-1e-12, 4)).toBe("");
    expect(pnlClass(0.004)).toBe("");
    expect(pnlClass(0.004, 4)).toBe("up");
  });

  test("real figures keep their sign", () => {
    expect(num(-1234.5)).toBe("-1,234.50");
    expect(signed(0.01)).toBe("+0.01");
    expect(signed(-0.0001, 4)).toBe("-0.0001");
    expect(qty(-0.5)).toBe("-0.5");
    expect(pnlClass(-0.01)).toBe("down");
  });
});
