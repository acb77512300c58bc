/**
 * Listen keys for the user-data stream: create (POST), extend (PUT), close (DELETE), and lapse
 * after `ttlMs` of the injected clock without a PUT (BingX: 60 minutes). `sweep(now)` returns
 * the keys that lapsed since the last sweep so the stream can send `listenKeyExpired`.
 *
 * Bound: at most 64 live keys; creating one more retires the oldest.
 */

export const LISTEN_KEYS_MAX = 64;

export class ListenKeys {
  private readonly expiry = new Map<string, number>();

  constructor(private readonly ttlMs: number) {
    if (!(ttlMs > 0)) throw new Error(`Condition failed: listen key ttl must be > 0, got ${ttlMs}`);
  }

  create(key: string, nowMs: number): string {
    if (this.expiry.size >= LISTEN_KEYS_MAX) {
      const oldest = this.expiry.keys().next().value;
      if (oldest !== undefined) this.expiry.delete(oldest);
    }
    this.expiry.set(key, nowMs + this.ttlMs);
    return key;
  }

  extend(key: string, nowMs: number): boolean {
    if (!this.valid(key, nowMs)) return false;
    this.expiry.set(key, nowMs + this.ttlMs);
    return true;
  }

  close(key: string): boolean {
    return this.expiry.delete(key);
  }

  valid(key: string, nowMs: number): boolean {
    const until = this.expiry.get(key);
    return until !== undefined && nowMs < until;
  }

  sweep(nowMs: number): string[] {
    const lapsed: string[] = [];
    for (const [key, until] of this.expiry) {
      if (nowMs >= until) lapsed.push(key);
    }
    for (const key of lapsed) this.expiry.delete(key);
    return lapsed;
  }

  get size(): number {
    return this.expiry.size;
  }
}
