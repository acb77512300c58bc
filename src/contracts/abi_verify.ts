/**
 * Compares the kernel's self-description (`dita_abi_describe()`, kernel/ABI.md "ABI
 * description") with the binding's expectation (abi.ts), in full and both ways: the header
 * (magic word, version, endianness), every record's size, every field's offset, width and kind,
 * and every constant's value. Anything the kernel describes that the binding does not know, or
 * the reverse, is a mismatch too: a constant added on one side only is how a drifted enum shows.
 *
 * Entry points: `verifyAbi(describeText, expected?)` → null when they agree, else one line such
 * as `ABI mismatch: SlotImage.realized_pnl offset kernel=96 binding=88 (kernel ABI 1.3, binding 1.2)`.
 */

import { ABI, ABI_MAJOR, ABI_MINOR, KERNEL_LIMITS, type RecordSpec } from "./abi.ts";
import {
  CONFIG_KEYS,
  EVENT_KINDS,
  FIELDS,
  INPUT_KINDS,
  INPUT_SOURCES,
  ORDER_ROLES,
  ORDER_SIDES,
  ORDER_TYPES,
  REJECT_REASONS,
  SOURCE_OF_KIND,
  TRADING_STATES,
} from "./enums.ts";
import {
  DIAGNOSTIC_CODES,
  EXIT_REASONS,
  ORDER_STATUSES,
  SEVERITIES,
  SIDES,
  STAGES,
  STALE_REASONS,
  TRIGGERS,
} from "./records.ts";

/** What the binding expects; a parameter so a test can hand a deliberately wrong copy. */
export interface AbiExpectation {
  major: number;
  minor: number;
  records: Readonly<Record<string, RecordSpec>>;
  constants: ReadonlyMap<string, bigint>;
}

export function bindingAbi(): AbiExpectation {
  return { major: ABI_MAJOR, minor: ABI_MINOR, records: ABI, constants: bindingConstants() };
}

interface Described {
  head: string[];
  sizes: Map<string, number>;
  fields: Map<string, Map<string, readonly [number, number, string]>>;
  constants: Map<string, bigint>;
}

function parse(text: string): Described | string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const d: Described = {
    head: lines[0]?.split(/\s+/) ?? [],
    sizes: new Map(),
    fields: new Map(),
    constants: new Map(),
  };
  for (const line of lines.slice(1)) {
    const p = line.split(/\s+/);
    if (p[0] === "record" && p.length === 3) {
      d.sizes.set(p[1]!, Number(p[2]));
      d.fields.set(p[1]!, new Map());
    } else if (p[0] === "field" && p.length === 6) {
      d.fields.get(p[1]!)?.set(p[2]!, [Number(p[3]), Number(p[4]), p[5]!]);
    } else if (p[0] === "const" && p.length === 3 && /^-?\d+$/.test(p[2]!)) {
      d.constants.set(p[1]!, BigInt(p[2]!));
    } else {
      return `unreadable line '${line.slice(0, 60)}'`;
    }
  }
  return d;
}

export function verifyAbi(describe: string, expected: AbiExpectation = bindingAbi()): string | null {
  const d = parse(describe);
  const head = typeof d === "string" ? describe.split("\n", 1)[0]!.split(/\s+/) : d.head;
  const versions = `(kernel ABI ${head[1]}.${head[2]}, binding ${expected.major}.${expected.minor})`;
  const fail = (what: string) => `ABI mismatch: ${what} ${versions}`;
  if (head[0] !== "DITA-ABI") return fail("kernel description does not start with DITA-ABI");
  if (typeof d === "string") return fail(`kernel description has an ${d}`);
  if (head[3] !== "little") return fail(`kernel is ${head[3]}-endian, binding expects little`);
  if (Number(head[1]) !== expected.major || Number(head[2]) !== expected.minor) return fail("version differs");
  return records(d, expected.records, fail) ?? constants(d.constants, expected.constants, fail);
}

function records(d: Described, want: AbiExpectation["records"], fail: (what: string) => string): string | null {
  for (const rec of d.sizes.keys()) if (!(rec in want)) return fail(`record ${rec} missing in binding`);
  for (const [rec, spec] of Object.entries(want)) {
    const size = d.sizes.get(rec);
    if (size !== spec.size) return fail(`${rec} size kernel=${size ?? "missing"} binding=${spec.size}`);
    const kernel = d.fields.get(rec)!;
    const names = new Set(spec.fields.map((f) => f[0]));
    for (const name of kernel.keys()) if (!names.has(name)) return fail(`${rec}.${name} missing in binding`);
    for (const [name, offset, width, kind] of spec.fields) {
      const k = kernel.get(name);
      if (!k) return fail(`${rec}.${name} missing in kernel`);
      if (k[0] !== offset) return fail(`${rec}.${name} offset kernel=${k[0]} binding=${offset}`);
      if (k[1] !== width) return fail(`${rec}.${name} width kernel=${k[1]} binding=${width}`);
      if (k[2] !== kind) return fail(`${rec}.${name} kind kernel=${k[2]} binding=${kind}`);
    }
  }
  return null;
}

function constants(
  kernel: ReadonlyMap<string, bigint>,
  want: ReadonlyMap<string, bigint>,
  fail: (what: string) => string,
): string | null {
  for (const name of kernel.keys()) if (!want.has(name)) return fail(`const ${name} missing in binding`);
  for (const [name, value] of want) {
    const k = kernel.get(name);
    if (k === undefined) return fail(`const ${name} missing in kernel`);
    if (k !== value) return fail(`const ${name} kernel=${k} binding=${value}`);
  }
  return null;
}

/** The enums as the kernel names them: `const <PREFIX>_<NAME> <value>`, values from 1 (FIELD from 0). */
const ENUMS: ReadonlyArray<readonly [prefix: string, names: readonly string[], first: number]> = [
  ["STAGE", STAGES, 1],
  ["SIDE", SIDES, 1],
  ["ORDER_SIDE", ORDER_SIDES, 1],
  ["ORDER_TYPE", ORDER_TYPES, 1],
  ["ORDER_ROLE", ORDER_ROLES, 1],
  ["ORDER_STATUS", ORDER_STATUSES, 1],
  ["EXIT_REASON", EXIT_REASONS, 1],
  ["INPUT_KIND", INPUT_KINDS, 1],
  ["EVENT_KIND", EVENT_KINDS, 1],
  ["REJECT_REASON", REJECT_REASONS, 1],
  ["STALE_REASON", STALE_REASONS, 1],
  ["CONFIG_KEY", CONFIG_KEYS, 1],
  ["TRADING_STATE", TRADING_STATES, 1],
  ["TRIGGER", TRIGGERS, 1],
  ["SEVERITY", SEVERITIES, 1],
  ["FIELD", FIELDS, 0],
  ["DIAG", DIAGNOSTIC_CODES, 1],
  ["INPUT_SOURCE", INPUT_SOURCES, 1],
];

/** Every constant the binding expects the kernel to describe, by name. */
export function bindingConstants(): Map<string, bigint> {
  const out = new Map<string, bigint>(Object.entries(KERNEL_LIMITS));
  for (const [prefix, names, first] of ENUMS) {
    for (const [i, n] of names.entries()) out.set(`${prefix}_${n}`, BigInt(first + i));
  }
  for (const kind of INPUT_KINDS) {
    out.set(`INPUT_KIND_SOURCE_${kind}`, BigInt(INPUT_SOURCES.indexOf(SOURCE_OF_KIND[kind]) + 1));
  }
  return out;
}
