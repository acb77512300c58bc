/*
 * ring_liveness.c -- C regression tests of the ring's and the outcome lanes' owner liveness
 * (ffi/README.md section 4: each record exactly once, a live owner is never skipped; section 7: a
 * lane is taken over only from a dead owner). Built on the unity build (zinc.c) with
 * -DZINC_TEST_HOOKS so a case can drive the library's own static steps one by one, each pause
 * standing for a preemption at that point. Run by tests/unit/zinc_ring_liveness.test.ts:
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -DZINC_TEST_HOOKS -Wall -Wextra -Werror -o T ffi/tests/ring_liveness.c
 *   T fork_child_start | T late_fenced_start | T skip_release_order
 *
 * Each case prints what it saw and exits 0 when the behaviour holds, 1 when it does not, 2 when
 * the setup itself failed. Regions use the prefix given as argv[2] (default: one per pid).
 */
#include "harness.h"

static void say(int fd) {
    if (write(fd, "x", 1) != 1) _exit(9);
}
static void hear(int fd) {
    char c;
    if (read(fd, &c, 1) != 1) _exit(9);
}

static uint64_t stats(int32_t ring, int index) {
    uint64_t st[4] = {0};
    zinc_ring_stats(ring, st);
    return st[index];
}

/* Finding 1: a fork()ed child must stamp its OWN start time, not the parent's cached one. */
static int fork_child_start(void) {
    int32_t ring = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    int32_t outs_w = zinc_open(prefix, ZINC_KIND_OUTCOMES, 4, ZINC_OPEN_WRITER, err, sizeof err);
    int32_t prod = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
    int32_t outs = zinc_open(prefix, ZINC_KIND_OUTCOMES, 0, 0, err, sizeof err);
    SETUP(ring >= 0 && outs_w >= 0 && prod >= 0 && outs >= 0, "open");
    uint8_t rec[ZINC_INTENT_RECORD_SIZE] = {0}, out[4 * ZINC_INTENT_RECORD_SIZE];
    uint32_t gen = 0;
    /* The parent pushes and claims a lane: its start time is cached before the fork. */
    SETUP(zinc_ring_push(prod, rec, sizeof rec) == ZINC_OK, "parent push");
    SETUP(zinc_outcome_claim(outs, &gen) == 0, "parent lane");
    SETUP(zinc_ring_pop(ring, out, 4) == 1, "parent pop");
    usleep(60000); /* the child's start time (10 ms ticks) now differs from the parent's */
    int fds[2];
    SETUP(pipe(fds) == 0, "pipe");
    pid_t child = fork();
    if (child == 0) {
        uint32_t g = 0;
        int32_t lane = zinc_outcome_claim(outs, &g);
        int32_t pos = zinc_test_abandon_claim(prod, 1); /* owns a ring cell, "mid-copy" */
        int32_t msg[2] = {lane, pos};
        if (write(fds[1], msg, sizeof msg) != (ssize_t)sizeof msg) _exit(9);
        pause();
        _exit(0);
    }
    int32_t msg[2] = {-1, -1};
    SETUP(read(fds[0], msg, sizeof msg) == (ssize_t)sizeof msg, "child report");
    SETUP(msg[0] == 1 && msg[1] == 1, "child lane 1 and ring position 1");
    int32_t other = zinc_open(prefix, ZINC_KIND_OUTCOMES, 0, 0, err, sizeof err);
    uint32_t other_gen = 0;
    int32_t other_lane = zinc_outcome_claim(other, &other_gen);
    int32_t popped = zinc_ring_pop(ring, out, 4);
    uint64_t abandoned = stats(ring, 2), stalled = stats(ring, 3) >> 32;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    printf("child %d: another claim got lane %d; pop=%d abandoned=%llu stalled_pid=%llu\n", child, other_lane, popped,
           (unsigned long long)abandoned, (unsigned long long)stalled);
    CHECK(other_lane == 2, "the live child's outcome lane was taken over (claim got lane %d)", other_lane);
    CHECK(popped == 0 && abandoned == 0, "the live child's ring cell was skipped mid-copy");
    CHECK(stalled == (uint64_t)child, "stalled_pid %llu, expected the child %d", (unsigned long long)stalled, child);
    cleanup();
    return 0;
}

/* Finding 2: a producer fenced off between claim and own resumes laps later and stores its start
 * time into the cell while a LIVE producer (this process) owns it: that owner must not be skipped. */
