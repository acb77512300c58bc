/**
 * The operator token for mutating HTTP endpoints: `DITA_V2_OPERATOR_TOKEN` when set, otherwise a
 * random token written to `<state dir>/operator.token` with mode 0600 (created once, reused on
 * restart so the CLI keeps working). Randomness here is the OS CSPRNG, not a seeded Rng: it is a
 * secret, not a simulation input.
 */

import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function operatorTokenPath(stateDir: string): string {
  return join(stateDir, "operator.token");
}

export function ensureOperatorToken(stateDir: string, configured: string | null): string {
  if (configured !== null) return configured;
  const path = operatorTokenPath(stateDir);
  if (existsSync(path)) {
    const existing = readFileSync(path, "utf8").trim();
    if (/^[\x21-\x7e]{16,256}$/.test(existing)) {
      chmodSync(path, 0o600);
      return existing;
    }
  }
  const token = randomBytes(32).toString("base64url");
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}

export function readOperatorToken(stateDir: string, env: Record<string, string | undefined>): string | null {
  if (env.DITA_V2_OPERATOR_TOKEN) return env.DITA_V2_OPERATOR_TOKEN;
  const path = operatorTokenPath(stateDir);
  return existsSync(path) ? readFileSync(path, "utf8").trim() : null;
}
