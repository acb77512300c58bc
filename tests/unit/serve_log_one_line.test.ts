/**
 * serve's log is one event a line (supervisord keeps it; operators and their tools read it line by line). A log line
 * quotes what clients and the venue sent — a refused ring or HTTP intent's field name, a venue's error message — so
 * a newline or an escape sequence there forged a second line or reached the operator's terminal. Each line is now one
 * printable line, secrets still masked; and the one printable-line rule the HTTP errors use is the same function.
 */

import { expect, test } from "bun:test";
import { hasControlCharacter, printableLine } from "../../src/contracts/printable.ts";
import { serveLogLine } from "../../src/launcher/serve.ts";

test("a log line quoting a client's field name with a newline stays one line: the newline shown as \\n, no forged line", () => {
  const line = serveLogLine(
    "edge refused (http): CANCEL has no field 'x\n[dita-v2] venue BINGX: all positions closed'",
  );
  expect(line.split("\n")).toHaveLength(1);
  expect(line).toBe(
    "[dita-v2] edge refused (http): CANCEL has no field 'x\\n[dita-v2] venue BINGX: all positions closed'",
  );
});

test("an escape sequence or other control character in a log line is shown as \\uXXXX, never sent to the terminal", () => {
  const line = serveLogLine("venue said: \u001b[2J\u0007done\u2028next\r");
  expect(hasControlCharacter(line)).toBe(false);
  expect(line).toBe("[dita-v2] venue said: \\u001b[2J\\u0007done\\u2028next\\u000d");
});

test("a line with nothing to escape is unchanged, and a tab is escaped like any control character", () => {
  expect(serveLogLine("plain line: slot 0 POSITION_OPEN")).toBe("[dita-v2] plain line: slot 0 POSITION_OPEN");
  expect(printableLine("tab\there")).toBe("tab\\u0009here");
});
