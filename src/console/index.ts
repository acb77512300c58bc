/** Public surface of the operator console: its embedded files and their size budget. */
export { type ConsoleAsset, consoleAssets, PAYLOAD_BUDGET_BYTES } from "./assets.ts";
