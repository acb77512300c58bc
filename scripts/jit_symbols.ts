/**
 * Names the JavaScript functions at machine-code addresses of a running (or stuck) serve, from the JIT
 * dump JavaScriptCore writes when asked (`BUN_JSC_useJITDump=1 BUN_JSC_jitDumpDirectory=<dir>` in serve's
 * environment: `jit-<n>-<pid>.dump` files, the perf "jitdump" format; pass every one of the pid). The addresses come
 * from a stack of the process: gdb (`thread 1`, then the frame-pointer chain from `$rbp`: JSC keeps frame
 * pointers) or `perf record -g -p <pid>`. docs/operator-playbook.md §4 ("A stalled serve") says when.
 *
 *   bun scripts/jit_symbols.ts <jit-*.dump>... <hex address>...
 *
 * Prints one line per address: the address and the code it falls in (`JSC-<tier>: <name>#<hash>`), or `?`.
 * Entry point (for tests): `readJitDump(bytes)`, `nameAt(entries, address)`.
 */

import { readFileSync } from "node:fs";

export interface JitCode {
  start: bigint;
  size: bigint;
  name: string;
}

const CODE_LOAD = 0;

/** The code-load records of a jitdump file, in the order the process wrote them. Throws on a file that is not one. */
export function readJitDump(bytes: Uint8Array): JitCode[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 40 || v.getUint32(0, true) !== 0x4a695444)
    throw new Error("not a jitdump file (no JiTD magic at its start)");
  const out: JitCode[] = [];
  let at = v.getUint32(8, true); // the header's size
  while (at + 16 <= bytes.byteLength) {
    const id = v.getUint32(at, true);
    const size = v.getUint32(at + 4, true);
    if (size < 16 || at + size > bytes.byteLength) break; // a record cut off by the process's end
    if (id === CODE_LOAD && size >= 56) {
      const nameStart = at + 56;
      let nameEnd = nameStart;
      while (nameEnd < at + size && bytes[nameEnd] !== 0) nameEnd++;
      out.push({
        start: v.getBigUint64(at + 32, true),
        size: v.getBigUint64(at + 40, true),
        name: new TextDecoder().decode(bytes.subarray(nameStart, nameEnd)),
      });
    }
    at += size;
  }
  return out;
}

/** The newest code that holds `address` (code memory is reused: a later load at the same place wins), or null. */
export function nameAt(entries: readonly JitCode[], address: bigint): string | null {
  let hit: JitCode | null = null;
  for (const e of entries) if (e.start <= address && address < e.start + e.size) hit = e;
  return hit?.name ?? null;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const files = args.filter((a) => a.endsWith(".dump"));
  const addresses = args.filter((a) => !a.endsWith(".dump"));
  if (files.length === 0 || addresses.length === 0) {
    console.error("usage: bun scripts/jit_symbols.ts <jit-*.dump>... <hex address>...");
    process.exit(2);
  }
  const entries = files.flatMap((f) => readJitDump(readFileSync(f)));
  for (const a of addresses) {
    if (!/^(0x)?[0-9a-fA-F]{1,16}$/.test(a)) {
      console.error(`not a hex address: ${a}`);
      process.exit(2);
    }
    console.log(`${a} ${nameAt(entries, BigInt(a.startsWith("0x") ? a : `0x${a}`)) ?? "?"}`);
  }
}
