/**
 * A renewal's key lock granted after the renewal gave up (src/fleet/lease.ts `renew`). The renewal
 * is bounded by its budget on the client; its `tryLock` may still be granted at the member later
 * (a slow answer). Nobody unlocked that grant: the lock outlived the failed renewal, and since the
 * member's locks are reentrant per client and each re-entry renews the lock's lease, this kernel's
 * next renewals re-entered it and left it held after they returned (their one unlock matched their
 * own lock only). Now the late grant is unlocked as soon as it answers: every grant gets one unlock.
 * Against the fake cluster (tests/unit/fixtures/fake_hazelcast.ts: reentrant locks with a lease
 * time by an injected clock, which never moves here).
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { AccountLease, accountKey, LEASE_MAP, type LeaseHolder } from "../../src/fleet/index.ts";
import { FakeCluster } from "./fixtures/fake_hazelcast.ts";

const KEY = accountKey(["bingx", "https://open-api.bingx.com", "KEY"]);
const ME: LeaseHolder = {
  namespace: "pink",
  host: "h1",
  pid: 100,
  run: "runA",
  epoch: 1,
  venue: "BINGX",
  acquired_at_ms: 1,
};

/** Lets the promise chains started by a late answer run to their end (no clock involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Bun.sleep(0);
}

/** Every renewal's budget (ms, real time: the first one runs out while its tryLock is held back). */
const BUDGET = 200;

/** A held lease whose next renewal's tryLock the member grants only when `grant()` is called. */
async function leaseWithSlowLock() {
  const clock = new ManualClock();
  const cluster = new FakeCluster(() => clock.nowMs());
  const a = cluster.client("A");
  const lease = new AccountLease(a.client, KEY, ME, 3000, () => true);
  expect((await lease.acquire()).kind).toBe("free");
  const map = await a.map(LEASE_MAP);
  let grant = () => {};
  const granted = new Promise<void>((r) => {
    grant = r;
  });
  map.hooks["before:tryLock"] = async () => {
    map.hooks["before:tryLock"] = undefined; // only this renewal's
    await granted;
  };
  const lockOf = () => cluster.store(LEASE_MAP).lockOf(KEY);
  return { lease, map, grant, lockOf };
}

describe("a renewal lock granted after the renewal gave up", () => {
  test("is unlocked once the member grants it", async () => {
    const w = await leaseWithSlowLock();
    await expect(w.lease.renew(BUDGET)).rejects.toThrow(`renewal took over ${BUDGET} ms`);
    w.grant();
    await settle();
    expect(w.lockOf()).toBeUndefined();
  });

  test("is not left held by the next successful renewal, and never frees the key under a renewal in progress", async () => {
    const w = await leaseWithSlowLock();
    await expect(w.lease.renew(BUDGET)).rejects.toThrow(`renewal took over ${BUDGET} ms`);
    // The late grant lands while the next renewal holds the key (between its get and setTtl).
    let during: unknown = null;
    w.map.hooks["after:get"] = async () => {
      w.map.hooks["after:get"] = undefined;
      w.grant();
      await settle();
      during = w.lockOf();
    };
    expect((await w.lease.renew(BUDGET)).kind).toBe("held");
    expect(during).toMatchObject({ owner: "A" }); // still locked for the renewal that was running
    expect(w.lockOf()).toBeUndefined();
  });
});
