/**
 * Stage breakdowns over rounds (bench/ring_stages.ts, bench/http_stages.ts): each round's figures
 * flattened to `a.b` keys, the median over rounds per key, and the ratio of two such summaries.
 *
 * Entry points: `overRounds(rounds)`, `ratiosOf(a, b)`.
 */

/** Every numeric leaf of a stage breakdown, flattened to `a.b` keys. */
function leaves(o: Record<string, unknown>, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === "number") out[prefix + k] = v;
    else if (v !== null && typeof v === "object")
      Object.assign(out, leaves(v as Record<string, unknown>, `${prefix}${k}.`));
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The median over rounds of each stage figure. */
export function overRounds(xs: readonly object[]): Record<string, number> {
  const flat = xs.map((x) => leaves(x as Record<string, unknown>));
  return Object.fromEntries(Object.keys(flat[0]!).map((k) => [k, Number(median(flat.map((f) => f[k]!)).toFixed(1))]));
}

/** a[k] / b[k] for every key both hold (b[k] > 0), counts and rehearsal tallies aside. */
export function ratiosOf(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(a)
      .filter((k) => k !== "n" && !k.startsWith("signing_us.rehearsals") && (b[k] ?? 0) > 0)
      .map((k) => [k, Number((a[k]! / b[k]!).toFixed(2))]),
  );
}
