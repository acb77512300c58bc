/**
 * Server-Sent Events framing. Every event carries `id: <epoch>-<seq>`: the epoch names this
 * server process (a restarted serve has another), the sequence increases by one per event. The
 * data is one line of JSON (JSON.stringify escapes newlines), so a frame is always
 * `event:`, `id:`, `data:` and a blank line.
 *
 * Entry points: `frame`, `comment`, `text`, `concat`, `parseLastEventId`, `resumeAfter`.
 */

const encoder = new TextEncoder();

/** One frame; `mask` (when given) rewrites the data's JSON text before it is sent (src/events/_mask.ts). */
export function frame(
  name: string,
  id: string,
  data: unknown,
  mask: ((json: string) => string) | null = null,
): Uint8Array {
  const body = mask === null ? json(data) : mask(json(data));
  return encoder.encode(`event: ${name}\nid: ${id}\ndata: ${body}\n\n`);
}

/**
 * The event's JSON; never throws. Data JSON cannot hold (a BigInt, a cycle, in a diagnostic's free-form
 * `details`) costs only that event: a BigInt is sent as its decimal text, a cycle as "[circular]", and
 * anything still refused (a throwing toJSON) as `{"unserializable": why}`. Framing runs in the hub's
 * flush, so a throw there would stop the stream for every client at every later flush.
 */
function json(data: unknown): string {
  try {
    return JSON.stringify(data);
  } catch {
    const ancestors: unknown[] = [];
    try {
      return JSON.stringify(data, function (this: unknown, _key: string, value: unknown) {
        if (typeof value === "bigint") return value.toString();
        if (typeof value !== "object" || value === null) return value;
        while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
        if (ancestors.includes(value)) return "[circular]";
        ancestors.push(value);
        return value;
      });
    } catch (e) {
      return JSON.stringify({ unserializable: e instanceof Error ? e.message : String(e) });
    }
  }
}

export function comment(text: string): Uint8Array {
  return encoder.encode(`: ${text}\n\n`);
}

export function text(s: string): Uint8Array {
  return encoder.encode(s);
}

export type LastEventId = { kind: "none" } | { kind: "malformed" } | { kind: "id"; epoch: string; seq: number };

/** `Last-Event-ID` as sent by a resuming client: absent, malformed, or epoch and sequence. */
export function parseLastEventId(raw: string | null | undefined): LastEventId {
  if (raw === null || raw === undefined || raw.trim() === "") return { kind: "none" };
  const m = /^([a-z0-9]{1,24})-(\d{1,15})$/.exec(raw.trim());
  if (m === null) return { kind: "malformed" };
  return { kind: "id", epoch: m[1]!, seq: Number(m[2]) };
}

/**
 * The sequence a client resumes after, given the ring's held range `oldest..head`, or why it
 * must reload state instead (the reason its `reset` event carries).
 */
export function resumeAfter(lastEventId: string | null, epoch: string, head: number, oldest: number): number | string {
  const last = parseLastEventId(lastEventId);
  if (last.kind === "none") return "start";
  if (last.kind === "malformed") return "malformed Last-Event-ID";
  if (last.epoch !== epoch) return "another server process (restarted)";
  if (last.seq > head) return "unknown event id";
  if (last.seq < oldest - 1) return "older than the ring";
  return last.seq;
}

/** Frames joined into one chunk (one enqueue per client per flush). */
export function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
