/**
 * Credential masking: the one function every address, log line, status document, metrics text and
 * error message goes through before it leaves the process (`maskSecrets`).
 *
 * What is masked, as `***`:
 *  - the password of every URL userinfo (`http://user:PASSWORD@host` → `http://user:***@host`), found
 *    by shape, so a URL nobody registered is masked too; the user name stays (it names an account,
 *    it does not open one);
 *  - every registered secret (`registerSecret`: the ClickHouse URL's password, raw and decoded, the
 *    Hazelcast password, the BingX API key and secret), wherever it appears in the text, when it is
 *    at least MIN_SECRET_CHARS long (a shorter value would mask ordinary words; a short URL password
 *    is still masked by shape);
 *  - the `extra` secrets of one call (an adapter's own key and secret);
 *  - each of these secrets also as JSON escapes it, once and twice (a secret holding `"` or `\`
 *    inside an event's JSON, or inside a JSON text carried as a string of another);
 *  - a signed request's signature (`signature=<value>`, found by shape: no registry holds it, and
 *    with its timestamp it replays the request within the venue's receive window).
 *
 * Invariants: masking is idempotent, never throws, and a masked text never contains a registered
 * secret of MIN_SECRET_CHARS or more. The registry is process-wide and only grows (configuration is
 * read once per process; tests may register more).
 *
 * Entry points: `maskSecrets(text, extra?)`, `maskDeep(value)`, `registerSecret(value)`.
 */

export const MASK = "***";
export const MIN_SECRET_CHARS = 4;

/** A signed request's signature parameter, up to the next parameter, space, quote or backslash. */
const SIGNATURE = /(\bsignature=)[^&\s"\\]+/gi;

/** Scheme, then the userinfo up to the authority's last `@` (a password may hold a stray `@`). */
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s/?#@]*)(:[^\s/?#]*)@/g;

/** Each registered secret with its JSON-escaped forms (see `escapedForms`). */
const registry = new Map<string, readonly string[]>();

/** `s` as it appears inside a JSON string, and inside a JSON string of that JSON text (distinct forms). */
function escapedForms(s: string): readonly string[] {
  const once = JSON.stringify(s).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [...new Set([s, once, twice])];
}

/** Adds a credential to the process-wide set masked by `maskSecrets` (ignored when empty). */
export function registerSecret(value: string | null | undefined): void {
  if (value === null || value === undefined || value === "") return;
  registry.set(value, escapedForms(value));
  try {
    const decoded = decodeURIComponent(value);
    if (decoded !== value) registry.set(decoded, escapedForms(decoded));
  } catch {
    // not percent-encoded: the raw value is registered
  }
}

/** `text` with every URL password, signature, registered secret and `extra` secret replaced by `***`. */
export function maskSecrets(text: string, extra: readonly string[] = []): string {
  let out = text
    .replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`)
    .replace(SIGNATURE, `$1${MASK}`);
  for (const s of extra) if (s.length >= MIN_SECRET_CHARS) out = maskAll(out, escapedForms(s));
  for (const [s, forms] of registry) if (s.length >= MIN_SECRET_CHARS) out = maskAll(out, forms);
  return out;
}

/** Longest form first: a form that holds another must be masked whole. */
function maskAll(text: string, forms: readonly string[]): string {
  let out = text;
  for (let i = forms.length - 1; i >= 0; i--) out = out.split(forms[i] as string).join(MASK);
  return out;
}

/** A copy of a JSON-like value with every string (keys included) masked; depth-bounded. */
export function maskDeep<T>(value: T, depth = 0): T {
  if (depth > 32) throw new Error("Invariant: maskDeep met a value nested deeper than 32 levels");
  if (typeof value === "string") return maskSecrets(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1)) as T;
  if (ArrayBuffer.isView(value)) return value;
  // fromEntries defines own keys: assigning `out["__proto__"]` would set the prototype and drop the key.
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [maskSecrets(k), maskDeep(v, depth + 1)]),
  ) as T;
}
