/**
 * Control plane public surface (docs/architecture.md §6): `InMemoryControlPlane` and `RealZincControlPlane`
 * implement `ControlPlane` plus the operator command mailbox; `RealControlCommandClient` posts
 * commands from another process. Binary layout: ffi/README.md "Control region".
 */

export { COMMAND_BYTES, COMMAND_JSON_MAX, decodeCommand, encodeCommand, SNAPSHOT_BYTES } from "./codec.ts";
export { COMMAND_STATUSES, type CommandResult, type CommandStatus } from "./command_result.ts";
export { InMemoryControlPlane } from "./in_memory_control_plane.ts";
export {
  RealControlCommandClient,
  RealZincControlPlane,
  type RealZincControlPlaneOptions,
} from "./real_zinc_control_plane.ts";
export {
  type CommandActions,
  type ControlCommandClient,
  MAILBOX_POLL_MAX,
  type OperatorControlPlane,
  type PostResult,
} from "./types.ts";
