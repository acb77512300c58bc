/**
 * `dita-v2 spool DIR`: what the local sink holds — the destination of a serve with neither Hazelcast
 * nor ClickHouse (`<state dir>/spool/local.spool` and its sealed files `spool/local-sealed/<n>.spool`).
 * DIR is a state directory or its `spool/` directory. Safe while serve runs (a consistent snapshot:
 * `scanLocalSpool`); nothing is written.
 *
 * - no option: a summary (files and bytes; records by kind; map writes and the keys they hold);
 *   `--json` the same as one JSON document.
 * - `--export jsonl`: every value as stored, oldest first, one JSON line each: records
 *   `{"kind":"trade_event","row":{…}}`, map writes `{"kind":"map","map":…,"key":…,"value":…}` (for each
 *   key its latest write comes last). `--kind K[,K…]` keeps those kinds (`map` for map writes).
 * - `--export rows --kind K`: the rows of one record kind alone, one JSON object per line: ClickHouse's
 *   JSONEachRow for K's table (trade_event → trade_events, transition → dita_v2_transitions,
 *   diagnostic → dita_v2_diagnostics, control_change → dita_v2_control). Each row id once: a row
 *   written again under its id (a restart re-projects an open position's OPEN row, a catch-up the rows
 *   after the mark) is the same row, so its first copy is printed (what ClickHouse keeps per id).
 *
 * Unreadable bytes (a corrupt range, or the frame a running serve is writing) are skipped and said on
 * stderr; so is a sealed file that retention deleted between the listing and its read.
 *
 * Exit codes: 0 read · 1 DIR holds no local spool (a serve with a server sink keeps its backlog there
 * instead: `dita-v2 status`), or a file cannot be read · 2 bad arguments: DIR missing or not a
 * directory, `--export` other than jsonl/rows, an unknown `--kind`, `--kind` without `--export`,
 * `--export rows` without exactly one record kind, `--json` with `--export`.
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { hasLocalSpool, RECORD_KINDS, scanLocalSpool } from "../projection/index.ts";
import { CliFailure } from "./_fail.ts";

const KINDS = [...RECORD_KINDS, "map"] as const;
type Kind = (typeof KINDS)[number];
type Stored = { kind?: unknown; map?: unknown; key?: unknown; row?: unknown };

const refuse = (message: string): never => {
  throw new CliFailure(`spool: ${message}`, 2);
};

/** The spool directory DIR names: DIR/spool when it holds the local sink, else DIR itself when it does. */
function spoolDirOf(dir: string): string {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) refuse(`${dir} is not a directory`);
  const nested = join(dir, "spool");
  if (hasLocalSpool(nested)) return nested;
  if (hasLocalSpool(dir)) return dir;
  throw new CliFailure(
    `spool: ${dir} holds no local spool (spool/local.spool); a serve with Hazelcast or ClickHouse keeps only their backlog there: dita-v2 status`,
  );
}

function parseKinds(list: string | undefined): Set<Kind> | null {
  if (list === undefined) return null;
  const kinds = list.split(",").map((k) => k.trim());
  for (const k of kinds)
    if (!(KINDS as readonly string[]).includes(k)) refuse(`--kind takes ${KINDS.join(", ")}; got '${k}'`);
  return new Set(kinds as Kind[]);
}

/** Checks the options together: an option that would do nothing is refused. */
function planOf(args: { export?: string; kind?: string; json: boolean }): {
  export: "jsonl" | "rows" | null;
  kinds: Set<Kind> | null;
} {
  const kinds = parseKinds(args.kind);
  if (args.export === undefined) {
    if (kinds !== null) refuse("--kind goes with --export");
    return { export: null, kinds };
  }
  if (args.json) refuse("give one of --export, --json");
  if (args.export !== "jsonl" && args.export !== "rows") refuse(`--export takes jsonl or rows, got '${args.export}'`);
  if (args.export === "rows" && (kinds === null || kinds.size !== 1 || kinds.has("map")))
    refuse(`--export rows takes one record kind (--kind ${RECORD_KINDS.join("|")})`);
  return { export: args.export === "rows" ? "rows" : "jsonl", kinds };
}

