/**
 * A region file truncated within its last page faults no access (libzinc's SIGBUS guard never fires):
 * the lost bytes read as zeros. Found by an audit: an open slot read IDLE, the account capital 0, and
 * every push RingFull for good (a strategy retrying as told, forever), or taken into bytes that vanish.
 * The client now asks libzinc whether the region still matches its layout (zinc_check: the file's size
 * among others) before each read and push: CorruptRegionError naming the file. Real regions in /dev/shm.
 */

import { expect, test } from "bun:test";
import { truncateSync } from "node:fs";
import { CorruptRegionError } from "../../clients/typescript/index.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";

const zinc = zincRegionsPerTest("client_truncated");
const mark = { type: "MARK_PRICE", asset: "BTC-USDT", price: 1 } as const;

test("a state region cut short: every read is CorruptRegionError naming the file, never an IDLE slot or a zero account", async () => {
  const { prefix } = zinc.plane({ slotCount: 2, namespace: "pink" });
  const client = zinc.client(prefix);
  expect(client.slots()).toHaveLength(2);
  truncateSync(`/dev/shm/${prefix}.state`, 100);
  await Bun.sleep(60); // libzinc stats a file at most every 50 ms per handle
  expect(() => client.slot(1)).toThrow(CorruptRegionError);
  expect(() => client.slot(1)).toThrow(`/dev/shm/${prefix}.state`);
  expect(() => client.account()).toThrow(CorruptRegionError);
});

test("an intents ring cut short: a push is CorruptRegionError naming the file, never a push that vanishes", async () => {
  const { prefix } = zinc.plane({ slotCount: 2, namespace: "pink" });
  const client = zinc.client(prefix);
  truncateSync(`/dev/shm/${prefix}.intents`, 100);
  await Bun.sleep(60);
  expect(() => client.push(mark)).toThrow(CorruptRegionError);
  expect(() => client.push(mark)).toThrow(`/dev/shm/${prefix}.intents`);
});
