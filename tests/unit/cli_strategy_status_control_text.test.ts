/**
 * The text of `dita-v2 strategy-status` shows what the control snapshot says a strategy may do: the
 * trading state (a HALTED kernel refuses every entry and exit, a REDUCING one every entry) and each
 * risk limit that is on (the reason behind a RISK_LIMIT refusal listed above it), as the JSON
 * document does; a control region it could not read is named with the reason, never left out.
 */

import { expect, test } from "bun:test";
import { type StatusDoc, statusText } from "../../src/cli/_status_text.ts";
import { controlSnapshot } from "../_support/control.ts";

const control = controlSnapshot({ backend: "BINGX", active_slot_limit: 8 });

function doc(c: StatusDoc["control"]): StatusDoc {
  return {
    prefix: "dita_v2_pink",
    namespace: "pink",
    kernel: { alive: true, pid: 1, generation: 1, closed_cleanly: false },
    slots: [],
    account: { unreadable: "not needed here" },
    ring: { head: 0, tail: 0, abandoned: 0, stalledPid: 0, lastAbandonedPid: 0, capacity: 4096, depth: 0 },
    outcomes: {
      published: 0,
      unroutable: 0,
      overwritten: 0,
      lanes: 64,
      lanes_owned: 0,
      lanes_in_use: [],
      undecodable: 0,
    },
    recent_refusals: [],
    control: c,
  };
}

const controlLine = (d: StatusDoc) =>
  statusText(d)
    .split("\n")
    .find((l) => l.startsWith("control"));

test("a HALTED or REDUCING kernel's control line says so, with every risk limit that is on", () => {
  expect(controlLine(doc({ ...control, trading_state: "HALTED" }))).toBe(
    "control  v3 HALTED NORMAL QUIET active_slot_limit 8",
  );
  expect(controlLine(doc({ ...control, trading_state: "REDUCING", max_orders_per_minute: 3, max_leverage: 5 }))).toBe(
    "control  v3 REDUCING NORMAL QUIET active_slot_limit 8  max_orders_per_minute 3  max_leverage 5",
  );
  expect(controlLine(doc(control))).toBe("control  v3 ACTIVE NORMAL QUIET active_slot_limit 8");
});

test("a control region that cannot be read is named with the reason, as an unreadable account is", () => {
  expect(controlLine(doc({ unreadable: "control snapshot torn" }))).toBe("control  UNREADABLE: control snapshot torn");
  expect(controlLine(doc(null))).toBeUndefined(); // no control region: nothing to show
});

test("a listed lane whose owner died is marked (dead); a live owner's is not", () => {
  const d = doc(control);
  const lane = { generation: 2, head: 5, unread: 0, overwritten: 0 };
  d.outcomes.lanes_owned = 1;
  d.outcomes.lanes_in_use = [
    { ...lane, lane: 0, owner_pid: 4242, owner_alive: false },
    { ...lane, lane: 1, owner_pid: 4343, owner_alive: true },
  ];
  const lines = statusText(d).split("\n");
  expect(lines).toContain("  lane 0: pid 4242 (dead) gen 2, 0 unread, 0 overwritten");
  expect(lines).toContain("  lane 1: pid 4343 gen 2, 0 unread, 0 overwritten");
});

test("text read from the regions prints as one line each: no escape sequence, no forged line (an audit)", () => {
  const d = doc(control);
  d.namespace = "pink\u001b[2J";
  d.recent_refusals = [
    {
      lane: 0,
      client_intent_id: "1",
      now_ms: 0,
      origin: "KERNEL",
      input_kind: "ENTER",
      slot_id: 0,
      code: "INVALID_INTENT",
      retry_after_ms: null,
      message: "bad size\nkernel   RUNNING pid 1, generation 1\u001b[31m",
    },
  ];
  const text = statusText(d);
  expect(text).not.toContain("\u001b");
  expect(text.split("\n").filter((l) => l.startsWith("kernel"))).toHaveLength(1);
  expect(text).toContain("bad size\\nkernel   RUNNING pid 1, generation 1\\u001b[31m");
  expect(text).toContain("namespace pink\\u001b[2J");
});
