#!/usr/bin/env python3
"""Python side of bench/clients.ts: the strategy client's costs as a Python strategy sees them.

    clients_python.py roundtrip PREFIX LIB N      submit(MarkPrice) -> outcome, one at a time;
                                                  prints p50/p99/mean in microseconds (after a warm-up)
    clients_python.py pushrate PREFIX LIB N       push_many in batches of 1024, retrying a full ring;
                                                  prints intents pushed per second and the seconds
                                                  until the kernel drained them all (ring depth 0)
    clients_python.py pipelined PREFIX LIB N      push_many batches of 128 and collect every outcome
                                                  before the next batch; prints intents/s with every
                                                  outcome read back
Timing with time.perf_counter_ns (CLOCK_MONOTONIC).
"""

import json
import sys
import time

from dita_v2_client import DitaClient, MarkPrice, RingFull


def pct(sorted_ns, q):
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1000


def roundtrip(c, n):
    intents = [MarkPrice("BTC-USDT", 65000.0 + (i % 97)) for i in range(n + 2000)]
    for i in range(2000):  # warm-up: both sides' spins go hot, caches fill
        c.submit(intents[i], timeout=2)
    lat = []
    for i in range(2000, n + 2000):
        t = time.perf_counter_ns()
        o = c.submit(intents[i], timeout=2)
        lat.append(time.perf_counter_ns() - t)
        if not o.accepted:
            raise SystemExit(f"refused: {o}")
    lat.sort()
    return {"n": n, "p50_us": pct(lat, 0.5), "p99_us": pct(lat, 0.99), "mean_us": sum(lat) / len(lat) / 1000,
            "max_us": lat[-1] / 1000, "over_10ms": sum(1 for x in lat if x > 10_000_000)}


def pushrate(c, n):
    batch = [MarkPrice("BTC-USDT", 65000.0)] * 1024
    pushed, full = 0, 0
    t0 = time.perf_counter_ns()
    while pushed < n:
        try:
            pushed += len(c.push_many(batch[: min(1024, n - pushed)]))
        except RingFull:
            full += 1
    t1 = time.perf_counter_ns()
    while c.ring_depth() > 0:
        time.sleep(0.0005)
    t2 = time.perf_counter_ns()
    return {"n": n, "pushed_per_s": n / ((t1 - t0) / 1e9), "drained_per_s": n / ((t2 - t0) / 1e9),
            "ring_full_retries": full}


def pipelined(c, n):
    batch = [MarkPrice("BTC-USDT", 65000.0)] * 128
    done = 0
    t0 = time.perf_counter_ns()
    while done < n:
        ids = c.push_many(batch)
        for cid in ids:
            if not c.outcome(cid, timeout=5).accepted:
                raise SystemExit("refused")
        done += len(ids)
    t1 = time.perf_counter_ns()
    return {"n": done, "intents_per_s": done / ((t1 - t0) / 1e9), "lost": c._lost_total}


def main():
    mode, prefix, lib, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with DitaClient.connect(prefix, lib_path=lib, spin_us=200) as c:
        out = {"roundtrip": roundtrip, "pushrate": pushrate, "pipelined": pipelined}[mode](c, n)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
