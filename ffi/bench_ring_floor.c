/*
 * bench_ring_floor.c -- the floor under "intent -> order on the wire" for bench/ring_floor.ts: the
 * same hops as serve's ring path (a push into the intents ring, the kernel side's wake-up, a
 * drain, one HTTP request written to a loopback socket) with no runtime and no work between them.
 *
 * usage: bench_ring_floor produce PREFIX N PERIOD_MS
 *          opens the ring as a producer and pushes N records, one every PERIOD_MS, each carrying
 *          its push time (CLOCK_REALTIME, u64 ns at offset 8); exits when all are pushed.
 *        bench_ring_floor consume PREFIX PORT N wait|spin
 *          creates the ring (4096 records), prints "ready", then for each record drained writes
 *          one request to 127.0.0.1:PORT and prints the record's push time; "wait" sleeps in
 *          zinc_wait between records, "spin" busy-reads the sequence. Exits after N records.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_loopback.h"
#include "zinc.h"

#define KIND_INTENTS 1u
#define RECORD 320u
#define CAPACITY 4096u

static const char REQUEST[] =
    "POST /openApi/swap/v2/trade/order?symbol=BTC-USDT&side=BUY&positionSide=LONG&type=MARKET"
    "&quantity=0.001&timestamp=1700000000000&signature=0123456789abcdef0123456789abcdef HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\nX-BX-APIKEY: floor\r\nContent-Length: 0\r\n\r\n";

static int produce(const char *prefix, int n, int period_ms) {
    char err[256];
    int32_t h = zinc_open(prefix, KIND_INTENTS, 0, 0, err, sizeof err);
    if (h < 0) {
        fprintf(stderr, "bench_ring_floor: %s\n", err);
        return 1;
    }
    uint8_t rec[RECORD] = {0};
    for (int i = 0; i < n; i++) {
        usleep((useconds_t)period_ms * 1000u);
        uint64_t t = realtime_ns();
        memcpy(rec + 8, &t, sizeof t);
        if (zinc_ring_push(h, rec, RECORD) != ZINC_OK) {
            fprintf(stderr, "bench_ring_floor: push %d refused\n", i);
            return 1;
        }
    }
    zinc_close(h);
    return 0;
}

static int consume(const char *prefix, int port, int n, int spin) {
    char err[256];
    int32_t h = zinc_open(prefix, KIND_INTENTS, CAPACITY, ZINC_OPEN_WRITER, err, sizeof err);
    if (h < 0) {
        fprintf(stderr, "bench_ring_floor: %s\n", err);
        return 1;
    }
    int s = connect_loopback(port);
    if (s < 0) {
        perror("bench_ring_floor: connect");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    static uint8_t out[RECORD * 64];
    char answer[4096];
    uint64_t seq = (uint64_t)zinc_seq(h);
    for (int got = 0; got < n;) {
        int64_t now;
        if (spin) {
            do now = zinc_seq(h); while ((uint64_t)now == seq);
        } else {
            now = zinc_wait(h, seq, 1000);
        }
        if (now < 0) return 1;
        seq = (uint64_t)now;
        int k = zinc_ring_pop(h, out, 64);
        for (int i = 0; i < k; i++) {
            if (write(s, REQUEST, sizeof REQUEST - 1) != (ssize_t)(sizeof REQUEST - 1)) return 1;
            uint64_t t;
            memcpy(&t, out + (size_t)i * RECORD + 8, sizeof t);
            printf("%llu\n", (unsigned long long)t);
            fflush(stdout);
            if (read(s, answer, sizeof answer) <= 0) return 1; /* the upstream's answer, off the clock */
            got++;
        }
    }
    close(s);
    zinc_close(h);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "produce") == 0) return produce(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (argc == 6 && strcmp(argv[1], "consume") == 0)
        return consume(argv[2], atoi(argv[3]), atoi(argv[4]), strcmp(argv[5], "spin") == 0);
    fprintf(stderr, "usage: bench_ring_floor produce PREFIX N PERIOD_MS | consume PREFIX PORT N wait|spin\n");
    return 2;
}
