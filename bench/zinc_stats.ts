/** Bench helper: percentiles (microseconds in, microseconds out) of a sample array. */

export function percentiles(samples: number[]): { p50_us: number; p99_us: number; max_us: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => Number((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1));
  return { p50_us: at(0.5), p99_us: at(0.99), max_us: at(1) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
