/**
 * The single-file JSON-lines input journal of builds before segments (one file per kernel lifetime),
 * still read by `dita-v2 replay FILE`, the projection catch-up of such runs, and written by tests and
 * the restart benchmark's "before" path. The launcher now journals into segments (segment_writer.ts).
 *
 *   line 1:  {"journal":"dita-v2","version":1,"slot_count":8,"active_slot_limit":8,"hung_order_ms":30000,
 *             "run":"9f2c4e7a1b0d3c58","strategy":"pink"}
 *   then:    {"seq":1,"input":{...wire input with now_ms...}}
 *            {"seq":2,"input":{"type":"RESTORE_SLOT","image_b64":"...","now_ms":...}}
 *            {"seq":3,"record_b64":"..."}          (a raw 320-byte InputRecord from the Zinc ring)
 *
 * Every input the kernel accepted is journaled, in the order applied. A refused input changed
 * nothing (kernel/README.md decision 1), so replay needs none of them: they are counted
 * (`refused`), not written, and no client can grow the journal without changing state. Inputs an
 * edge refused before the kernel (wrong source, wrong shape) never reach it at all. Replay is an edge too: each line is parsed into a typed input
 * (`parseJournalInput`), raw records are checked to be STRATEGY kinds, and anything else stops
 * the replay with the line number. JS numbers print as the shortest round-tripping decimal, so a replayed
 * input encodes to the same bytes. Lines are buffered and written with one write(2) per
 * `flush()`. A torn last line (crash mid-write) is reported by `replayJournal` and ignored; a line
 * whose `seq` is not the next (a line lost in the middle) or a header without its kernel sizes
 * stops the replay. Replay streams the file (`journalLines`: 1 MiB reads, memory bounded whatever
 * its length) and applies runs of wire inputs with `applyBatch` (pipelined; the same state as one
 * call per input).
 *
 * `run` is the kernel lifetime's id (drawn once by the launcher): projected rows of this lifetime
 * carry it in their ids, so a replay that reads it back rebuilds the same row ids (journals written
 * before run ids have none). `seq` counts inputs within the one file: it is unique per run only.
 *
 * Entry points: `JournalWriter` (an `InputJournal` step), `replayJournal(path)`, `journalLines(path)`
 * (the header, then each entry line with its line number, for `journal_outcomes.ts`).
 */

import { closeSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { ABI } from "../contracts/abi.ts";
import { parseJournalInput } from "../contracts/intent_parse.ts";
import type { KernelInput } from "../contracts/intents.ts";
import { RUN_ID_RE } from "../contracts/records.ts";
import { INPUT_SIZE } from "./encoder.ts";
import { ExecutionKernel } from "./execution_kernel.ts";
import { InputRecords, isStrategyKind, recordKind } from "./input_records.ts";
import type { InputJournal } from "./types.ts";

export interface JournalHeader {
  journal: "dita-v2";
  version: 1;
  slot_count: number;
  active_slot_limit: number;
  hung_order_ms: number;
  /** The kernel lifetime's id (absent in journals written before run ids). */
  run?: string;
  /** The namespace (DITA_V2_STRATEGY) the run projected under (absent in older journals). */
  strategy?: string;
}

export class JournalWriter implements InputJournal {
  private fd: number;
  private seq = 0;
  /** Inputs the kernel refused since start: counted, not journaled. */
  refused = 0;
  private pending: string[] = [];

  constructor(
    readonly path: string,
    header: Omit<JournalHeader, "journal" | "version">,
  ) {
    this.fd = openSync(path, "a", 0o600);
    writeSync(this.fd, `${JSON.stringify({ journal: "dita-v2", version: 1, ...header })}\n`);
  }

  input(input: KernelInput, accepted: boolean): void {
    if (!accepted) {
      this.refused++;
      return;
    }
    this.seq++;
    this.pending.push(JSON.stringify({ seq: this.seq, input }));
  }

  restore(image: Uint8Array, nowMs: number, accepted: boolean): void {
    if (!accepted) {
      this.refused++;
      return;
    }
    this.seq++;
    const input = { type: "RESTORE_SLOT", image_b64: Buffer.from(image).toString("base64"), now_ms: nowMs };
    this.pending.push(JSON.stringify({ seq: this.seq, input }));
  }

  records(records: Uint8Array, accepted: Uint8Array): void {
    for (let i = 0; i < accepted.length; i++) {
      if (accepted[i] !== 1) {
        this.refused++;
        continue;
      }
      this.seq++;
      const rec = Buffer.from(records.buffer, records.byteOffset + i * INPUT_SIZE, INPUT_SIZE).toString("base64");
      this.pending.push(JSON.stringify({ seq: this.seq, record_b64: rec }));
    }
  }

  get entries(): number {
    return this.seq;
  }

  flush(durable = false): void {
    if (this.pending.length > 0) {
      writeSync(this.fd, `${this.pending.join("\n")}\n`);
      this.pending = [];
    }
    if (durable) fsyncSync(this.fd);
  }

  close(): void {
    this.flush(true);
    closeSync(this.fd);
  }
}

export interface ReplayResult {
  entries: number;
  state_hash: string;
  torn_tail: boolean;
  kernel: ExecutionKernel;
}

export class JournalError extends Error {
  override name = "JournalError";
}

/** Wire inputs are replayed in batches of this many (the pipelined applyBatch: same state as one by one). */
const REPLAY_BATCH = 8192;

const CHUNK_BYTES = 1 << 20;

/** A JSON-lines journal streamed: its header, then each complete entry line with its line number. */
export interface JournalLines {
  header: JournalHeader;
  lines: Generator<{ line: string; no: number }, void>;
  /** Set once `lines` is done: the file ended in an incomplete line (a torn write). */
  tornTail(): boolean;
}

export function journalLines(path: string): JournalLines {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new JournalError(`cannot read journal ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  const all = split(fd);
  const first = all.next();
  if (first.done) {
    closeSync(fd);
    throw new JournalError(`${path}:1: not a dita-v2 journal (empty)`);
  }
  let header: JournalHeader;
  try {
    header = parseHeader(first.value.line, path);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let torn = false;
  const lines = (function* () {
    try {
      for (let r = all.next(); !r.done; r = all.next()) {
        if (r.value.torn) torn = true;
        else yield { line: r.value.line, no: r.value.no };
      }
    } finally {
      closeSync(fd);
    }
  })();
  return { header, lines, tornTail: () => torn };
}

/** The file's lines, read 1 MiB at a time; the last one is `torn` when no newline ends it. */
function* split(fd: number): Generator<{ line: string; no: number; torn: boolean }, void> {
  const buf = Buffer.alloc(CHUNK_BYTES);
  const decoder = new TextDecoder();
  let rest = "";
  let no = 0;
  for (let n = readSync(fd, buf, 0, CHUNK_BYTES, null); n > 0; n = readSync(fd, buf, 0, CHUNK_BYTES, null)) {
    const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
    const parts = text.split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) yield { line, no: ++no, torn: false };
  }
  rest += decoder.decode();
  if (rest !== "") yield { line: rest, no: ++no, torn: true };
}

/** Applies a journal to a fresh kernel and returns the resulting state hash. */
export function replayJournal(path: string): ReplayResult {
  const { header, lines, tornTail } = journalLines(path);
  const kernel = ExecutionKernel.open({
    slotCount: header.slot_count,
    activeSlotLimit: header.active_slot_limit,
    hungOrderMs: header.hung_order_ms,
  });
  const wire: KernelInput[] = [];
  const flush = () => wire.length > 0 && kernel.applyBatch(wire.splice(0));
  let entries = 0;
  try {
    for (const { line, no } of lines) {
      entries++;
      const entry = parseEntry(line, path, no);
      const seq = (entry as { seq?: unknown }).seq; // a line lost in the middle is not replayed around
      if (seq !== entries)
        throw new JournalError(`${path}:${no}: entry seq ${JSON.stringify(seq)}, expected ${entries}`);
      if (entry.record_b64 === undefined && entry.input?.type !== "RESTORE_SLOT") {
        const parsed = parseJournalInput(entry.input);
        if (!parsed.ok) throw new JournalError(`${path}:${no}: ${parsed.refusal.message}`);
        wire.push(parsed.value);
        if (wire.length === REPLAY_BATCH) flush();
        continue;
      }
      flush(); // journal order: the wire inputs before this entry first
      applyEntry(kernel, entry, path, no);
    }
    flush();
  } catch (e) {
    kernel.destroy();
    throw e;
  }
  return { entries, state_hash: kernel.stateHashHex(), torn_tail: tornTail(), kernel };
}

function parseHeader(line: string | undefined, path: string): JournalHeader {
  let h: Partial<JournalHeader>;
  try {
    h = JSON.parse(line ?? "");
  } catch {
    throw new JournalError(`${path}:1: not a dita-v2 journal (first line is not a JSON header)`);
  }
  if (h.journal !== "dita-v2" || h.version !== 1) throw new JournalError(`${path}:1: not a dita-v2 journal version 1`);
  for (const k of ["slot_count", "active_slot_limit", "hung_order_ms"] as const)
    if (!Number.isSafeInteger(h[k]))
      throw new JournalError(`${path}:1: header ${k} must be an integer, got ${JSON.stringify(h[k])}`);
  if (h.run !== undefined && (typeof h.run !== "string" || !RUN_ID_RE.test(h.run)))
    throw new JournalError(`${path}:1: header run must match ${RUN_ID_RE.source}, got ${JSON.stringify(h.run)}`);
  return h as JournalHeader;
}

export type Entry = { input?: { type?: string; image_b64?: string; now_ms?: number }; record_b64?: string };

export function parseEntry(line: string, path: string, lineNo: number): Entry {
  let entry: Entry;
  try {
    entry = JSON.parse(line);
  } catch {
    throw new JournalError(`${path}:${lineNo}: not valid JSON`);
  }
  if (typeof entry !== "object" || entry === null || (entry.input === undefined && entry.record_b64 === undefined)) {
    throw new JournalError(`${path}:${lineNo}: entry has neither 'input' nor 'record_b64'`);
  }
  return entry;
}

/** Applies a raw record or a slot restore (the caller batches wire inputs). */
function applyEntry(kernel: ExecutionKernel, entry: Entry, path: string, lineNo: number): void {
  if (entry.record_b64 !== undefined) {
    const bytes = new Uint8Array(Buffer.from(entry.record_b64, "base64"));
    if (bytes.byteLength !== INPUT_SIZE)
      throw new JournalError(`${path}:${lineNo}: raw record is not ${INPUT_SIZE} bytes`);
    if (!isStrategyKind(recordKind(bytes))) {
      throw new JournalError(`${path}:${lineNo}: raw record of kind ${recordKind(bytes)} is not a strategy input`);
    }
    kernel.applyRecords(InputRecords.fromStrategy(bytes, 1));
  } else if (entry.input !== undefined) {
    const r = restoreEntry(entry, `${path}:${lineNo}`);
    kernel.restoreSlot(r.image, r.nowMs);
  }
}

/** A RESTORE_SLOT line's image and time, or a `JournalError` at `where` (file:line) saying what is wrong. */
export function restoreEntry(entry: Entry, where: string): { image: Uint8Array; nowMs: number } {
  const { image_b64, now_ms } = entry.input ?? {};
  const image = typeof image_b64 === "string" ? new Uint8Array(Buffer.from(image_b64, "base64")) : null;
  if (image === null || image.byteLength !== ABI.SlotImage.size)
    throw new JournalError(`${where}: slot restore image_b64 is not a base64 ${ABI.SlotImage.size}-byte slot image`);
  if (!Number.isSafeInteger(now_ms) || now_ms! < 0)
    throw new JournalError(
      `${where}: slot restore now_ms must be a non-negative integer, got ${JSON.stringify(now_ms)}`,
    );
  return { image, nowMs: now_ms! };
}
