/**
 * Builds the runtime bundle from a validated configuration: control plane, Zinc plane, venue,
 * projection, kernel and journal (docs/architecture.md §2 topologies). Order matters: the Zinc state region
 * is opened and its surviving slot images are read *before* the kernel is attached to it as its
 * write-through mirror, so a restart never overwrites its own last belief.
 *
 * The bundle draws the kernel lifetime's id (`run`, run_id.ts) once: the journal's segment headers
 * record it and the projection puts it in every table row id. With a journal, the last state is
 * recovered from `<state dir>/journal/` before the kernel is built and installed into it; this run's
 * first segment then starts from a snapshot of it (`journal_start.ts`), whose slots seed the projection's lifecycle
 * memo (`onRestored`) before recovery applies anything. `inputs.entries` is the journal seq of the last
 * input handed to the kernel (counted without a file when there is no journal, `once`), which the
 * runtime hands the projection with each outcome.
 *
 * Entry point: `buildBundle(config, clock, env, options)`.
 */

import { chmodSync, mkdirSync, statSync } from "node:fs";
import type { Clock } from "../contracts/clock.ts";
import type { ControlSnapshot } from "../contracts/control.ts";
import type { KernelInput } from "../contracts/intents.ts";
import type { VenueAdapter } from "../contracts/venue.ts";
import { InMemoryControlPlane, type OperatorControlPlane, RealZincControlPlane } from "../control/index.ts";
import { ExecutionKernel, type InputJournal, nativeLibraryPath, SegmentJournal } from "../kernel/index.ts";
import { createProjection, type Projection, type ProjectionDiagnostic, type Sink } from "../projection/index.ts";
import { BingxVenueAdapter, bingxConfigFromEnv, MockVenueAdapter } from "../venue/index.ts";
import { InMemoryZincPlane, RealZincPlane, SLOT_IMAGE_BYTES, ZincError, type ZincPlane } from "../zinc/index.ts";
import { ConfigError, hazelcastOf, type RuntimeConfig } from "./config.ts";
import { adoptJournal, haltForLostJournal, type JournalBelief, recoverJournal } from "./journal_start.ts";
import { newRunId } from "./run_id.ts";

export const RING_CAPACITY = 4096;
/**
 * DITA_V2_RING_WAIT=SPIN: the kernel loop busy-waits on the ring in libzinc, 20 µs per event-loop
 * turn (the loop's other work runs between slices), for this many turns per wait (≥ 2 s, or the
 * wait's timeout, whichever is shorter), and waits again: a core stays busy, and an intent is seen within a slice
 * instead of after a wake-up.
 */
const SPIN_TURNS = 100_000;

export interface Bundle {
  config: RuntimeConfig;
  clock: Clock;
  kernel: ExecutionKernel;
  control: OperatorControlPlane;
  zinc: ZincPlane;
  venue: VenueAdapter;
  projection: Projection;
  journal: SegmentJournal | null;
  /** The state recovered from the journal at start (null: none; the belief then comes from the region or Hazelcast). */
  journalBelief: JournalBelief | null;
  /** This kernel lifetime's id (journal header, projected row ids). */
  run: string;
  /** Inputs handed to the kernel so far: the journal seq of the last one. */
  inputs: { readonly entries: number };
  /** Slot images found in the state region at start (all zero: region gone; `belief.ts` decides). */
  survivingImages: Uint8Array[];
}

export interface BundleOptions {
  journal: boolean;
  /** The run id and projection epoch, when the caller drew them first (serve: the account lease names them). */
  run?: string;
  epochMs?: number;
  /** A journal directory of its own instead of `<state dir>/journal` (the smoke: a fresh one per run). */
  journalDir?: string;
  /** Where the journal's recovery lines go (none by default). */
  log?: (line: string) => void;
  projectionSinks?: Sink[];
  onProjectionDiagnostic?: (d: ProjectionDiagnostic) => void;
}

export function initialControl(config: RuntimeConfig, nowMs: number): ControlSnapshot {
  return {
    version: 1,
    mode: config.mode,
    verbosity: config.verbosity,
    backend: config.venue,
    debug_clickhouse_enabled: config.mode === "DEBUG",
    trace_transitions: config.verbosity === "TRACE",
    mirror_to_hazelcast: config.hazelcast === "REAL",
    reconcile_on_restart: config.reconcile_on_restart,
    active_slot_limit: config.active_slot_limit,
    trading_state: config.trading_state,
    ...config.limits,
    updated_at_ms: nowMs,
  };
}

