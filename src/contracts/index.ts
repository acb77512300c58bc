/** Public surface of the contracts: enums, wire records and their schemas, the ABI mirror, venue and control contracts. */
export * from "./abi.ts";
export { type AbiExpectation, bindingAbi, verifyAbi } from "./abi_verify.ts";
export * from "./clock.ts";
export * from "./control.ts";
export * from "./enums.ts";
export * from "./flatten.ts";
export * from "./fleet_schema.ts";
export {
  type InputRefusal,
  type Parsed,
  parseJournalInput,
  parseStrategyIntent,
  refusedOutcome,
  ringSourceRefusal,
} from "./intent_parse.ts";
export * from "./intent_schemas.ts";
export * from "./intents.ts";
export * from "./order_status.ts";
export * from "./qty_e8.ts";
export * from "./record_schemas.ts";
export * from "./records.ts";
export * from "./rng.ts";
export * from "./status_schema.ts";
export * from "./symbol.ts";
export * from "./venue.ts";
