/** Public surface of the kernel binding. */

export { AbiMismatchError } from "./_abi_check.ts";
export type { BatchSink } from "./_outcome.ts";
export { decodeAccount, decodeSlot } from "./decoder.ts";
export { type EncodeRefusal, encodeInput, INPUT_SIZE, RecordEncoder } from "./encoder.ts";
export { ExecutionKernel, KernelError, type KernelOptions, type StateMirror } from "./execution_kernel.ts";
export { NativeLoadError, nativeLibraryPath } from "./native.ts";
export { encodeSlotImage, SlotImageError } from "./slot_image.ts";
