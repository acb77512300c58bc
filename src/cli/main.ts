/**
 * Executable entry point. Runs the citty command tree; any failure prints one line
 * (`dita-v2: <what went wrong>`) and exits non-zero, without a stack trace. An option the command
 * does not declare, an option given twice and a positional argument the command does not take are
 * refused before it runs (exit 2, `_flags.ts`): nothing on the command line is silently dropped.
 * citty's own refusals (a missing required argument, an unknown subcommand) exit 2 too (`_fail.ts`).
 * When the reader of stdout goes away (`| head -1`), the command stops without a word, exit 141
 * (SIGPIPE's code, as any Unix tool's), never with a stack trace. Usage (`--help`) is coloured on a
 * terminal only: written to a pipe or a file (`--help | less`, a supervisord log) it is plain text,
 * with no escape codes (citty colours it unless NO_COLOR=1 or TERM=dumb, terminal or not).
 */

import { renderUsage, runCommand } from "citty";
import { CliFailure, exitCodeOf, oneLine } from "./_fail.ts";
import { commandLineRefusal } from "./_flags.ts";
import { root } from "./index.ts";

type Command = typeof root;
const resolveLazy = async <T>(v: T | (() => T | Promise<T>)): Promise<T> =>
  typeof v === "function" ? await (v as () => T | Promise<T>)() : v;

/** The (sub)command `--help` is about: `intent enter --help` is enter's, not the intent group's. */
async function helpTarget(argv: string[]): Promise<[Command, Command | undefined]> {
  let cmd: Command = root;
  const names: string[] = [];
  for (const word of argv.filter((a) => !a.startsWith("-"))) {
    const subs = ((await resolveLazy(cmd.subCommands ?? {})) ?? {}) as Record<string, unknown>;
    if (!Object.hasOwn(subs, word)) break;
    cmd = (await resolveLazy(subs[word] as Command)) as Command;
    names.push(word);
  }
  if (names.length <= 1) return names.length === 0 ? [root, undefined] : [cmd, root];
  const { version } = root.meta as { version: string };
  return [cmd, { meta: { name: ["dita-v2", ...names.slice(0, -1)].join(" "), version } } as Command];
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    const [cmd, parent] = await helpTarget(argv);
    const usage = await renderUsage(cmd, parent);
    console.log(process.stdout.isTTY === true ? usage : Bun.stripANSI(usage));
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

/** SIGPIPE's exit code: the reader went away (`dita-v2 chaos --list | head -1`); not a failure to report. */
const READER_GONE = 141;
const readerGone = (e: unknown) => (e as { code?: unknown } | null)?.code === "EPIPE";

process.stdout.on("error", (e) => {
  if (readerGone(e)) process.exit(READER_GONE);
  console.error(`dita-v2: stdout: ${oneLine(e)}`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  () => {
    if (process.exitCode === undefined) process.exitCode = 0;
  },
  (e) => {
    if (readerGone(e)) process.exit(READER_GONE);
    console.error(`dita-v2: ${oneLine(e)}`);
    process.exit(exitCodeOf(e));
  },
);
