/**
 * The single-file JSON-lines journal (src/kernel/journal.ts, `replayJournal`, and
 * src/kernel/journal_outcomes.ts, `replayOutcomes`) is an edge: a slot-restore line whose image is
 * missing, not base64 text, or not a slot image's size stops the replay with a `JournalError`
 * naming the file and line, instead of a kernel or type error that names neither.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExecutionKernel, JournalError, replayJournal, replayOutcomes } from "../../src/kernel/index.ts";
import { T0 } from "../_support/kernel.ts";

const dirs: string[] = [];
const kernels: ExecutionKernel[] = [];
afterEach(() => {
  for (const k of kernels.splice(0)) k.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const header = '{"journal":"dita-v2","version":1,"slot_count":2,"active_slot_limit":2,"hung_order_ms":30000}';
const mark = JSON.stringify({ seq: 1, input: { type: "MARK_PRICE", asset: "BTC-USDT", price: 10, now_ms: T0 } });

function journal(restore: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "dita-legacy-"));
  dirs.push(dir);
  const path = join(dir, "run.jsonl");
  const line = JSON.stringify({ seq: 2, input: { type: "RESTORE_SLOT", now_ms: T0 + 1, ...restore } });
  writeFileSync(path, `${header}\n${mark}\n${line}\n`);
  return path;
}

const cases: Array<[string, Record<string, unknown>]> = [
  ["an image of 3 bytes", { image_b64: "AAAA" }],
  ["no image", {}],
  ["an image that is a number", { image_b64: 5 }],
];

describe("a malformed slot-restore line stops the replay naming the file and line", () => {
  for (const [what, restore] of cases) {
    test(`replayJournal: ${what}`, () => {
      const path = journal(restore);
      const replay = () => kernels.push(replayJournal(path).kernel);
      expect(replay).toThrow(JournalError);
      expect(replay).toThrow(/run\.jsonl:3: /);
    });
    test(`replayOutcomes: ${what}`, () => {
      const path = journal(restore);
      const replay = () => replayOutcomes(path, () => () => {});
      expect(replay).toThrow(JournalError);
      expect(replay).toThrow(/run\.jsonl:3: /);
    });
  }
});
