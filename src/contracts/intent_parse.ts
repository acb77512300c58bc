/**
 * The edges' parsers: untrusted JSON in, a typed input (or one refusal) out, once per edge.
 *
 * - `parseStrategyIntent(body)`: HTTP bodies and CLI arguments. Only STRATEGY kinds pass; a
 *   VENUE or SYSTEM kind is `INPUT_SOURCE_REFUSED` (it never reaches the kernel); a wrong shape
 *   is `INVALID_INTENT` naming the field. `now_ms` is refused: the launcher stamps the time.
 * - `parseJournalInput(input)`: a journal line's `input`, any kind, stamped.
 *
 * Shapes only: values are the kernel's to judge (it answers with a diagnostic naming the field).
 * Entry points: `parseStrategyIntent`, `parseJournalInput`, `refusedOutcome`, `InputRefusal`.
 */

import type { TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler, type ValueError } from "@sinclair/typebox/compiler";
import { KERNEL_LIMITS } from "./abi.ts";
import { INPUT_KINDS, type InputKind, SOURCE_OF_KIND } from "./enums.ts";
import {
  STAMPED_STRATEGY_SCHEMAS,
  STRATEGY_INTENT_SCHEMAS,
  SYSTEM_INPUT_SCHEMAS,
  VENUE_INPUT_SCHEMA,
} from "./intent_schemas.ts";
import type { KernelInput, StrategyIntent } from "./intents.ts";
import type { DiagnosticRecord, KernelOutcome } from "./records.ts";

/** Why an edge refused an input before the kernel saw it. */
export interface InputRefusal {
  /** RATE_LIMITED: the venue adapter would not send the order now (retryable, see `retry_after_ms`). */
  code: "INPUT_SOURCE_REFUSED" | "INVALID_INTENT" | "INVALID_SLOT_ID" | "RATE_LIMITED";
  /** The FIELDS name the refusal is about (KIND for the type itself, NONE for an unknown property). */
  field: string;
  message: string;
  input_kind: string | null;
  slot_id: number | null;
  /** RATE_LIMITED: the adapter's estimate (ms) of when the order would be sent. */
  retry_after_ms?: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; refusal: InputRefusal };

const STRATEGY_KINDS = INPUT_KINDS.filter((k) => SOURCE_OF_KIND[k] === "STRATEGY");
const compile = <T extends Record<string, TSchema>>(m: T) =>
  Object.fromEntries(Object.entries(m).map(([k, s]) => [k, TypeCompiler.Compile(s)])) as Record<
    string,
    TypeCheck<TSchema>
  >;
const strategyChecks = compile(STRATEGY_INTENT_SCHEMAS);
const journalChecks = compile({
  ...STAMPED_STRATEGY_SCHEMAS,
  ...SYSTEM_INPUT_SCHEMAS,
  VENUE_EVENT: VENUE_INPUT_SCHEMA,
});

/** Parses an HTTP body or CLI intent into a strategy intent (unstamped). */
export function parseStrategyIntent(body: unknown): Parsed<StrategyIntent> {
  const head = header(body);
  if (!head.ok) return head;
  const kind = head.value;
  if (SOURCE_OF_KIND[kind] !== "STRATEGY") {
    const message =
      `${kind} is a ${SOURCE_OF_KIND[kind]} input: only the ${SOURCE_OF_KIND[kind] === "VENUE" ? "venue adapter" : "launcher"} ` +
      `sends it; HTTP, the CLI and the intents ring accept ${STRATEGY_KINDS.join(", ")}`;
    return refuse("INPUT_SOURCE_REFUSED", "KIND", message, body);
  }
  return check(strategyChecks[kind]!, body, kind) as Parsed<StrategyIntent>;
}

/** Parses a journal line's input (any kind, with `now_ms`). */
export function parseJournalInput(input: unknown): Parsed<KernelInput> {
  const head = header(input);
  if (!head.ok) return head;
  return check(journalChecks[head.value]!, input, head.value) as Parsed<KernelInput>;
}

/** A raw ring record whose kind is not a STRATEGY kind (or no kind at all). */
export function ringSourceRefusal(kind: number, slotId: number | null): InputRefusal {
  const name = INPUT_KINDS[kind - 1];
  const what = name === undefined ? `kind ${kind} is not an input kind` : `${name} is a ${SOURCE_OF_KIND[name]} input`;
  return {
    code: "INPUT_SOURCE_REFUSED",
    field: "KIND",
    message: `ring record refused: ${what}; the intents ring accepts ${STRATEGY_KINDS.join(", ")}`,
    input_kind: name ?? null,
    slot_id: refusalSlot(slotId),
  };
}

const SLOT_COUNT_MAX = Number(KERNEL_LIMITS.SLOT_COUNT_MAX);

/**
 * The slot a refusal names: an index a kernel can have (0..SLOT_COUNT_MAX-1), else null, as the
 * kernel names no slot for an id out of range. A refusal is projected as a row whose slot_id is
 * an Int32 column: an id like 1e21 (an integer to the schema, `1e+21` in JSON) cannot be stored
 * and would hold every row after it in the outbox.
 */