static int late_fenced_start(void) {
    int to_old[2], from_old[2];
    if (pipe(to_old) || pipe(from_old)) return 2;
    usleep(60000); /* the late producer's start time differs from this process's */
    pid_t old = fork();
    if (old == 0) { /* opens nothing before the parent says so: caches nothing of the parent */
        hear(to_old[0]);
        int32_t id = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
        zinc_handle *h = handle_get(id);
        uint64_t pos = 0;
        if (h == NULL || ring_claim(h, &pos) != ZINC_OK || pos != 0) _exit(2);
        say(from_old[1]);
        hear(to_old[0]);                                        /* paused between claim and own */
        int32_t rc = ring_own(h, cell_at(h, pos), pos);         /* resumes: late store, CAS fails */
        _exit(rc == ZINC_E_ABANDONED ? 0 : 3);
    }
    int32_t k = zinc_open(prefix, ZINC_KIND_INTENTS, 2, ZINC_OPEN_WRITER, err, sizeof err);
    int32_t prod = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
    SETUP(k >= 0 && prod >= 0, "open");
    zinc_ring_set_stall_ms(k, 1);
    uint8_t out[4 * ZINC_INTENT_RECORD_SIZE], filler[ZINC_INTENT_RECORD_SIZE] = {0};
    say(to_old[1]);
    hear(from_old[0]);                   /* the old producer claimed pos 0 and pauses */
    zinc_ring_pop(k, out, 4);            /* first sight starts the stall clock */
    usleep(5000);
    zinc_ring_pop(k, out, 4);            /* stall bound passed: pos 0 fenced off and skipped */
    SETUP(stats(k, 2) == 1, "fence pos 0");
    SETUP(zinc_ring_push(prod, filler, sizeof filler) == ZINC_OK && zinc_ring_pop(k, out, 4) == 1, "filler pos 1");
    zinc_handle *h = handle_get(prod);
    uint64_t pos = 0;
    SETUP(ring_claim(h, &pos) == ZINC_OK && pos == 2, "claim pos 2 (cell 0)");
    zinc_cell_header *c = cell_at(h, pos);
    SETUP(ring_own(h, c, pos) == ZINC_OK, "own pos 2");
    say(to_old[1]); /* the old producer resumes now, while this process owns the cell mid-copy */
    int status = 0;
    waitpid(old, &status, 0);
    SETUP(WIFEXITED(status) && WEXITSTATUS(status) == 0, "old producer's late own answered ABANDONED");
    int32_t popped = zinc_ring_pop(k, out, 4);
    uint64_t abandoned = stats(k, 2), stalled = stats(k, 3) >> 32;
    printf("after the late store: pop=%d abandoned=%llu stalled_pid=%llu (live owner %d)\n", popped,
           (unsigned long long)abandoned, (unsigned long long)stalled, getpid());
    CHECK(popped == 0 && abandoned == 1, "the live owner's cell was skipped mid-copy after a late start-time store");
    CHECK(stalled == (uint64_t)getpid(), "stalled_pid %llu, expected the live owner", (unsigned long long)stalled);
    memset((uint8_t *)c + ZINC_CELL_RECORD, 'N', ZINC_INTENT_RECORD_SIZE);
    uint64_t expected = pos;
    CHECK(atomic_compare_exchange_strong(&c->seq, &expected, pos + 1), "the live owner's publish failed");
    popped = zinc_ring_pop(k, out, 4);
    CHECK(popped == 1 && out[0] == 'N', "the live owner's record was not delivered once (pop=%d)", popped);
    cleanup();
    return 0;
}

static int32_t hook_prod = -1, hook_rc = 99;
static void push_during_skip(void) {
    uint8_t rec[ZINC_INTENT_RECORD_SIZE] = {0};
    hook_rc = zinc_ring_push(hook_prod, rec, sizeof rec);
}

/* Finding 3: while the consumer skips a dead owner's cell, a producer retrying at that moment
 * must get FULL or OK, never ABANDONED (it was never fenced), and must not stall the ring. */
static int skip_release_order(void) {
    int32_t k = zinc_open(prefix, ZINC_KIND_INTENTS, 2, ZINC_OPEN_WRITER, err, sizeof err);
    SETUP(k >= 0, "open");
    pid_t dead = fork();
    if (dead == 0) {
        int32_t p = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
        _exit(zinc_test_abandon_claim(p, 1) == 0 ? 0 : 3);
    }
    int status = 0;
    waitpid(dead, &status, 0); /* reaped: pos 0 is claimed and owned by a dead producer */
    SETUP(WIFEXITED(status) && WEXITSTATUS(status) == 0, "dead producer claimed pos 0");
    hook_prod = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
    uint8_t rec[ZINC_INTENT_RECORD_SIZE] = {0}, out[2 * ZINC_INTENT_RECORD_SIZE];
    SETUP(hook_prod >= 0 && zinc_ring_push(hook_prod, rec, sizeof rec) == ZINC_OK, "filler pos 1");
    zinc_test_skip_hook = push_during_skip;
    int32_t popped = zinc_ring_pop(k, out, 2); /* skips pos 0 (the hook pushes mid-skip), pops pos 1 */
    zinc_test_skip_hook = NULL;
    printf("push during the skip: rc=%d; pop=%d abandoned=%llu\n", hook_rc, popped, (unsigned long long)stats(k, 2));
    CHECK(hook_rc == ZINC_OK || hook_rc == ZINC_FULL, "a push during the skip answered %d (ABANDONED = %d)", hook_rc,
          ZINC_E_ABANDONED);
    CHECK(popped == 1 && stats(k, 2) == 1, "pop=%d abandoned=%llu", popped, (unsigned long long)stats(k, 2));
    if (hook_rc == ZINC_FULL) SETUP(zinc_ring_push(hook_prod, rec, sizeof rec) == ZINC_OK, "push after the skip");
    popped = zinc_ring_pop(k, out, 2); /* at once: no claimed cell left behind stalls the ring */
    CHECK(popped == 1, "the next record did not reach the consumer at once (pop=%d, stalled_pid=%llu)", popped,
          (unsigned long long)(stats(k, 3) >> 32));
    cleanup();
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: %s fork_child_start|late_fenced_start|skip_release_order [prefix]\n", argv[0]);
        return 2;
    }
    if (argc > 2) snprintf(prefix, sizeof prefix, "%s", argv[2]);
    else snprintf(prefix, sizeof prefix, "zinc_ring_liveness_%d", getpid());
    cleanup();
    if (strcmp(argv[1], "fork_child_start") == 0) return fork_child_start();
    if (strcmp(argv[1], "late_fenced_start") == 0) return late_fenced_start();
    if (strcmp(argv[1], "skip_release_order") == 0) return skip_release_order();
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
