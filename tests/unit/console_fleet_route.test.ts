/**
 * `GET /fleet` (the console's Fleet panel) answers a cluster read that failed with 503 and the
 * reason, whatever the read rejected with: a rejection that is not an Error (a string, an object
 * without a message) is still a cluster failure, not an internal error.
 */

import { describe, expect, test } from "bun:test";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";

function fleetAnswer(fleet: () => Promise<unknown>) {
  const http = createHttp({ slotCount: () => 4, operatorToken: () => "t".repeat(16), fleet } as unknown as HttpDeps);
  return http.fetch(new Request("http://127.0.0.1/fleet", { headers: { Host: "127.0.0.1" } }));
}

describe("GET /fleet when the cluster read fails", () => {
  test("a rejection that is not an Error is a 503 naming it, not a 500", async () => {
    const r = await fleetAnswer(() => Promise.reject("connection reset by member 10.0.0.7:5701"));
    expect([r.status, await r.json()]).toEqual([
      503,
      { error: "fleet unreadable: connection reset by member 10.0.0.7:5701" },
    ]);
  });

  test("a rejection with nothing to say is a 503 too", async () => {
    const r = await fleetAnswer(() => Promise.reject(undefined));
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: string }).error).toStartWith("fleet unreadable: ");
  });

  test("an Error keeps its first line", async () => {
    const r = await fleetAnswer(() => Promise.reject(new Error("cluster unreachable\n  at somewhere")));
    expect([r.status, await r.json()]).toEqual([503, { error: "fleet unreadable: cluster unreachable" }]);
  });
});
