/**
 * `dita-v2 replay PATH`: apply a recorded input journal to a fresh kernel and print the resulting
 * state hash (and, with --json, slots, account and where the replay started). PATH is either the
 * journal directory (`<state dir>/journal/`: the newest snapshot the kernel accepts, then the
 * segments after it; `--from oldest` replays everything the directory keeps) or a single-file
 * JSON-lines journal of an older build. The formats are described in src/kernel/README.md and the
 * README's "Journal" section. Replay streams: memory stays bounded whatever the journal's length.
 *
 * `--export jsonl` prints the journal directory's entries as JSON lines instead (one per input,
 * fields by name; the last line carries the state hash). `--project` rebuilds the rows the
 * journal's runs projected (lifecycle rows, diagnostics, and in DITA_V2_MODE=DEBUG transitions)
 * into the ClickHouse the environment names, with the runs' own row ids: rows ClickHouse already
 * holds are not inserted again. It prints one JSON line with the counts. Maps and the topic are
 * never written by a replay.
 *
 * Exit codes: 0 replayed · 1 the journal cannot be read or holds no snapshot (`--project`: or
 * ClickHouse cannot be reached or did not take every row; run it again, it is idempotent) · 2 bad
 * arguments: an empty PATH or one that does not exist,
 * `--from` other than newest/oldest or with a single-file journal or `--project`, `--export` other
 * than jsonl or on a file, more than one of `--project`, `--export`, `--json`; and, with
 * `--project`, a configuration it cannot read (a misspelled or bad `DITA_V2_*` variable,
 * DITA_V2_CLICKHOUSE not REAL: its `ConfigError` line, nothing read or written).
 */

import { existsSync, statSync } from "node:fs";
import { defineCommand } from "citty";
import { maskSecrets } from "../contracts/secrets.ts";
import { type ExecutionKernel, exportJournal, replayJournal, walkJournal } from "../kernel/index.ts";
import { replayIntoSinks } from "../launcher/index.ts";
import { CliFailure } from "./_fail.ts";

function fail(message: string): never {
  throw new CliFailure(message);
}

/** A bad argument (exit 2, like every command's): nothing is read. */
function refuse(message: string): never {
  throw new CliFailure(message, 2);
}

/** One output per run, and `--from` only where it is read: an option that would do nothing is refused. */
function checkCombination(a: { journal: string; from?: string; export?: string; json: boolean; project: boolean }) {
  if ([a.project, a.export !== undefined, a.json].filter(Boolean).length > 1)
    refuse("replay: give one of --project, --export, --json");
  if (a.from === undefined) return;
  if (a.project) refuse("replay: --from goes with a replay or --export, not --project");
  if (statSync(a.journal, { throwIfNoEntry: false })?.isFile())
    refuse(`replay: --from reads a journal directory; ${a.journal} is a single-file journal`);
}

type Replayed = { kernel: ExecutionKernel; state_hash: string; extra: Record<string, unknown> };

function replayPath(path: string, from: "newest" | "oldest"): Replayed {
  const log = (line: string) => console.error(line);
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    const r = replayJournal(path);
    if (r.torn_tail) log(`warning: ${path}: last line is incomplete (torn write) and was ignored`);
    return { kernel: r.kernel, state_hash: r.state_hash, extra: { entries: r.entries } };
  }
  const r = walkJournal(path, { from, log });
  if (r === null)
    fail(`replay: ${path} holds no journal snapshot (a state directory's journal is <state dir>/journal)`);
  const { kernel, state_hash, ...rest } = r;
  return { kernel, state_hash, extra: rest };
}

export const replayCommand = defineCommand({
  meta: { name: "replay", description: "Replay an input journal into a fresh kernel; print its state hash" },
  args: {
    journal: {
      type: "positional",
      description: "the journal directory (<state dir>/journal) or a single-file *.jsonl journal",
      required: true,
    },
    from: {
      type: "string",
      description: "journal directory: start at the newest usable snapshot (default: newest) or the oldest kept",
    },
    export: { type: "string", description: "jsonl: print the directory's entries as JSON lines" },
    json: { type: "boolean", description: "print a JSON document with slots and account too", default: false },
    project: {
      type: "boolean",
      description: "rebuild the runs' table rows into DITA_V2_CLICKHOUSE_URL (rows already there are kept once)",
      default: false,
    },
  },
  async run({ args }) {
    if (args.journal.trim() === "" || !existsSync(args.journal))
      refuse(`replay: no journal at '${args.journal.slice(0, 200)}' (give <state dir>/journal or a *.jsonl journal)`);
    const from = args.from ?? "newest";
    if (from !== "newest" && from !== "oldest") refuse(`replay: --from must be newest or oldest, got '${from}'`);
    checkCombination(args);
    if (args.project) {
      const r = await replayIntoSinks(args.journal, process.env, (line) => console.error(maskSecrets(line)));
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return;
    }
    if (args.export !== undefined) {
      if (args.export !== "jsonl") refuse(`replay: --export takes jsonl, got '${args.export}'`);
      if (!statSync(args.journal, { throwIfNoEntry: false })?.isDirectory())
        refuse(
          `replay: --export reads a journal directory; ${args.journal} is not one (a *.jsonl journal is already text)`,
        );
      const out: string[] = [];
      const write = (line: string) => {
        out.push(line);
        if (out.length >= 4096) process.stdout.write(`${out.splice(0).join("\n")}\n`);
      };
      const r = exportJournal(args.journal, { from, log: (l) => console.error(l) }, write);
      if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`);
      if (r === null) fail(`replay: ${args.journal} holds no journal snapshot`);
      return;
    }
    const r = replayPath(args.journal, from);
    if (args.json) {
      const doc = { ...r.extra, state_hash: r.state_hash, slots: r.kernel.slots(), account: r.kernel.account() };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      process.stdout.write(`${r.state_hash}\n`);
    }
    r.kernel.destroy();
  },
});
