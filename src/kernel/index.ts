/** Public surface of the kernel binding. */
export { ExecutionKernel, KernelError, type KernelOptions, type StateMirror } from "./execution_kernel.ts";
export { AbiMismatchError } from "./_abi_check.ts";
export type { BatchSink } from "./_outcome.ts";
export { NativeLoadError, nativeLibraryPath } from "./native.ts";
export { encodeInput, INPUT_SIZE, RecordEncoder, type EncodeRefusal } from "./encoder.ts";
export { decodeSlot, decodeAccount } from "./decoder.ts";
export { encodeSlotImage, SlotImageError } from "./slot_image.ts";
