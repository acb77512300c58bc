/**
 * The binding's ABI table against the loaded kernel library, in full: it agrees today, and any
 * deliberately wrong offset, width, size or constant (or an item on one side only) makes the load
 * check fail with one line naming it. Also: the record sizes of ffi/zinc.h equal the kernel's.
 */

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AbiExpectation, bindingAbi, type RecordSpec } from "../../src/contracts/index.ts";
import { AbiMismatchError, checkAbi } from "../../src/kernel/_abi_check.ts";
import { loadKernelLib } from "../../src/kernel/_kernel_ffi.ts";

const lib = loadKernelLib();
const describeText = String(lib.dita_abi_describe());

/** A copy of the binding's expectation with one change applied. */
function altered(
  change: (records: Record<string, RecordSpec>, constants: Map<string, bigint>) => void,
): AbiExpectation {
  const base = bindingAbi();
  const records = structuredClone(base.records) as Record<string, RecordSpec>;
  const constants = new Map(base.constants);
  change(records, constants);
  return { ...base, records, constants };
}

function refusal(expected: AbiExpectation): string {
  try {
    checkAbi(lib, expected);
  } catch (e) {
    expect(e).toBeInstanceOf(AbiMismatchError);
    const message = (e as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    return message;
  }
  throw new Error("the load check accepted a wrong ABI table");
}

function setField(records: Record<string, RecordSpec>, rec: string, name: string, at: number, value: number): void {
  const fields = records[rec]!.fields as unknown as Array<[string, number, number, string]>;
  fields.find((f) => f[0] === name)![at] = value;
}

describe("the ABI check at load", () => {
  test("the binding's table and the kernel's description agree, every record, field and constant", () => {
    expect(() => checkAbi(lib, bindingAbi())).not.toThrow();
    const consts = describeText.split("\n").filter((l) => l.startsWith("const "));
    expect(bindingAbi().constants.size).toBe(consts.length);
  });

  test("a wrong field offset fails the load with one line naming the field and both offsets", () => {
    const wrong = altered((r) => setField(r, "SlotImage", "realized_pnl", 1, 56));
    expect(refusal(wrong)).toBe(
      "ABI mismatch: SlotImage.realized_pnl offset kernel=48 binding=56 (kernel ABI 1.5, binding 1.5)",
    );
  });

  test("a wrong width or record size is named", () => {
    expect(refusal(altered((r) => setField(r, "InputRecord", "asset", 2, 16)))).toContain(
      "InputRecord.asset width kernel=24 binding=16",
    );
    expect(refusal(altered((r) => ((r.AccountImage as { size: number }).size = 104)))).toContain(
      "AccountImage size kernel=96 binding=104",
    );
  });

  test("a wrong constant fails the load with one line naming it and both values", () => {
    expect(refusal(altered((_, c) => c.set("STAGE_CLOSED", 6n)))).toBe(
      "ABI mismatch: const STAGE_CLOSED kernel=5 binding=6 (kernel ABI 1.5, binding 1.5)",
    );
    expect(refusal(altered((_, c) => c.set("INPUT_KIND_SOURCE_SEED_CAPITAL", 1n)))).toContain(
      "const INPUT_KIND_SOURCE_SEED_CAPITAL kernel=3 binding=1",
    );
  });

  test("an item on one side only is a mismatch both ways", () => {
    expect(refusal(altered((_, c) => c.delete("DIAG_ORPHAN_POSITION")))).toContain(
      "const DIAG_ORPHAN_POSITION missing in binding",
    );
    expect(refusal(altered((_, c) => c.set("DIAG_SOMETHING_NEW", 99n)))).toContain(
      "const DIAG_SOMETHING_NEW missing in kernel",
    );
    const noReserved = altered((r) => {
      const spec = r.SlotImage as { fields: RecordSpec["fields"] };
      spec.fields = spec.fields.filter((f) => f[0] !== "_reserved1");
    });
    expect(refusal(noReserved)).toContain("SlotImage._reserved1 missing in binding");
  });

  test("a different version is refused even when every field agrees", () => {
    expect(refusal({ ...bindingAbi(), minor: 0 })).toBe("ABI mismatch: version differs (kernel ABI 1.5, binding 1.0)");
  });
});

describe("one record size everywhere", () => {
  test("ffi/zinc.h's record sizes and slot maximum equal the kernel's description", () => {
    const header = readFileSync(join(import.meta.dir, "../../ffi/zinc.h"), "utf8");
    const define = (name: string) => Number(new RegExp(`#define ${name} (\\d+)u?\\b`).exec(header)?.[1]);
    const record = (name: string) => Number(new RegExp(`^record ${name} (\\d+)$`, "m").exec(describeText)?.[1]);
    const constant = (name: string) => Number(new RegExp(`^const ${name} (\\d+)$`, "m").exec(describeText)?.[1]);
    expect(define("ZINC_INTENT_RECORD_SIZE")).toBe(record("InputRecord"));
    expect(define("ZINC_SLOT_SIZE")).toBe(record("SlotImage"));
    expect(define("ZINC_ACCOUNT_SIZE")).toBe(record("AccountImage"));
    expect(define("ZINC_SLOT_COUNT_MAX")).toBe(constant("SLOT_COUNT_MAX"));
  });
});