export function refusalSlot(slot: unknown): number | null {
  return typeof slot === "number" && Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT_MAX ? slot : null;
}

function header(input: unknown): Parsed<InputKind> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return refuse("INVALID_INTENT", "KIND", "an input must be a JSON object with a 'type'", input);
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== "string" || !(INPUT_KINDS as readonly string[]).includes(type)) {
    const got = type === undefined ? "no 'type'" : `type ${show(type)}`;
    return refuse(
      "INVALID_INTENT",
      "KIND",
      `unknown input: ${got}; strategies send ${STRATEGY_KINDS.join(", ")}`,
      input,
    );
  }
  return { ok: true, value: type as InputKind };
}

function check(c: TypeCheck<TSchema>, input: unknown, kind: InputKind): Parsed<unknown> {
  if (c.Check(input)) return { ok: true, value: input };
  const first = c.Errors(input).First()!;
  const name = first.path.split("/").filter(Boolean).join(".") || "input";
  const top = first.path.split("/")[1] ?? "";
  const field = Object.hasOwn(FIELD_OF, top) ? FIELD_OF[top]! : "NONE"; // own keys only: never "__proto__"
  return refuse(field === "SLOT_ID" ? "INVALID_SLOT_ID" : "INVALID_INTENT", field, describe(first, name, kind), input);
}

/** One sentence for the first schema error: what the field must be, and what it was. */
function describe(e: ValueError, name: string, kind: InputKind): string {
  if (e.message === "Unexpected property") {
    return name === "now_ms"
      ? "now_ms is stamped by the launcher: a strategy does not send it"
      : `${kind} has no field '${name}'`;
  }
  if (e.value === undefined) return `${kind} needs '${name}' (${expected(e.schema)})`;
  // JSON.parse reads 1e999 as Infinity: a number, yet refused; say what it is not.
  if (typeof e.value === "number" && !Number.isFinite(e.value)) return `${name} must be finite, got ${show(e.value)}`;
  return `${name} must be ${expected(e.schema)}, got ${show(e.value)}`;
}

function expected(s: TSchema): string {
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf))
    return `one of ${(s.anyOf as TSchema[]).map((x) => ("const" in x ? x.const : x.type)).join("|")}`;
  if (s.type === "integer") return s.minimum === 0 ? "a non-negative integer" : "an integer";
  if (s.type === "object") return "an object";
  return `a ${s.type}`;
}

const FIELD_OF: Readonly<Record<string, string>> = {
  type: "KIND",
  slot_id: "SLOT_ID",
  now_ms: "NOW_MS",
  size: "SIZE",
  price: "PRICE",
  leverage: "LEVERAGE",
  side: "SIDE",
  reason: "EXIT_REASON",
  asset: "ASSET",
  trade_id: "TRADE_ID",
  capital: "AMOUNT",
  key: "CONFIG_KEY",
  value: "VALUE",
};

function refuse(code: InputRefusal["code"], field: string, message: string, input: unknown): Parsed<never> {
  const o = (typeof input === "object" && input !== null ? input : {}) as { type?: unknown; slot_id?: unknown };
  return {
    ok: false,
    refusal: {
      code,
      field,
      message,
      input_kind: typeof o.type === "string" ? o.type.slice(0, 32) : null,
      slot_id: refusalSlot(o.slot_id),
    },
  };
}

/**
 * A value for a message: numbers as they are, anything else as (at most 40 characters of) JSON.
 * Never throws: a refusal of a value JSON cannot write (a BigInt, a cyclic object, a throwing
 * `toJSON`) must still be a refusal, not an exception out of the edge.
 */
export function show(x: unknown): string {
  if (typeof x === "number") return String(x);
  if (typeof x === "bigint") return `${x}n`;
  let s: string;
  try {
    s = JSON.stringify(x) ?? String(x);
  } catch {
    s = `(a ${typeof x} JSON cannot write)`;
  }
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/**
 * The outcome of an input an edge refused: nothing applied, one diagnostic (ERROR; RATE_LIMITED is
 * a WARNING, retryable, with its hint, as the kernel reports a venue's rate-limit refusal).
 */
export function refusedOutcome(r: InputRefusal, nowMs: number): KernelOutcome {
  const limited = r.code === "RATE_LIMITED";
  const diagnostic: DiagnosticRecord = {
    code: r.code,
    severity: limited ? "WARNING" : "ERROR",
    slot_id: refusalSlot(r.slot_id), // refusals built elsewhere (the venue's size rules) pass here too
    message: r.message,
    details: {
      field: r.field,
      ...(r.input_kind !== null ? { input_kind: r.input_kind } : {}),
      ...(limited ? { retryable: true } : {}),
      ...(r.retry_after_ms !== undefined ? { retry_after_ms: r.retry_after_ms } : {}),
    },
    input_index: 0,
    now_ms: nowMs,
  };
  return { accepted: false, slot: null, transitions: [], diagnostics: [diagnostic] };
}
