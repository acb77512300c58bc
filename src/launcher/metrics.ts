/**
 * Runtime counters for `/metrics` (Prometheus text exposition) and `/status`: inputs by type,
 * accepted/refused, transitions by trigger, diagnostics by code, venue call latency and event-loop
 * lag (bounded histograms), HTTP requests. Slot stages, capital, projection backlog and the venue's rate
 * throttle are read at render time from their owners, never copied here.
 */

import { INPUT_KINDS } from "../contracts/enums.ts";
import type { InputRefusal } from "../contracts/intent_parse.ts";
import type { KernelInput } from "../contracts/intents.ts";
import { type KernelOutcome, STAGES, type Stage } from "../contracts/records.ts";
import type { VenueRateStats } from "../contracts/venue.ts";

/** Where a strategy input entered: the HTTP API, the CLI (through HTTP) or the Zinc intents ring. */
export type IntakeEdge = "http" | "ring";

const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const LAG_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 250, 1000];
const LAG_RECENT = 1200;

export class Metrics {
  readonly inputs = new Map<string, number>();
  inputsAccepted = 0;
  inputsRefused = 0;
  readonly transitions = new Map<string, number>();
  readonly diagnostics = new Map<string, number>();
  readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>();
  /** Event-loop lag samples (the serve loops' probe), cumulative per bucket as Prometheus counts them. */
  readonly loopLag = { buckets: new Array<number>(LAG_BUCKETS_MS.length).fill(0), sum: 0, count: 0, max: 0 };
  /** The last LAG_RECENT samples (one minute at the probe's 50 ms), for `/status`. */
  private readonly lagRecent = new Float64Array(LAG_RECENT);

  /** Inputs refused at an edge before the kernel, by edge, code and input kind. */
  readonly edgeRefused = new Map<string, number>();
  edgeRefusals = 0;
  /** `now_ms` of the last kernel input other than the once-a-second TICK (the fleet entry shows it). */
  lastInputMs: number | null = null;

  recordOutcome(input: KernelInput, outcome: KernelOutcome): void {
    bump(this.inputs, input.type);
    if (input.type !== "TICK") this.lastInputMs = input.now_ms;
    if (outcome.accepted) this.inputsAccepted++;
    else this.inputsRefused++;
    for (const t of outcome.transitions) bump(this.transitions, t.trigger);
    for (const d of outcome.diagnostics) bump(this.diagnostics, d.code);
  }

  /**
   * Raw records from the Zinc ring: counted one input each (type "RING_RECORD", their kinds are
   * in the records), accepted or refused by the kernel's per-input flags.
   */
  recordRecords(acceptedFlags: Uint8Array, nowMs: number): void {
    this.lastInputMs = nowMs;
    let accepted = 0;
    for (let i = 0; i < acceptedFlags.length; i++) accepted += acceptedFlags[i]!;
    this.inputs.set("RING_RECORD", (this.inputs.get("RING_RECORD") ?? 0) + acceptedFlags.length);
    this.inputsAccepted += accepted;
    this.inputsRefused += acceptedFlags.length - accepted;
  }

  /** Transitions and diagnostics of a ring batch (its inputs are counted by recordRecords). */
  recordBatchEffects(outcome: KernelOutcome): void {
    for (const t of outcome.transitions) bump(this.transitions, t.trigger);
    for (const d of outcome.diagnostics) bump(this.diagnostics, d.code);
  }

  recordEdgeRefusal(edge: IntakeEdge, r: InputRefusal): void {
    this.edgeRefusals++;
    // Only known kind names become labels: a client's made-up `type` must not grow the series.
    const kind = (INPUT_KINDS as readonly (string | null)[]).includes(r.input_kind) ? r.input_kind : "UNKNOWN";
    bump(this.edgeRefused, `edge="${edge}",code="${r.code}",kind="${kind}"`);
    bump(this.diagnostics, r.code);
  }

  /** A diagnostic the launcher issued itself (ORPHAN_POSITION, ...). */
  recordDiagnostic(code: string): void {
    bump(this.diagnostics, code);
  }

  recordLatency(op: string, ms: number): void {
    let h = this.latency.get(op);
    if (!h) {
      h = { buckets: new Array(LATENCY_BUCKETS_MS.length).fill(0), sum: 0, count: 0 };
      this.latency.set(op, h);
    }
    for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (ms <= LATENCY_BUCKETS_MS[i]!) h.buckets[i]!++;
    h.sum += ms;
    h.count++;
  }

  recordLoopLag(ms: number): void {
    const h = this.loopLag;
    for (let i = 0; i < LAG_BUCKETS_MS.length; i++) if (ms <= LAG_BUCKETS_MS[i]!) h.buckets[i]!++;
    h.sum += ms;
    h.count++;
    h.max = Math.max(h.max, ms);
    this.lagRecent[(h.count - 1) % LAG_RECENT] = ms;
  }

