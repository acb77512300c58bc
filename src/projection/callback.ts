/**
 * CallbackSink: a sink for tests. It takes every map write and record, applies map writes with the
 * same (epoch, version) rule as the real sinks into an in-memory map image, and can be switched down
 * (`down = true`) to exercise spooling. `onMaps` / `onRecords` observe what arrives.
 */
import {
  isStaleWrite,
  type MapWrite,
  type OutRecord,
  RECORD_KINDS,
  type RecordKind,
  type Row,
  type Sink,
  stampOf,
  type WriteResult,
} from "./types.ts";

export interface CallbackSinkOptions {
  name?: string;
  kinds?: readonly RecordKind[];
  takesMaps?: boolean;
  onMaps?: (writes: readonly MapWrite[]) => void;
  onRecords?: (records: readonly OutRecord[]) => void;
}

export class CallbackSink implements Sink {
  readonly name: string;
  readonly address = "callback";
  readonly takesMaps: boolean;
  readonly mirrorGated = false;
  /** map name -> key -> row (the image a real map would hold). */
  readonly image = new Map<string, Map<string, Row>>();
  readonly records: OutRecord[] = [];
  down = false;
  private readonly kinds: ReadonlySet<RecordKind>;

  constructor(private readonly opts: CallbackSinkOptions = {}) {
    this.name = opts.name ?? "callback";
    this.takesMaps = opts.takesMaps ?? true;
    this.kinds = new Set(opts.kinds ?? RECORD_KINDS);
  }

  takes(kind: RecordKind): boolean {
    return this.kinds.has(kind);
  }

  async connect(): Promise<void> {
    if (this.down) throw new Error(`${this.name} sink at callback is down`);
  }

  async writeMaps(writes: readonly MapWrite[]): Promise<{ applied: number; stale: number }> {
    if (this.down) throw new Error(`${this.name} sink is down`);
    let applied = 0;
    let stale = 0;
    for (const w of writes) {
      const m = this.image.get(w.map) ?? new Map<string, Row>();
      this.image.set(w.map, m);
      if (isStaleWrite(stampOf(m.get(w.key)), w)) {
        stale++;
        continue;
      }
      if (w.value === null) m.delete(w.key);
      else m.set(w.key, w.value);
      applied++;
    }
    this.opts.onMaps?.(writes);
    return { applied, stale };
  }

  async writeRecords(records: readonly OutRecord[]): Promise<WriteResult> {
    if (this.down) return { written: 0, error: new Error(`${this.name} sink is down`) };
    this.records.push(...records);
    this.opts.onRecords?.(records);
    return { written: records.length };
  }

  async close(): Promise<void> {}
}
