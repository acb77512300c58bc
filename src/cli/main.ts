/**
 * Executable entry point. Runs the citty command tree; any failure prints one line
 * (`dita-v2: <what went wrong>`) and exits non-zero, without a stack trace. An option the command
 * does not declare, an option given twice and a positional argument the command does not take are
 * refused before it runs (exit 2, `_flags.ts`): nothing on the command line is silently dropped.
 */

import { runCommand, showUsage } from "citty";
import { CliFailure, oneLine } from "./_fail.ts";
import { commandLineRefusal } from "./_flags.ts";
import { root } from "./index.ts";

async function resolveTarget(argv: string[]) {
  const subs = (await (typeof root.subCommands === "function" ? root.subCommands() : root.subCommands)) ?? {};
  const name = argv.find((a) => !a.startsWith("-"));
  const sub = name ? await (async (s) => (typeof s === "function" ? s() : s))(subs[name]) : undefined;
  return sub ? ([sub, root] as const) : ([root, undefined] as const);
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    const [cmd, parent] = await resolveTarget(argv);
    await showUsage(cmd as typeof root, parent);
    return;
  }
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    console.log((root.meta as { version: string }).version);
    return;
  }
  const refused = await commandLineRefusal(root, argv);
  if (refused !== null) throw new CliFailure(refused, 2);
  await runCommand(root, { rawArgs: argv });
}

main(process.argv.slice(2)).then(
  () => {
    if (process.exitCode === undefined) process.exitCode = 0;
  },
  (e) => {
    console.error(`dita-v2: ${oneLine(e)}`);
    process.exit(typeof (e as { exitCode?: unknown }).exitCode === "number" ? (e as { exitCode: number }).exitCode : 1);
  },
);