  /** p50, p99 and max of the event-loop lag over the last minute of samples (ms). */
  loopLagRecent(): { samples: number; p50_ms: number; p99_ms: number; max_ms: number } {
    const n = Math.min(this.loopLag.count, LAG_RECENT);
    const xs = this.lagRecent.slice(0, n).sort();
    const at = (q: number) => (n === 0 ? 0 : Math.round(xs[Math.min(n - 1, Math.floor(q * n))]! * 100) / 100);
    return { samples: n, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) };
  }

  /** Prometheus text for the counters held here; `extra` lines are appended (gauges read live). */
  render(extra: string[]): string {
    const out: string[] = [];
    family(out, "dita_v2_inputs_total", "counter", "Inputs handed to the kernel, by type", this.inputs, "type");
    out.push(
      "# HELP dita_v2_inputs_accepted_total Inputs the kernel accepted",
      "# TYPE dita_v2_inputs_accepted_total counter",
    );
    out.push(`dita_v2_inputs_accepted_total ${this.inputsAccepted}`);
    out.push(
      "# HELP dita_v2_inputs_refused_total Inputs refused with a diagnostic",
      "# TYPE dita_v2_inputs_refused_total counter",
    );
    out.push(`dita_v2_inputs_refused_total ${this.inputsRefused}`);
    family(out, "dita_v2_transitions_total", "counter", "Kernel transitions, by trigger", this.transitions, "trigger");
    family(out, "dita_v2_diagnostics_total", "counter", "Kernel diagnostics, by code", this.diagnostics, "code");
    out.push(
      "# HELP dita_v2_input_refused_at_edge_total Inputs refused before the kernel (wrong source or shape, the venue's size rules, a rate-limit hold)",
      "# TYPE dita_v2_input_refused_at_edge_total counter",
    );
    for (const [labels, v] of this.edgeRefused) out.push(`dita_v2_input_refused_at_edge_total{${labels}} ${v}`);
    out.push(
      "# HELP dita_v2_venue_latency_ms Venue call latency in milliseconds",
      "# TYPE dita_v2_venue_latency_ms histogram",
    );
    for (const [op, h] of this.latency) {
      for (const [i, le] of LATENCY_BUCKETS_MS.entries()) {
        out.push(`dita_v2_venue_latency_ms_bucket{op="${op}",le="${le}"} ${h.buckets[i]}`);
      }
      out.push(`dita_v2_venue_latency_ms_bucket{op="${op}",le="+Inf"} ${h.count}`);
      out.push(
        `dita_v2_venue_latency_ms_sum{op="${op}"} ${h.sum}`,
        `dita_v2_venue_latency_ms_count{op="${op}"} ${h.count}`,
      );
    }
    const lag = this.loopLag;
    out.push(
      "# HELP dita_v2_event_loop_lag_ms How late a 50 ms timer fired, in milliseconds",
      "# TYPE dita_v2_event_loop_lag_ms histogram",
      ...LAG_BUCKETS_MS.map((le, i) => `dita_v2_event_loop_lag_ms_bucket{le="${le}"} ${lag.buckets[i]}`),
      `dita_v2_event_loop_lag_ms_bucket{le="+Inf"} ${lag.count}`,
      `dita_v2_event_loop_lag_ms_sum ${lag.sum}`,
      `dita_v2_event_loop_lag_ms_count ${lag.count}`,
    );
    return `${[...out, ...extra].join("\n")}\n`;
  }
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function family(out: string[], name: string, type: string, help: string, m: Map<string, number>, label: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [k, v] of m) out.push(`${name}{${label}="${k}"} ${v}`);
}

/** A gauge family rendered from live values. */
export function gauge(name: string, help: string, samples: Array<[labels: string, value: number]>): string[] {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...samples.map(([l, v]) => `${name}${l ? `{${l}}` : ""} ${v}`),
  ];
}

/** `dita_v2_slots{stage}` for every stage, 0 included: an alert on `== 0` needs the series to exist. */
export function slotStageLines(slots: ReadonlyArray<{ stage: Stage }>): string[] {
  const count = new Map<Stage, number>(STAGES.map((s) => [s, 0]));
  for (const s of slots) count.set(s.stage, (count.get(s.stage) ?? 0) + 1);
  return gauge(
    "dita_v2_slots",
    "Slots by stage",
    [...count].map(([stage, n]) => [`stage="${stage}"`, n]),
  );
}

/** The venue throttle's counters and wait percentiles (nothing for a venue without a throttle). */
export function rateLines(s: VenueRateStats | undefined): string[] {
  if (s === undefined) return [];
  const counter = (name: string, help: string, v: number) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} counter`,
    `${name} ${v}`,
  ];
  return [
    ...counter("dita_v2_venue_throttle_requests_total", "Venue requests sent through the rate throttle", s.requests),
    ...counter("dita_v2_venue_throttle_waits_total", "Venue requests that waited for a rate token", s.waited),
    ...counter(
      "dita_v2_venue_throttle_wait_ms_total",
      "Milliseconds venue requests waited for tokens",
      s.wait_ms_total,
    ),
    ...counter("dita_v2_venue_throttle_refused_total", "Venue requests refused before sending (queue full)", s.refused),
    ...counter("dita_v2_venue_rate_limited_total", "429 / 100410 answers from the venue", s.rate_limited),
    ...counter("dita_v2_venue_rate_exhausted_total", "Venue answers saying no request remained", s.exhausted),
    ...gauge("dita_v2_venue_throttle_wait_ms", "Wait for a rate token, last 4096 requests", [
      ['quantile="0.5"', s.wait_ms_p50],
      ['quantile="0.99"', s.wait_ms_p99],
    ]),
    ...gauge("dita_v2_venue_throttle_queued", "Venue requests waiting for a rate token", [["", s.queued]]),
  ];
}
