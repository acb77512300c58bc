/**
 * Reads the kernel's outcome arena (header, accepted flags, transition and diagnostic arrays)
 * after a call, and builds the outcome of an input the encoder refused before the kernel saw it
 * (same record shape as a kernel diagnostic, so callers cannot tell the two apart).
 */

import { ABI, OFF } from "../contracts/abi.ts";
import type { DiagnosticRecord, KernelOutcome } from "../contracts/records.ts";
import type { KernelViews } from "./_memory.ts";
import { decodeDiagnostic, decodeTransition } from "./decoder.ts";
import type { EncodeRefusal } from "./encoder.ts";
import type { BatchSink } from "./types.ts";

export type { BatchSink };

const H = OFF.OutcomeHeader;

export function collectOutcome(v: KernelViews, indexBase: number): KernelOutcome & { accepted_flags: Uint8Array } {
  const inputs = v.header.getUint32(H.inputs, true);
  const nT = v.header.getUint32(H.transitions, true);
  const nD = v.header.getUint32(H.diagnostics, true);
  const transitions = new Array(nT);
  for (let i = 0; i < nT; i++)
    transitions[i] = decodeTransition(v.transitionsDv, i * ABI.TransitionRecord.size, indexBase);
  const diagnostics = new Array(nD);
  for (let i = 0; i < nD; i++) {
    diagnostics[i] = decodeDiagnostic(v.diagnosticsDv, v.diagnostics, i * ABI.DiagnosticRecord.size, indexBase);
  }
  return {
    // A faulted kernel processes nothing (inputs = 0): nothing was accepted.
    accepted: inputs > 0 && (inputs === 1 ? v.accepted[0] === 1 : v.header.getUint32(H.accepted, true) === inputs),
    slot: null,
    transitions,
    diagnostics,
    accepted_flags: v.accepted.subarray(0, inputs),
  };
}

/**
 * `slotCount`: the kernel's slots. The refusal names the input's slot only when it is one of them,
 * as the kernel's own diagnostics do (an id out of range is INVALID_SLOT_ID with no slot): a
 * refusal is projected as a row whose slot_id is an Int32 column, which `1e+21` would poison.
 */
export function refusalOutcome(r: EncodeRefusal, input: unknown, slotCount: number): KernelOutcome {
  const type = (input as { type?: unknown } | null)?.type;
  const now = (input as { now_ms?: unknown } | null)?.now_ms;
  const diagnostic: DiagnosticRecord = {
    code: r.code,
    severity: "ERROR",
    slot_id: slotIdOf(input, slotCount),
    message: r.message,
    details: {
      field: r.field,
      ...(typeof type === "string" ? { input_kind: type } : {}),
      ...(r.value !== undefined ? { value: r.value } : {}),
    },
    input_index: 0,
    now_ms: typeof now === "number" && Number.isSafeInteger(now) && now >= 0 ? now : 0,
  };
  return { accepted: false, slot: null, transitions: [], diagnostics: [diagnostic] };
}

/** The slot id an input names, when it is one of the kernel's slots (the outcome's slot otherwise). */
export function slotIdOf(input: unknown, slotCount: number): number | null {
  const id = (input as { slot_id?: unknown } | null)?.slot_id;
  return typeof id === "number" && Number.isInteger(id) && id >= 0 && id < slotCount ? id : null;
}
