/**
 * The connection banner says when what the console shows has stopped updating: while serve is
 * unreachable, and while the server refuses the event stream for want of the token after the
 * console had loaded state (a token rotated on a restart): nothing is read any more then.
 */

import { describe, expect, test } from "bun:test";
import { type ConsoleState, getState } from "../../src/console/ui/_store.ts";
import type { StatusDocument } from "../../src/console/ui/_types.ts";
import { textOf, uiModule } from "../_support/console_vnode.ts";

const { Banner } = await uiModule<{ Banner: (p: { s: ConsoleState; nowMs: number }) => unknown }>("banner.ts");

const loaded = { strategy: "pink" } as unknown as StatusDocument;

function state(link: ConsoleState["link"]["state"], status: StatusDocument | null): ConsoleState {
  return {
    ...getState(),
    status,
    link: { state: link, attempt: 2, reason: "no data for 12 s", reconnectedAt: null },
    authMessage: "missing bearer token",
  };
}

describe("console connection banner", () => {
  test("serve unreachable: the state shown may be stale", () => {
    expect(textOf(Banner({ s: state("down", loaded), nowMs: 0 }))).toContain("What you see may be stale.");
  });

  test("the token refused after state was loaded: the state shown may be stale", () => {
    const text = textOf(Banner({ s: state("auth", loaded), nowMs: 0 }));
    expect(text).toContain("This server needs the operator token: missing bearer token");
    expect(text).toContain("what you see may be stale.");
  });

  test("the token asked before anything was loaded: nothing is said stale", () => {
    expect(textOf(Banner({ s: state("auth", null), nowMs: 0 }))).not.toContain("stale");
  });
});
