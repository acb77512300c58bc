/**
 * A change sent to serve whose answer never came (the connection closed after the request went
 * out, or the wait ran out) may have been applied: `intent`, `control key=value` and `flatten` exit
 * 1 saying so, not 2 "cannot reach", which scripts read as "nothing was sent" (bad arguments or
 * unreachable). A serve that could not be connected to at all is still 2.
 */

import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { type ArgsDef, type CommandDef, runCommand } from "citty";
import { controlCommand } from "../../src/cli/control.ts";
import { flattenCommand } from "../../src/cli/flatten.ts";
import { intentCommand } from "../../src/cli/intent.ts";

/** Takes the request, then closes the connection without a word. */
const dropper = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(s) {
      s.end();
    },
  },
});
const url = `http://127.0.0.1:${dropper.port}`;
afterAll(() => dropper.stop(true));

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  process.exitCode = 0;
});

/** A pattern for text that starts with `prefix`, taken literally. */
const startsWith = (prefix: string) => new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);

async function outcome<T extends ArgsDef>(cmd: CommandDef<T>, rawArgs: string[]) {
  process.env.DITA_V2_OPERATOR_TOKEN = "t".repeat(32);
  try {
    await runCommand(cmd, { rawArgs });
    return { code: Number(process.exitCode ?? 0), message: "" };
  } catch (e) {
    const code = (e as { exitCode?: unknown }).exitCode;
    return { code: typeof code === "number" ? code : 1, message: (e as Error).message };
  }
}

describe("a change whose answer was lost", () => {
  test("intent, control and flatten exit 1 saying it may have been applied", async () => {
    for (const [cmd, args, path] of [
      [intentCommand, ["cancel", "--slot", "0"], "/intents"],
      [controlCommand, ["trading_state=HALTED"], "/control"],
      [flattenCommand, [], "/flatten"],
    ] as const) {
      const r = await outcome(cmd as CommandDef<ArgsDef>, [...args, "--url", url]);
      expect([path, r.code, r.message]).toEqual([
        path,
        1,
        expect.stringMatching(
          startsWith(`no answer from ${url}${path} (the request may have been applied; check dita-v2 status): `),
        ),
      ]);
    }
  });

  test("a serve that cannot be connected to is still exit 2, cannot reach", async () => {
    const r = await outcome(intentCommand as CommandDef<ArgsDef>, [
      "cancel",
      "--slot",
      "0",
      "--url",
      "http://127.0.0.1:9",
    ]);
    expect([r.code, r.message]).toEqual([
      2,
      expect.stringMatching(startsWith("cannot reach http://127.0.0.1:9/intents: ")),
    ]);
  });
});
