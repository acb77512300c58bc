/**
 * The outcome of one mailbox command, and its 256-byte record in the control region's result
 * block: the operator who posted request N reads back whether it was applied, rejected (with
 * the key), or malformed, and the snapshot version after it. A command that takes time (flatten)
 * is answered twice under its request id: STARTED at once, then APPLIED (done), INCOMPLETE
 * (what is left is in the message) or REJECTED naming the error when the flatten itself failed.
 */

export const COMMAND_STATUSES = ["APPLIED", "REJECTED", "MALFORMED", "STARTED", "INCOMPLETE"] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export interface CommandResult {
  requestId: number;
  status: CommandStatus;
  /** The key that was refused (empty when applied). */
  key: string;
  message: string;
  /** Snapshot version after the command (unchanged when refused). */
  version: number;
}

const KEY_BYTES = 48;
const MESSAGE_BYTES = 192;

function putText(out: Uint8Array, off: number, width: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let n = Math.min(bytes.byteLength, width);
  while (n > 0 && n < bytes.byteLength && ((bytes[n] ?? 0) & 0xc0) === 0x80) n -= 1; // keep UTF-8 whole
  out.set(bytes.subarray(0, n), off);
}

function getText(bytes: Uint8Array, off: number, width: number): string {
  const field = bytes.subarray(off, off + width);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

export function encodeResult(r: CommandResult): Uint8Array {
  const out = new Uint8Array(256);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, r.requestId >>> 0, true);
  dv.setUint8(4, COMMAND_STATUSES.indexOf(r.status) + 1);
  dv.setBigUint64(8, BigInt(r.version), true);
  putText(out, 16, KEY_BYTES, r.key);
  putText(out, 64, MESSAGE_BYTES, r.message);
  return out;
}

/** Null when no command has been answered yet (status 0) or the status is out of range. */
export function decodeResult(bytes: Uint8Array): CommandResult | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const status = COMMAND_STATUSES[dv.getUint8(4) - 1];
  if (status === undefined) return null;
  return {
    requestId: dv.getUint32(0, true),
    status,
    key: getText(bytes, 16, KEY_BYTES),
    message: getText(bytes, 64, MESSAGE_BYTES),
    version: Number(dv.getBigUint64(8, true)),
  };
}
