/** Public surface of the kernel binding. */

export { decodeAccount, decodeSlot } from "./decoder.ts";
export { type EncodeRefusal, encodeInput, INPUT_SIZE, RecordEncoder } from "./encoder.ts";
export { ExecutionKernel } from "./execution_kernel.ts";
export { InputRecords, isStrategyKind, kindName, recordKind } from "./input_records.ts";
export { JournalError, type JournalHeader, JournalWriter, type ReplayResult, replayJournal } from "./journal.ts";
export { exportJournal, recordFields } from "./journal_export.ts";
export { type JournalStep, type OutcomeReplay, replayOutcomes } from "./journal_outcomes.ts";
export { journalStrategies } from "./journal_owner.ts";
export { inExecutable, NativeLoadError, nativeLibraryPath } from "./native.ts";
export {
  type JournalListing,
  listJournal,
  segmentOf,
  type WalkOptions,
  type WalkResult,
  type WalkVisitor,
  walkJournal,
} from "./segment_replay.ts";
export {
  JournalWriteError,
  SegmentJournal,
  type SegmentJournalOptions,
  type SnapshotSource,
} from "./segment_writer.ts";
export { encodeSlotImage, SlotImageError } from "./slot_image.ts";
export {
  AbiMismatchError,
  type BatchSink,
  type InputJournal,
  type KernelConfig,
  KernelError,
  type KernelOptions,
  type StateMirror,
} from "./types.ts";
