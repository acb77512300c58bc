/**
 * The sim's order book draws its level profile from its own Rng, derived from the sim's seed.
 * Chaos seeds go up to Number.MAX_SAFE_INTEGER (`dita-v2 chaos --seed N`), so the derivation must
 * keep every seed's book distinct, not only the low 32 bits; seeds below 2^32 keep the book they
 * had before.
 */

import { describe, expect, test } from "bun:test";
import { OrderBooks } from "../../src/sim/book.ts";
import { buildCatalog } from "../../src/sim/contracts_catalog.ts";

const catalog = buildCatalog(["BTC-USDT"]);
const profile = (seed: number) => new OrderBooks(seed, catalog).levels("BTC-USDT", "asks", 60_000).map((l) => l.qty);

describe("sim order book seeding", () => {
  test("two seeds 2^32 apart give different books", () => {
    expect(profile(7 + 2 ** 32)).not.toEqual(profile(7));
    expect(profile(2 ** 40)).not.toEqual(profile(0));
  });

  test("a seed near Number.MAX_SAFE_INTEGER builds a book", () => {
    expect(profile(Number.MAX_SAFE_INTEGER).length).toBeGreaterThan(0);
  });

  test("a seed below 2^32 keeps the book it had", () => {
    expect(profile(7).slice(0, 4)).toEqual([0.7781, 1.1732, 1.194, 1.0292]);
    expect(profile(2 ** 32 - 1).slice(0, 4)).toEqual([0.4767, 1.0341, 1.0326, 0.7814]);
  });
});
