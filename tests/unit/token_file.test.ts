/**
 * The operator token file (src/launcher/token.ts): a file the operator wrote is never overwritten.
 * When it holds one token (a trailing newline allowed) it is the token; when it does not, the start
 * fails with one ConfigError line naming the path and the rule, and the file is left as it was (it
 * used to be replaced by a random token without a word, so the operator's scripts got 401). The
 * file is created, mode 0600, only when there is none.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";
import { ensureOperatorToken, operatorTokenPath, readOperatorToken } from "../../src/launcher/token.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateWith(content: string | null): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "dita-token-"));
  dirs.push(dir);
  const path = operatorTokenPath(dir);
  if (content !== null) writeFileSync(path, content, { mode: 0o644 });
  return { dir, path };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as Error;
  }
  throw new Error("expected a ConfigError");
}

describe("a token file the operator wrote", () => {
  test("a short token is refused at start with one line naming the path and the rule; the file is kept", () => {
    const { dir, path } = stateWith("my-short-token\n");
    const atStart = thrown(() => loadConfig({ DITA_V2_STATE_DIR: dir })).message;
    expect(atStart).toStartWith(`${path}: must hold one operator token, 16..256 printable characters without spaces`);
    expect(atStart).not.toContain("my-short-token");
    expect(atStart).not.toContain("\n");
    expect(thrown(() => ensureOperatorToken(dir, null)).message).toBe(atStart);
    expect(thrown(() => readOperatorToken(dir, {})).message).toBe(atStart);
    expect(readFileSync(path, "utf8")).toBe("my-short-token\n");
  });

  test("an empty file, spaces inside or two lines are refused too; nothing is written", () => {
    for (const content of ["", "\n", "operator token with spaces\n", "0123456789abcdef\n0123456789abcdef\n"]) {
      const { dir, path } = stateWith(content);
      expect(thrown(() => ensureOperatorToken(dir, null)).message).toStartWith(`${path}: must hold one operator token`);
      expect(readFileSync(path, "utf8")).toBe(content);
    }
  });

  test("a valid token is used as written, with or without a trailing newline, and made 0600", () => {
    for (const content of ["operator-0123456789\n", "operator-0123456789", "operator-0123456789\r\n"]) {
      const { dir, path } = stateWith(content);
      expect(loadConfig({ DITA_V2_STATE_DIR: dir }).operator_token).toBeNull();
      expect(ensureOperatorToken(dir, null)).toBe("operator-0123456789");
      expect(readOperatorToken(dir, {})).toBe("operator-0123456789");
      expect(readFileSync(path, "utf8")).toBe(content);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
  });

  test("with DITA_V2_OPERATOR_TOKEN set the file is neither read nor judged", () => {
    const { dir, path } = stateWith("short\n");
    const env = { DITA_V2_STATE_DIR: dir, DITA_V2_OPERATOR_TOKEN: "env-token-0123456789" };
    expect(loadConfig(env).operator_token).toBe("env-token-0123456789");
    expect(ensureOperatorToken(dir, "env-token-0123456789")).toBe("env-token-0123456789");
    expect(readFileSync(path, "utf8")).toBe("short\n");
  });
});

describe("no token file", () => {
  test("serve creates one random token, mode 0600, and reuses it on the next start", () => {
    const { dir, path } = stateWith(null);
    expect(readOperatorToken(dir, {})).toBeNull();
    const token = ensureOperatorToken(dir, null);
    expect(token).toMatch(/^[\x21-\x7e]{16,256}$/);
    expect(readFileSync(path, "utf8")).toBe(`${token}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(ensureOperatorToken(dir, null)).toBe(token);
    expect(readOperatorToken(dir, {})).toBe(token);
  });
});