/**
 * The venue. The mock draws its order ids from its seed; a later lifetime on the same state dir
 * (`lifetime` = its first journal segment's index) offsets the seed, so order and event ids never
 * repeat across restarts, as a real venue's never do (the journal carries the kernel's seen-event
 * memory across a restart: a repeated id would read as a duplicate).
 */
function venueFor(
  config: RuntimeConfig,
  clock: Clock,
  env: Record<string, string | undefined>,
  lifetime: number,
): VenueAdapter {
  if (config.venue === "MOCK") {
    return new MockVenueAdapter({
      seed: (config.mock_seed + (lifetime - 1) * 7919) % 2 ** 31,
      clock,
      prices: config.mock_prices,
      balance: config.mock_balance,
    });
  }
  const parsed = bingxConfigFromEnv(env, clock);
  if (!parsed.ok) throw ConfigError.sentence(parsed.error.split(" ")[0] ?? "BINGX", parsed.error);
  return new BingxVenueAdapter(parsed.config);
}

/**
 * The slot images a dead kernel left in the state region (the last belief when no journal holds one). An
 * image its writer died writing (TORN) or that is no slot image is not adopted, one line each: the journal's
 * belief is used, else that slot starts IDLE (a position it held at the venue is then an ORPHAN_POSITION).
 */
function readSurvivors(zinc: ZincPlane, log: (line: string) => void): Uint8Array[] {
  return Array.from({ length: zinc.slotCount }, (_, i) => {
    try {
      return zinc.readSlot(i);
    } catch (e) {
      if (!(e instanceof ZincError) || (e.code !== "TORN" && e.code !== "INVALID_IMAGE")) throw e;
      log(`zinc: ${e.message}: not adopted as slot ${i}'s belief (the journal's is; without one the slot starts IDLE)`);
      return new Uint8Array(SLOT_IMAGE_BYTES);
    }
  });
}

/**
 * Creates the state directory 0700 (and missing parents) if missing; returns it. An existing one with
 * group or other bits is set to 0700, one `log` line saying so (the next start finds it 0700); a
 * shared directory (the sticky bit, as /tmp) or one this user cannot chmod is left as it is and
 * reported. A ConfigError says why it cannot be.
 */
export function makeStateDir(dir: string, log: (line: string) => void = () => {}): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // EEXIST from a recursive mkdir: the path is there and is no directory.
    if (code === "EEXIST") throw new ConfigError("DITA_V2_STATE_DIR", `'${dir}' is a file, not a directory`);
    throw new ConfigError("DITA_V2_STATE_DIR", `cannot create '${dir}': ${code ?? (e as Error).message}`);
  }
  tightenStateDir(dir, log);
  return dir;
}

/** The journal and spool under the state dir are the desk's trading history: no other local user reads them. */
function tightenStateDir(dir: string, log: (line: string) => void): void {
  const mode = statSync(dir).mode & 0o7777;
  if ((mode & 0o077) === 0) return;
  const shown = `0${mode.toString(8)}`;
  if ((mode & 0o1000) !== 0) {
    log(
      `state dir ${dir} is a shared directory (mode ${shown}): left as it is; give DITAv2 a directory of its own (its journal/ and spool/ are 0700 all the same)`,
    );
    return;
  }
  try {
    chmodSync(dir, 0o700);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    log(
      `state dir ${dir} is ${shown} and cannot be set to 0700 (${code}): its journal/ and spool/ are 0700 all the same`,
    );
    return;
  }
  log(`state dir ${dir} was ${shown} (other local users could read it): set to 0700`);
}

