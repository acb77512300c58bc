/**
 * One printable line: text that echoes what a client sent (a path, a query or JSON key, a field name)
 * or a venue said, before it reaches a reader: an HTTP error (src/http) or serve's log (one event a
 * line; supervisord keeps it, operators grep it). A control character there would split one line into
 * two (a forged log line, a second line of an error a script prints) or put an escape sequence on the
 * operator's terminal; each is shown as `\n` or `\uXXXX` instead.
 *
 * Entry points: `printableLine`, `hasControlCharacter`.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/** `text` with each control character shown as `\n` or `\uXXXX`: one printable line. */
export function printableLine(text: string): string {
  if (!CONTROL_CHARACTER.test(text)) return text;
  return text.replace(CONTROL_CHARACTERS, (c) =>
    c === "\n" ? "\\n" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
