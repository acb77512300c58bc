/*
 * claim_order.c -- C regression case of a writer's claim as a reader sees it (ffi/README.md: a
 * client takes a changed generation for a kernel restart). Built on the unity build (zinc.c) with
 * -DZINC_TEST_HOOKS, so the case stops the claiming writer right after its pid names it, as a
 * preemption there would, and reads the header the way a client does: writer alive, then the
 * generation. Run by tests/unit/zinc_claim_order.test.ts:
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -DZINC_TEST_HOOKS -Wall -Wextra -Werror -o T ffi/tests/claim_order.c
 *   T generation_before_pid
 *
 * Exits 0 when the behaviour holds, 1 when it does not, 2 when the setup itself failed.
 */
#include "harness.h"

static int32_t g_reader = -1;
static int g_seen_alive = -1;
static uint64_t g_seen_generation = 0;

/* A client's read of the header while the claiming writer is paused: liveness, then generation. */
static void read_as_client(void) {
    uint8_t hdr[ZINC_HEADER_SIZE];
    g_seen_alive = zinc_writer_alive(g_reader);
    if (zinc_header(g_reader, hdr) != ZINC_OK) return;
    memcpy(&g_seen_generation, hdr + ZINC_HDR_GENERATION, sizeof g_seen_generation);
}

static uint64_t generation_of(int32_t h) {
    uint8_t hdr[ZINC_HEADER_SIZE];
    uint64_t g = 0;
    if (zinc_header(h, hdr) == ZINC_OK) memcpy(&g, hdr + ZINC_HDR_GENERATION, sizeof g);
    return g;
}

/* A reader that sees the new writer alive reads that writer's generation, never the one before it. */
static int generation_before_pid(void) {
    int32_t first = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    SETUP(first >= 0, "first writer");
    g_reader = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
    SETUP(g_reader >= 0, "reader");
    uint64_t before = generation_of(g_reader);
    SETUP(before != 0, "first writer's generation");
    SETUP(zinc_close(first) == ZINC_OK, "first writer closes");
    SETUP(zinc_writer_alive(g_reader) == 0, "no writer after a clean close");
    zinc_test_claim_hook = read_as_client;
    int32_t second = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    zinc_test_claim_hook = NULL;
    SETUP(second >= 0, "second writer");
    printf("paused claim: writer alive %d, generation %llu (before %llu)\n", g_seen_alive,
           (unsigned long long)g_seen_generation, (unsigned long long)before);
    CHECK(g_seen_alive == 1, "the paused writer's pid did not read as alive");
    CHECK(g_seen_generation == before + 1,
          "a reader saw the new writer alive with the old generation %llu (expected %llu)",
          (unsigned long long)g_seen_generation, (unsigned long long)(before + 1));
    CHECK(generation_of(g_reader) == before + 1, "the claim moved the generation other than once");
    zinc_close(second);
    zinc_close(g_reader);
    cleanup();
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: %s generation_before_pid [prefix]\n", argv[0]);
        return 2;
    }
    if (argc > 2) snprintf(prefix, sizeof prefix, "%s", argv[2]);
    else snprintf(prefix, sizeof prefix, "dita_test_claim_order_%d", (int)getpid());
    cleanup();
    if (strcmp(argv[1], "generation_before_pid") == 0) return generation_before_pid();
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
