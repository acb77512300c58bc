/**
 * CLI failures: one line on stderr, a non-zero exit code, never a stack trace. Commands throw
 * `CliFailure` (or any Error, whose first line is shown, credentials and terminal colour codes
 * removed). citty's own refusals (a missing required option or positional, a missing or unknown
 * subcommand) are usage errors: exit 2, like every other bad argument.
 */
import { maskSecrets } from "../contracts/secrets.ts";

export class CliFailure extends Error {
  override name = "CliFailure";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape is what is removed
const COLOUR = /\u001b\[[0-9;]*m/g;

export function oneLine(e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).replace(COLOUR, "");
  return maskSecrets((msg.split("\n")[0] ?? msg).trim());
}

/** The exit code for a failure: its own, 2 for citty's usage errors, else 1. */
export function exitCodeOf(e: unknown): number {
  const code = (e as { exitCode?: unknown } | null)?.exitCode;
  if (typeof code === "number") return code;
  return e instanceof Error && e.name === "CLIError" ? 2 : 1;
}
