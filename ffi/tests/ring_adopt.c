/*
 * ring_adopt.c -- C regression tests of a ring consumer (the kernel) that dies in the middle of a
 * pop or of a skip, and of the kernel that adopts its region next (ffi/README.md section 4: "the
 * consumer never wedges forever"; section 8: pending intents stay in the ring across an adoption).
 * Built on the unity build (zinc.c) with -DZINC_TEST_HOOKS, so a case can stop the consumer at an
 * exact step. Run by tests/unit/zinc_ring_adopt.test.ts and `make -C ffi test`:
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -DZINC_TEST_HOOKS -Wall -Wextra -Werror -o T ffi/tests/ring_adopt.c
 *   T killed_mid_skip | T killed_mid_pop | T foreign_owner_lap
 *
 * Each case exits 0 when the behaviour holds, 1 when it does not (printing what it saw), 2 when
 * the setup itself failed. Regions use the prefix given as argv[2] (default: one per pid).
 */
#include "harness.h"

/* Claims a position from a child that then dies: the cell is owned by a dead producer. */
static int dead_claim(void) {
    pid_t dead = fork();
    if (dead == 0) {
        int32_t p = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
        _exit(zinc_test_abandon_claim(p, 1) >= 0 ? 0 : 3);
    }
    int status = 0;
    waitpid(dead, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void die_now(void) { _exit(0); }

/* The kernel is killed inside a skip of a dead producer's cell, after the owner word was handed to
 * the next lap and before the seq CAS: the next kernel must finish the skip, not wait for ever. */
static int killed_mid_skip(void) {
    int32_t k = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    SETUP(k >= 0, "open");
    zinc_close(k);
    SETUP(dead_claim(), "dead producer claimed pos 0");
    int32_t prod = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
    uint8_t rec[ZINC_INTENT_RECORD_SIZE], out[4 * ZINC_INTENT_RECORD_SIZE];
    memset(rec, 'B', sizeof rec);
    SETUP(prod >= 0 && zinc_ring_push(prod, rec, sizeof rec) == ZINC_OK, "record pos 1");
    pid_t kernel = fork();
    if (kernel == 0) {
        int32_t kk = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
        if (kk < 0) _exit(3);
        zinc_test_skip_hook = die_now; /* killed between the owner CAS and the seq CAS */
        zinc_ring_pop(kk, out, 4);
        _exit(4);
    }
    int status = 0;
    waitpid(kernel, &status, 0);
    SETUP(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the first kernel died inside the skip");
    k = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    SETUP(k >= 0, "adopt");
    int32_t popped = zinc_ring_pop(k, out, 4);
    uint64_t st[4] = {0};
    zinc_ring_stats(k, st);
    printf("adopted after a kill mid-skip: pop=%d head=%llu tail=%llu\n", popped, (unsigned long long)st[0],
           (unsigned long long)st[1]);
    CHECK(popped == 1 && out[0] == 'B', "the record behind the half-skipped cell was not delivered (pop=%d)", popped);
    cleanup();
    return 0;
}

/* The kernel is killed inside a pop, after it released the cells it copied and before it stored
 * head (what a pop leaves then: released cells, the old head): the next kernel must go on from
 * there, not answer CORRUPT for ever, and must not deliver the released records again. */
static int killed_mid_pop(void) {
    int32_t k = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    int32_t prod = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
    SETUP(k >= 0 && prod >= 0, "open");
    uint8_t rec[ZINC_INTENT_RECORD_SIZE], out[4 * ZINC_INTENT_RECORD_SIZE];
    memset(rec, 'A', sizeof rec);
    SETUP(zinc_ring_push(prod, rec, sizeof rec) == ZINC_OK && zinc_ring_push(prod, rec, sizeof rec) == ZINC_OK,
          "records pos 0 and 1");
    SETUP(zinc_ring_pop(k, out, 4) == 2, "pop pos 0 and 1");
    atomic_store(&ring_of(handle_get(k))->head, 0); /* the head store the killed pop never made */
    zinc_close(k);
    memset(rec, 'C', sizeof rec);
    SETUP(zinc_ring_push(prod, rec, sizeof rec) == ZINC_OK, "record pos 2");
    k = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    SETUP(k >= 0, "adopt");
    int32_t popped = zinc_ring_pop(k, out, 4);
    printf("adopted after a kill mid-pop: pop=%d first=%c\n", popped, popped > 0 ? out[0] : '-');
    CHECK(popped == 1 && out[0] == 'C', "pop=%d after the adoption, expected the one record pushed since", popped);
    /* The ring keeps working for laps after (each cell goes round at least twice more). */
    for (int i = 0; i < 8; i++) {
        SETUP(zinc_ring_push(prod, rec, sizeof rec) == ZINC_OK, "push after the adoption");
        popped = zinc_ring_pop(k, out, 4);
        CHECK(popped == 1, "pop=%d at lap step %d after the adoption", popped, i);
    }
    cleanup();
    return 0;
}

/* A stray write leaves a claimed cell's owner word naming another lap (neither this one nor the
 * next): no producer can ever publish or be judged there, so the consumer must say CORRUPT instead
 * of waiting silently for ever (stalled_pid 0, nothing in the stats). */
static int foreign_owner_lap(void) {
    int32_t k = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    SETUP(k >= 0, "open");
    zinc_ring_set_stall_ms(k, 1);
    SETUP(dead_claim(), "dead producer claimed pos 0");
    zinc_cell_header *c = cell_at(handle_get(k), 0);
    atomic_store(&c->owner, (7ull << 32) | 12345u); /* hostile: lap 7 at position 0 */
    uint8_t out[4 * ZINC_INTENT_RECORD_SIZE];
    int32_t first = zinc_ring_pop(k, out, 4);
    usleep(5000); /* past the stall bound: even a fence would have happened by now */
    int32_t second = zinc_ring_pop(k, out, 4);
    printf("foreign owner lap: pop=%d then %d\n", first, second);
    CHECK(first == ZINC_E_CORRUPT && second == ZINC_E_CORRUPT, "pop=%d then %d, expected CORRUPT (%d)", first, second,
          ZINC_E_CORRUPT);
    cleanup();
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: %s killed_mid_skip|killed_mid_pop|foreign_owner_lap [prefix]\n", argv[0]);
        return 2;
    }
    if (argc > 2) snprintf(prefix, sizeof prefix, "%s", argv[2]);
    else snprintf(prefix, sizeof prefix, "zinc_ring_adopt_%d", getpid());
    cleanup();
    if (strcmp(argv[1], "killed_mid_skip") == 0) return killed_mid_skip();
    if (strcmp(argv[1], "killed_mid_pop") == 0) return killed_mid_pop();
    if (strcmp(argv[1], "foreign_owner_lap") == 0) return foreign_owner_lap();
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
