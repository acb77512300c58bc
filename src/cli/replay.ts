/**
 * `dita-v2 replay JOURNAL`: apply a recorded input journal to a fresh kernel and print the
 * resulting state hash (and, with --json, slots and account). The format is described in
 * src/kernel/journal.ts and the README.
 *
 * `--project` rebuilds the rows the journal's run projected (lifecycle rows, diagnostics, and in
 * DITA_V2_MODE=DEBUG transitions) into the ClickHouse the environment names, with the run's own
 * row ids: rows ClickHouse already holds are not inserted again. It prints one JSON line with the
 * counts. Maps and the topic are never written by a replay.
 */

import { defineCommand } from "citty";
import { maskSecrets } from "../contracts/secrets.ts";
import { replayJournal } from "../kernel/journal.ts";
import { replayIntoSinks } from "../launcher/index.ts";

export const replayCommand = defineCommand({
  meta: { name: "replay", description: "Replay an input journal into a fresh kernel; print its state hash" },
  args: {
    journal: {
      type: "positional",
      description: "path of a journal file (<state dir>/journal/*.jsonl)",
      required: true,
    },
    json: { type: "boolean", description: "print a JSON document with slots and account too", default: false },
    project: {
      type: "boolean",
      description: "rebuild the run's table rows into DITA_V2_CLICKHOUSE_URL (rows already there are kept once)",
      default: false,
    },
  },
  async run({ args }) {
    if (args.project) {
      const r = await replayIntoSinks(args.journal, process.env, (line) => console.error(maskSecrets(line)));
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return;
    }
    const r = replayJournal(args.journal);
    if (r.torn_tail) console.error(`warning: ${args.journal}: last line is incomplete (torn write) and was ignored`);
    if (args.json) {
      const doc = {
        entries: r.entries,
        state_hash: r.state_hash,
        slots: r.kernel.slots(),
        account: r.kernel.account(),
      };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      process.stdout.write(`${r.state_hash}\n`);
    }
    r.kernel.destroy();
  },
});