/** Lines to stdout in batches (as replay --export). */
function lineWriter() {
  const out: string[] = [];
  const flush = () => {
    if (out.length > 0) process.stdout.write(`${out.splice(0).join("\n")}\n`);
  };
  return {
    line(s: string) {
      out.push(s);
      if (out.length >= 4096) flush();
    },
    flush,
  };
}

function exportValues(spoolDir: string, mode: "jsonl" | "rows", kinds: Set<Kind> | null) {
  const w = lineWriter();
  const printed = new Set<string>(); // rows: the ids printed
  const read = scanLocalSpool(spoolDir, (value) => {
    const v = value as Stored;
    if (kinds !== null && !kinds.has(v.kind as Kind)) return;
    if (mode === "jsonl") return w.line(JSON.stringify(value));
    const id = (v.row as { row_id?: unknown } | null)?.row_id;
    if (typeof id === "string" && printed.has(id)) return;
    if (typeof id === "string") printed.add(id);
    w.line(JSON.stringify(v.row));
  });
  w.flush();
  return read;
}

function summarize(spoolDir: string) {
  const records: Record<string, number> = Object.fromEntries(RECORD_KINDS.map((k) => [k, 0]));
  const keys = new Map<string, Set<string>>();
  let mapWrites = 0;
  let other = 0;
  const read = scanLocalSpool(spoolDir, (value) => {
    const v = value as Stored;
    if (v.kind === "map" && typeof v.map === "string") {
      mapWrites += 1;
      const held = keys.get(v.map) ?? new Set<string>();
      held.add(String(v.key));
      keys.set(v.map, held);
    } else if (typeof v.kind === "string" && Object.hasOwn(records, v.kind)) records[v.kind]! += 1;
    else other += 1;
  });
  const files = read.files.map((file) => ({ file, bytes: statSync(file, { throwIfNoEntry: false })?.size ?? 0 }));
  const mapKeys = Object.fromEntries([...keys].map(([m, k]) => [m, k.size]));
  return { spool_dir: spoolDir, files, records, map_writes: mapWrites, map_keys: mapKeys, other, read };
}

function printSummary(s: ReturnType<typeof summarize>): void {
  const bytes = s.files.reduce((n, f) => n + f.bytes, 0);
  const kinds = Object.entries(s.records).map(([k, n]) => `${n} ${k}`);
  const keyCount = Object.values(s.map_keys).reduce((n, k) => n + k, 0);
  const lines = [
    `local spool ${s.spool_dir}: ${s.files.length} file(s), ${bytes} bytes`,
    ...s.files.map((f) => `  ${f.file}  ${f.bytes} bytes`),
    `records: ${kinds.join(" · ")}${s.other > 0 ? ` · ${s.other} of no known kind` : ""}`,
    `map writes: ${s.map_writes} (${keyCount} keys in ${Object.keys(s.map_keys).length} maps)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

function warnAbout(read: { skippedBytes: number; vanished: string[] }): void {
  if (read.skippedBytes > 0)
    console.error(`warning: ${read.skippedBytes} bytes skipped (corrupt, or a frame being written by a running serve)`);
  for (const f of read.vanished) console.error(`warning: ${f} was deleted by retention while being read`);
}

export const spoolCommand = defineCommand({
  meta: { name: "spool", description: "Read the local sink's rows (the destination of a serve without servers)" },
  args: {
    dir: { type: "positional", description: "the state directory (or its spool/ directory)", required: true },
    export: { type: "string", description: "jsonl: every stored value; rows: one record kind's rows (JSONEachRow)" },
    kind: { type: "string", description: `with --export: ${KINDS.join(",")} (comma-separated)` },
    json: { type: "boolean", description: "the summary as one JSON document", default: false },
  },
  run({ args }) {
    if (args.dir.trim() === "") refuse("DIR is empty");
    const plan = planOf(args);
    const spoolDir = spoolDirOf(args.dir);
    if (plan.export !== null) {
      warnAbout(exportValues(spoolDir, plan.export, plan.kinds));
      return;
    }
    const s = summarize(spoolDir);
    const { read, ...doc } = s;
    if (args.json)
      process.stdout.write(
        `${JSON.stringify({ ...doc, skipped_bytes: read.skippedBytes, vanished: read.vanished })}\n`,
      );
    else printSummary(s);
    warnAbout(read);
  },
});
