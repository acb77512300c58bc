/**
 * The operator token for mutating HTTP endpoints: `DITA_V2_OPERATOR_TOKEN` when set, otherwise
 * `<state dir>/operator.token` (mode 0600). The file is created with a random token only when there
 * is none (reused on restart so the CLI keeps working); a file that is there is never overwritten:
 * its content must be one token (`TOKEN_RULE`, a trailing newline allowed), else the start fails
 * with one `ConfigError` line naming the path and the rule (the value is not shown). `loadConfig`
 * checks a readable file at start (`tokenFileProblem`), before anything is opened, as it checks
 * DITA_V2_OPERATOR_TOKEN. Randomness here is the OS CSPRNG, not a seeded Rng: it is a secret, not a
 * simulation input.
 */

import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./_config_error.ts";

/** An operator token, from the environment or the file. */
export const TOKEN_RE = /^[\x21-\x7e]{16,256}$/;
export const TOKEN_RULE = "16..256 printable characters without spaces";

export function operatorTokenPath(stateDir: string): string {
  return join(stateDir, "operator.token");
}

/** What is at `path`: its content, nothing (no file), or why it cannot be read. */
type TokenFile = { content: string } | { absent: true } | { unreadable: string };

function inspect(path: string): TokenFile {
  try {
    return { content: readFileSync(path, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? { absent: true } : { unreadable: code ?? (e as Error).message };
  }
}

/** The token in a file's content, or the ConfigError of content that is not one token. */
function tokenIn(path: string, content: string): string | ConfigError {
  const token = content.replace(/\r?\n$/, "");
  if (TOKEN_RE.test(token)) return token;
  return new ConfigError(
    path,
    `must hold one operator token, ${TOKEN_RULE} (a trailing newline allowed), got ${content.length} characters (value not shown); fix it or delete it (serve then writes a new one)`,
  );
}

/**
 * The token the file holds, or null when there is no file. Throws one ConfigError line when the
 * file cannot be read or does not hold a token.
 */
export function readTokenFile(path: string): string | null {
  const file = inspect(path);
  if ("absent" in file) return null;
  if ("unreadable" in file) throw new ConfigError(path, `cannot be read (${file.unreadable})`);
  const token = tokenIn(path, file.content);
  if (token instanceof ConfigError) throw token;
  return token;
}

/**
 * At start (loadConfig): the ConfigError of a file that is there, readable and not a token; null
 * otherwise. A file this user cannot read is left to the commands that need the token.
 */
export function tokenFileProblem(stateDir: string): ConfigError | null {
  const path = operatorTokenPath(stateDir);
  const file = inspect(path);
  if (!("content" in file)) return null;
  const token = tokenIn(path, file.content);
  return token instanceof ConfigError ? token : null;
}

export function ensureOperatorToken(stateDir: string, configured: string | null): string {
  if (configured !== null) return configured;
  const path = operatorTokenPath(stateDir);
  const existing = readTokenFile(path);
  if (existing !== null) {
    chmodSync(path, 0o600);
    return existing;
  }
  const token = randomBytes(32).toString("base64url");
  try {
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" }); // never over a file written meanwhile
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return ensureOperatorToken(stateDir, null);
    throw e;
  }
  chmodSync(path, 0o600);
  return token;
}

export function readOperatorToken(stateDir: string, env: Record<string, string | undefined>): string | null {
  if (env.DITA_V2_OPERATOR_TOKEN) return env.DITA_V2_OPERATOR_TOKEN;
  return readTokenFile(operatorTokenPath(stateDir));
}
