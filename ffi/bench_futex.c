/*
 * bench_futex.c -- the floor under Zinc's notify/wait: two processes ping-pong through two
 * shared futex words (the same publish-then-FUTEX_WAKE / FUTEX_WAIT pattern as zinc_wait), so
 * the round trip is two cross-process wake-ups. Prints one JSON line with round-trip
 * percentiles in nanoseconds.   usage: bench_futex [iterations (default 20000)]
 */
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct { _Atomic uint32_t ping; uint8_t pad[60]; _Atomic uint32_t pong; } words;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void post(_Atomic uint32_t *w, uint32_t v) {
    atomic_store(w, v);
    syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Waits until *w == v; every sleep is bounded by a 1 s timeout so a dead peer cannot hang us. */
static int await_value(_Atomic uint32_t *w, uint32_t v) {
    struct timespec ts = {1, 0};
    for (int i = 0; i < 10; i++) {
        uint32_t cur = atomic_load(w);
        if (cur == v) return 0;
        syscall(SYS_futex, w, FUTEX_WAIT, cur, &ts, NULL, 0);
    }
    return atomic_load(w) == v ? 0 : -1;
}

static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    if (n < 100 || n > 10000000) { fprintf(stderr, "iterations must be 100..10000000\n"); return 2; }
    words *w = mmap(NULL, sizeof *w, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    uint64_t *rtt = calloc((size_t)n, sizeof *rtt);
    if (w == MAP_FAILED || rtt == NULL) return 1;
    pid_t child = fork();
    if (child == 0) {
        for (uint32_t i = 1; i <= (uint32_t)n; i++) {
            if (await_value(&w->ping, i) != 0) _exit(1);
            post(&w->pong, i);
        }
        _exit(0);
    }
    for (uint32_t i = 1; i <= (uint32_t)n; i++) {
        uint64_t t0 = now_ns();
        post(&w->ping, i);
        if (await_value(&w->pong, i) != 0) { fprintf(stderr, "peer stopped answering\n"); return 1; }
        rtt[i - 1] = now_ns() - t0;
    }
    int status = 0;
    waitpid(child, &status, 0);
    qsort(rtt, (size_t)n, sizeof *rtt, cmp);
    printf("{\"iterations\":%d,\"rtt_p50_ns\":%llu,\"rtt_p99_ns\":%llu,\"rtt_min_ns\":%llu}\n", n,
           (unsigned long long)rtt[n / 2], (unsigned long long)rtt[(size_t)n * 99 / 100], (unsigned long long)rtt[0]);
    return 0;
}
