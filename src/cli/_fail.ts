/**
 * CLI failures: one line on stderr, a non-zero exit code, never a stack trace. Commands throw
 * `CliFailure` (or any Error, whose first line is shown, credentials masked).
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

export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return maskSecrets((msg.split("\n")[0] ?? msg).trim());
}
