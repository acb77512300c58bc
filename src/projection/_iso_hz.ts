/**
 * Isolation probe for Hazelcast: reads every entry of a namespace's maps and the retained messages of
 * its trade-event topic (the topic's ringbuffer `_hz_rb_<topic>`), and counts values whose
 * `strategy` is not that namespace. Also returns the trade ids seen, for the cross-namespace check.
 */
import { type HazelcastConfig, type HzClient, newHzClient } from "./hz_client.ts";
import { namespaceNames } from "./names.ts";

export interface IsolationRow {
  namespace: string;
  surface: string;
  kind: "map" | "topic" | "table" | "trade_id";
  entries: number;
  foreign: number;
  ok: boolean;
  detail: string;
}

const TOPIC_READ_MAX = 1000;

export async function probeHazelcast(
  cfg: HazelcastConfig,
  namespaces: readonly string[],
): Promise<{ rows: IsolationRow[]; tradeIds: Map<string, Set<string>> }> {
  const c = await newHzClient(cfg, false);
  const rows: IsolationRow[] = [];
  const tradeIds = new Map<string, Set<string>>();
  try {
    for (const ns of namespaces) {
      const ids = new Set<string>();
      tradeIds.set(ns, ids);
      const n = namespaceNames(ns);
      for (const map of [n.state, n.pnl, n.active, n.control]) {
        const entries = (await (await c.getMap<string, Record<string, unknown>>(map)).entrySet()) as [
          string,
          Record<string, unknown>,
        ][];
        const bad = entries.filter(([, v]) => v?.strategy !== ns);
        for (const [, v] of entries)
          if (typeof v?.trade_id === "string" && v.trade_id !== "" && v.strategy === ns) ids.add(v.trade_id);
        rows.push(
          row(
            ns,
            map,
            "map",
            entries.length,
            bad.map(([k, v]) => `${k}:strategy=${String(v?.strategy)}`),
          ),
        );
      }
      const msgs = await readTopic(c, n.topic);
      const bad = msgs.filter((m) => m?.strategy !== ns);
      rows.push(
        row(
          ns,
          n.topic,
          "topic",
          msgs.length,
          bad.map((m) => `${String(m?.row_id)}:strategy=${String(m?.strategy)}`),
        ),
      );
    }
  } finally {
    await c.shutdown().catch(() => {});
  }
  return { rows, tradeIds };
}

/** The retained messages of a reliable topic (at most the newest TOPIC_READ_MAX), as plain objects. */
export async function readTopic(c: HzClient, topic: string): Promise<Record<string, unknown>[]> {
  const rb = await c.getRingbuffer<{ payload: unknown }>(`_hz_rb_${topic}`);
  const tail = (await rb.tailSequence()).toNumber();
  const head = (await rb.headSequence()).toNumber();
  if (tail < head) return [];
  const from = Math.max(head, tail - TOPIC_READ_MAX + 1);
  const rs = await rb.readMany(from, 0, TOPIC_READ_MAX);
  const ser = (c as unknown as { serializationService?: { toObject(d: unknown): unknown } }).serializationService;
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < rs.size(); i++) {
    const item = rs.get(i) as { payload?: unknown } | undefined;
    const v = ser && item?.payload !== undefined ? ser.toObject(item.payload) : item;
    out.push(typeof v === "string" ? (JSON.parse(v) as Record<string, unknown>) : (v as Record<string, unknown>));
  }
  return out;
}

export function row(
  namespace: string,
  surface: string,
  kind: IsolationRow["kind"],
  entries: number,
  foreign: string[],
): IsolationRow {
  return {
    namespace,
    surface,
    kind,
    entries,
    foreign: foreign.length,
    ok: foreign.length === 0,
    detail: foreign.slice(0, 3).join(", "),
  };
}
