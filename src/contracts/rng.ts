/**
 * Seeded pseudo-random numbers (SplitMix64 over BigInt-free 32-bit halves: xoshiro128**).
 * Deterministic for a seed on every platform; used by the mock venue, the simulator and chaos.
 * Never use Math.random in this project.
 */

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`Condition failed: seed must be a safe integer, got ${seed}`);
    let x = seed >>> 0;
    let y = Math.floor(seed / 2 ** 32) >>> 0;
    const next = () => {
      // SplitMix32-style scrambler to spread the seed over the four state words.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x ^ y;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      y = (y + 0x7f4a7c15) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 2 ** 32;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    if (!(hi >= lo)) throw new Error(`Invariant: Rng.int needs hi >= lo, got ${lo}..${hi}`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Invariant: Rng.pick on an empty list");
    return items[this.int(0, items.length - 1)] as T;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
