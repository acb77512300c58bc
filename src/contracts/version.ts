/** The product version, printed by `--version` and in every status document. */
export const VERSION = "0.1.0";
