/**
 * Shared setup for the Zinc and control integration tests: builds ffi/build/libzinc.so through
 * ffi/Makefile when it is missing or older than its sources, hands out unique
 * /dev/shm prefixes, removes every region a test created, and spawns fixture processes.
 */

import { existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "../..");
export const LIB_PATH = join(ROOT, "ffi/build/libzinc.so");
export const BUN = process.execPath;
export const FIXTURES = join(import.meta.dir, "fixtures");

let counter = 0;

/** ffi/build/libzinc.so, built through ffi/Makefile (the one place its flags live) when stale. */
export function ensureLib(): string {
  const r = Bun.spawnSync(["make", "-s", "-C", "ffi", "build/libzinc.so"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`building libzinc failed: ${r.stderr.toString()}`);
  return LIB_PATH;
}

const created: string[] = [];

/** A prefix no other test (or earlier run) uses; its files are removed by `cleanupPrefixes`. */
export function uniquePrefix(tag: string): string {
  counter += 1;
  const p = `dita_test_${tag}_${process.pid}_${counter}`;
  created.push(p);
  return p;
}

export function regionPath(prefix: string, kind: "intents" | "state" | "control" | "outcomes"): string {
  return `/dev/shm/${prefix}.${kind}`;
}

export function cleanupPrefixes(): void {
  for (const p of created.splice(0)) {
    for (const k of ["intents", "state", "control", "outcomes"] as const) {
      if (existsSync(regionPath(p, k))) unlinkSync(regionPath(p, k));
    }
    if (existsSync(`/dev/shm/${p}.bell`)) unlinkSync(`/dev/shm/${p}.bell`); // the doorbell's socket
  }
}

export function spawnFixture(script: string, args: string[], stdin: "pipe" | "ignore" = "ignore") {
  return Bun.spawn([BUN, join(FIXTURES, script), ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe", stdin });
}

/** Reads stdout lines until one matches, bounded by `maxLines`; used for "ready" handshakes. */
export async function readLineMatching(
  stream: ReadableStream<Uint8Array>,
  re: RegExp,
  maxLines = 1000,
): Promise<string> {
  const reader = stream.getReader();
  let buf = "";
  try {
    for (let i = 0; i < maxLines; i++) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (re.test(line)) return line;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
    }
  } finally {
    reader.releaseLock();
  }
  throw new Error(`no line matching ${re} (buffer: ${buf.slice(0, 200)})`);
}

/** A 320-byte intent record tagged (producer, n) at offsets 0 and 4, with a checkable tail. */
export function taggedRecord(producer: number, n: number): Uint8Array {
  const rec = new Uint8Array(320);
  const dv = new DataView(rec.buffer);
  dv.setUint32(0, producer, true);
  dv.setUint32(4, n, true);
  for (let i = 8; i < 320; i++) rec[i] = (producer * 31 + n + i) & 0xff;
  return rec;
}

export function recordIsIntact(rec: Uint8Array): boolean {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const producer = dv.getUint32(0, true);
  const n = dv.getUint32(4, true);
  for (let i = 8; i < 320; i++) if (rec[i] !== ((producer * 31 + n + i) & 0xff)) return false;
  return true;
}

/** A 448-byte slot image: slot_id, a valid stage, and every other byte equal to `fill`. */
export function patternedSlot(slotId: number, fill: number): Uint8Array {
  const img = new Uint8Array(448).fill(fill & 0xff);
  new DataView(img.buffer).setUint32(0, slotId, true);
  img[4] = 1 + (fill % 6);
  return img;
}
