/**
 * scripts/jit_symbols.ts, the tool that named the stuck serve's frames (docs/operator-playbook.md §4):
 * it reads the code-load records of a perf jitdump file as JavaScriptCore writes them and names the
 * code an address falls in — the newest load when code memory was reused — and refuses a file that is
 * not a jitdump. The dump here is built byte by byte in that format.
 */
import { describe, expect, test } from "bun:test";
import { nameAt, readJitDump } from "../../scripts/jit_symbols.ts";

/** A jitdump: a 40-byte header, then one code-load record per entry (and a record of another kind). */
function dump(loads: ReadonlyArray<[start: bigint, size: bigint, name: string]>): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(40));
  header.setUint32(0, 0x4a695444, true); // "JiTD"
  header.setUint32(4, 1, true);
  header.setUint32(8, 40, true);
  parts.push(new Uint8Array(header.buffer));
  const other = new DataView(new ArrayBuffer(24)); // JIT_CODE_MOVE-like record: skipped
  other.setUint32(0, 1, true);
  other.setUint32(4, 24, true);
  parts.push(new Uint8Array(other.buffer));
  for (const [start, size, name] of loads) {
    const nameBytes = new TextEncoder().encode(`${name}\0`);
    const code = new Uint8Array(Number(size));
    const total = 56 + nameBytes.length + code.length;
    const r = new DataView(new ArrayBuffer(total));
    r.setUint32(0, 0, true); // JIT_CODE_LOAD
    r.setUint32(4, total, true);
    r.setBigUint64(24, start, true); // vma
    r.setBigUint64(32, start, true); // code address
    r.setBigUint64(40, size, true);
    const bytes = new Uint8Array(r.buffer);
    bytes.set(nameBytes, 56);
    parts.push(bytes);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("scripts/jit_symbols.ts", () => {
  const entries = readJitDump(
    dump([
      [0x7f0000001000n, 0x40n, "JSC-Baseline: tryRegister#ADJNRk"],
      [0x7f0000002000n, 0x80n, "JSC-DFG: old#AAAAAA"],
      [0x7f0000002000n, 0x80n, "JSC-FTL: processTicksAndRejections#Ec4oz0"], // the same memory, reused later
    ]),
  );

  test("names the code an address falls in, the newest load where code memory was reused", () => {
    expect(entries.length).toBe(3);
    expect(nameAt(entries, 0x7f0000001000n)).toBe("JSC-Baseline: tryRegister#ADJNRk");
    expect(nameAt(entries, 0x7f000000103fn)).toBe("JSC-Baseline: tryRegister#ADJNRk");
    expect(nameAt(entries, 0x7f0000002010n)).toBe("JSC-FTL: processTicksAndRejections#Ec4oz0");
  });

  test("an address outside every load is no name (one past the end included)", () => {
    expect(nameAt(entries, 0x7f0000001040n)).toBeNull();
    expect(nameAt(entries, 0x1n)).toBeNull();
  });

  test("a file that is not a jitdump is refused; a record cut off at the end is left out", () => {
    expect(() => readJitDump(new Uint8Array(64))).toThrow(/not a jitdump/);
    const whole = dump([[0x1000n, 0x10n, "a"]]);
    expect(readJitDump(whole.subarray(0, whole.length - 3))).toEqual([]);
  });
});
