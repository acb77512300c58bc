/**
 * The readable export of a segmented journal (`dita-v2 replay DIR --export jsonl`): one JSON line
 * per journaled input, in order, from the snapshot the replay starts at, so a person (or a test)
 * can read what the binary segments hold.
 *
 *   {"run":"9f2c4e7a1b0d3c58","strategy":"pink","seq_before":0}           a run begins
 *   {"run":"…","seq":7,"source":"input","input":{"kind":"MARK_PRICE","now_ms":…,"price":…,"asset":"BTC-USDT"}}
 *   {"run":"…","seq":8,"source":"ring","input":{…}}                        a raw Zinc ring record
 *   {"run":"…","seq":9,"source":"restore","now_ms":…,"slot":{…slot record…},"image_b64":"…"}
 *   {"end":true,"entries":…,"state_hash":"…"}
 *
 * `input` lists the record's non-zero fields by their ABI names (kernel/ABI.md, InputRecord; strings
 * without their NUL padding, `kind` by name, quantities as the integers the kernel reads). Each entry
 * is applied as it is read (one kernel call per entry), so the last line's state hash is the
 * replay's.
 *
 * Entry point: `exportJournal(dir, options, write)`.
 */

import { ABI } from "../contracts/abi.ts";
import { INPUT_KINDS } from "../contracts/enums.ts";
import { decodeSlot } from "./decoder.ts";
import { walkJournal } from "./segment_replay.ts";

export interface ExportOptions {
  from?: "newest" | "oldest";
  log: (line: string) => void;
}

/** Writes the export line by line; returns the entries exported and the final state hash. */
export function exportJournal(
  dir: string,
  o: ExportOptions,
  write: (line: string) => void,
): { entries: number; state_hash: string } | null {
  let run = "";
  let entries = 0;
  const walked = walkJournal(dir, {
    from: o.from ?? "newest",
    log: o.log,
    visitor: {
      run: (r, strategy, seq) => {
        run = r;
        write(JSON.stringify({ run: r, strategy, seq_before: seq }));
      },
      step: (step) => {
        entries++;
        if (step.restore !== undefined) {
          const { image, nowMs } = step.restore;
          const slot = decodeSlot(new DataView(image.buffer, image.byteOffset, image.byteLength), image, 0);
          const image_b64 = Buffer.from(image).toString("base64");
          write(JSON.stringify({ run, seq: step.seq, source: "restore", now_ms: nowMs, slot, image_b64 }));
        } else if (step.record !== undefined) {
          const source = step.kind === "record" ? "ring" : "input";
          write(JSON.stringify({ run, seq: step.seq, source, input: recordFields(step.record) }));
        }
      },
    },
  });
  if (walked === null) return null;
  const state_hash = walked.state_hash;
  walked.kernel.destroy();
  write(JSON.stringify({ end: true, entries, state_hash }));
  return { entries, state_hash };
}

/** An InputRecord's non-zero fields by ABI name (reserved bytes left out). */
export function recordFields(record: Uint8Array): Record<string, string | number> {
  const dv = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const out: Record<string, string | number> = {};
  for (const [name, off, width, kind] of ABI.InputRecord.fields) {
    if (name.startsWith("_")) continue;
    let v: string | number;
    if (kind === "bytes") {
      const end = record.subarray(off, off + width).indexOf(0);
      v = Buffer.from(record.subarray(off, end < 0 ? off + width : off + end)).toString("utf8");
    } else if (kind === "f64") v = dv.getFloat64(off, true);
    else if (kind === "u64") v = Number(dv.getBigUint64(off, true));
    else if (kind === "i64") v = Number(dv.getBigInt64(off, true));
    else if (kind === "u32") v = dv.getUint32(off, true);
    else if (kind === "u16") v = dv.getUint16(off, true);
    else v = dv.getUint8(off);
    if (name === "kind") v = INPUT_KINDS[(v as number) - 1] ?? v;
    if (v !== 0 && v !== "") out[name] = v;
  }
  return out;
}
