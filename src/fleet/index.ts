/**
 * The fleet (docs/architecture.md §9): kernels heartbeating into the cluster's `DITA_V2_FLEET` map,
 * the account lease that keeps two kernels off one venue account, and what `dita-v2 fleet` reads
 * and checks (README.md). Public surface only.
 */

export { FleetAgent, type FleetAgentOptions, type FleetStatus, type KernelFields } from "./agent.ts";
export { type ChecklistItem, checklist, checklistOk, type Verdict } from "./checklist.ts";
export { FleetClient } from "./client.ts";
export {
  FLEET_MAP,
  type FleetEntry,
  heartbeatMsOf,
  type KernelIdentity,
  type KernelState,
  type KernelVerdict,
  kernelVerdict,
  LEASE_MAP,
  type LeaseState,
  parseFleetEntry,
  renewalBudgetMsOf,
} from "./entry.ts";
export {
  AccountLease,
  accountKey,
  decideLease,
  holderText,
  type LeaseDecision,
  type LeaseHolder,
  pidAlive,
} from "./lease.ts";
export {
  type NamespaceObservation,
  OBSERVATION_VERSION,
  type Observation,
  observeDesk,
  parseObservation,
} from "./observe.ts";
export {
  type FleetKernel,
  type FleetListing,
  type IpShareOf,
  ipShareFindings,
  readFleet,
  withFleetClient,
} from "./read.ts";
