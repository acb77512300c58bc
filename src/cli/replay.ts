/**
 * `dita-v2 replay JOURNAL`: apply a recorded input journal to a fresh kernel and print the
 * resulting state hash (and, with --json, slots and account). The format is described in
 * src/kernel/journal.ts and the README.
 */

import { defineCommand } from "citty";
import { replayJournal } from "../kernel/journal.ts";

export const replayCommand = defineCommand({
  meta: { name: "replay", description: "Replay an input journal into a fresh kernel; print its state hash" },
  args: {
    journal: {
      type: "positional",
      description: "path of a journal file (<state dir>/journal/*.jsonl)",
      required: true,
    },
    json: { type: "boolean", description: "print a JSON document with slots and account too", default: false },
  },
  run({ args }) {
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
