/**
 * The connection banner does not say the state was reloaded when the reload failed: after a
 * reconnect whose reload (`GET /status`) was refused, the operator is told the state could not be
 * loaded, and that what is shown may be stale, not "state reloaded".
 */

import { describe, expect, test } from "bun:test";
import { type ConsoleState, getState } from "../../src/console/ui/_store.ts";
import type { StatusDocument } from "../../src/console/ui/_types.ts";
import { textOf, uiModule } from "../_support/console_vnode.ts";

const { Banner } = await uiModule<{ Banner: (p: { s: ConsoleState; nowMs: number }) => unknown }>("banner.ts");

const loaded = { strategy: "pink" } as unknown as StatusDocument;

function reconnected(loadError: string | null): ConsoleState {
  return {
    ...getState(),
    status: loaded,
    link: { state: "live", attempt: 0, reason: "", reconnectedAt: 10_000 },
    loadError,
  };
}

describe("console banner after a reconnect", () => {
  test("a reload that failed is not shown as 'state reloaded'", () => {
    const text = textOf(Banner({ s: reconnected("HTTP 503"), nowMs: 11_000 }));
    expect(text).not.toContain("state reloaded");
    expect(text).toContain("Could not load state: HTTP 503");
    expect(text).toContain("What you see may be stale.");
  });

  test("a reload that succeeded says so", () => {
    expect(textOf(Banner({ s: reconnected(null), nowMs: 11_000 }))).toContain("Reconnected to serve; state reloaded.");
  });
});
