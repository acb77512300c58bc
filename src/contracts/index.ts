/** Public surface of the contracts: enums, wire records, ABI mirror, venue and control contracts. */
export * from "./abi.ts";
export * from "./clock.ts";
export * from "./control.ts";
export * from "./enums.ts";
export * from "./intents.ts";
export * from "./records.ts";
export * from "./rng.ts";
export * from "./venue.ts";