export async function buildBundle(
  config: RuntimeConfig,
  clock: Clock,
  env: Record<string, string | undefined>,
  options: BundleOptions,
): Promise<Bundle> {
  makeStateDir(config.state_dir);
  const libPath = config.zinc === "REAL" || config.control_plane === "REAL_ZINC" ? nativeLibraryPath("zinc") : "";
  const initial = initialControl(config, clock.nowMs());
  const control: OperatorControlPlane =
    config.control_plane === "REAL_ZINC"
      ? RealZincControlPlane.open({ libPath, prefix: config.zinc_prefix, slotCount: config.slots, initial })
      : new InMemoryControlPlane(initial, config.slots);
  const closers: Array<() => void> = [() => control.close()];
  try {
    const zinc: ZincPlane =
      config.zinc === "REAL"
        ? RealZincPlane.open({
            libPath,
            prefix: config.zinc_prefix,
            slotCount: config.slots,
            ringCapacity: RING_CAPACITY,
            namespace: config.strategy,
            ...(config.ring_wait === "SPIN" ? { waitSpinTurns: SPIN_TURNS } : {}),
          })
        : InMemoryZincPlane.open({ slotCount: config.slots, ringCapacity: RING_CAPACITY });
    closers.push(() => zinc.close());
    const log = options.log ?? (() => {});
    const survivingImages = readSurvivors(zinc, log);
    if (zinc instanceof RealZincPlane) log(`zinc intents doorbell: ${zinc.doorbell}`);
    const start = options.journal ? recoverJournal(config, log, options.journalDir) : null;
    if (start?.aside) haltForLostJournal(control, clock, `moved aside to ${start.aside}`, log);
    closers.push(() => start?.recovered?.kernel.destroy());
    const venue = venueFor(config, clock, env, start?.nextIndex ?? 1);
    const run = options.run ?? newRunId();
    const projection = await createProjection({
      strategy: config.strategy,
      run,
      stateDir: config.state_dir,
      clock,
      hazelcast: config.hazelcast === "REAL" ? hazelcastOf(config) : null,
      clickhouse:
        config.clickhouse === "REAL" ? { url: config.clickhouse_url, database: config.clickhouse_database } : null,
      required: config.projection_required,
      onDiagnostic: options.onProjectionDiagnostic ?? (() => {}),
      sinks: options.projectionSinks,
      // The mark names the state dir journal's progress: a run journaling elsewhere (the smoke) leaves it alone.
      markProgress: options.journal && options.journalDir === undefined,
      epochMs: options.epochMs,
      tuning: { localSegmentBytes: config.local_spool_segment_mb * 2 ** 20, localKeep: config.local_spool_keep },
    });
    closers.push(() => void projection.close());
    const journal = start === null ? null : new SegmentJournal(journalOptions(config, start.dir, run, log));
    const inputs = journal ?? new InputCount();
    const kernel = ExecutionKernel.open({
      slotCount: config.slots,
      activeSlotLimit: config.active_slot_limit,
      hungOrderMs: config.hung_order_ms,
      mirror: zinc,
      journal: inputs,
    });
    closers.push(() => kernel.destroy());
    const journalBelief = start !== null && journal !== null ? adoptJournal(kernel, journal, start, log) : null;
    if (start?.recovered && journalBelief === null) haltForLostJournal(control, clock, "the kernel refused it", log);
    // The lifecycle rules read the last projected position: recovery's fills are projected from the restored one.
    if (journalBelief !== null) projection.onRestored(kernel.slots());
    return {
      config,
      clock,
      kernel,
      control,
      zinc,
      venue,
      projection,
      journal,
      journalBelief,
      run,
      inputs,
      survivingImages,
    };
  } catch (e) {
    for (const close of closers.reverse()) close();
    throw e;
  }
}

/**
 * The journal step without a file (`once`): counts the inputs a journal would hold (the accepted
 * ones), so outcomes still get the seqs a journal would give them.
 */
class InputCount implements InputJournal {
  entries = 0;
  input(_input: KernelInput, accepted: boolean): void {
    if (accepted) this.entries++;
  }
  records(_records: Uint8Array, accepted: Uint8Array): void {
    for (const a of accepted) if (a === 1) this.entries++;
  }
  restore(_image: Uint8Array, _nowMs: number, accepted: boolean): void {
    if (accepted) this.entries++;
  }
}

function journalOptions(config: RuntimeConfig, dir: string, run: string, log: (line: string) => void) {
  return {
    dir,
    segmentBytes: config.journal_segment_mb * 2 ** 20,
    keep: config.journal_keep,
    run,
    strategy: config.strategy,
    slotCount: config.slots,
    activeSlotLimit: config.active_slot_limit,
    hungOrderMs: config.hung_order_ms,
    log,
  };
}
