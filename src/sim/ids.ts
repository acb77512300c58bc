/**
 * Seeded identifiers: 19-digit order ids (BingX style, always above 2^53 so clients that parse
 * them as doubles visibly break) and 64-hex-character listen keys. Ids strictly increase.
 */

import type { Rng } from "../contracts/rng.ts";

const ORDER_ID_BASE = 1_800_000_000_000_000_000n;

export class IdSource {
  private next: bigint;

  constructor(private readonly rng: Rng) {
    this.next = ORDER_ID_BASE + BigInt(rng.nextU32()) * 1_000_000n;
  }

  orderId(): string {
    this.next += BigInt(this.rng.int(1, 4096)) * 4096n + BigInt(this.rng.int(0, 4095));
    const text = this.next.toString();
    if (text.length !== 19) throw new Error(`Invariant: order id must have 19 digits, got ${text}`);
    return text;
  }

  listenKey(): string {
    let out = "";
    for (let i = 0; i < 8; i++) out += this.rng.nextU32().toString(16).padStart(8, "0");
    return out;
  }
}
