/**
 * The browser's clock, read only to show ages ("12 s ago") in the console. It is display only:
 * nothing the console sends depends on it. (The tidy test allowlists this file.)
 */

export function browserNowMs(): number {
  return Date.now();
}
