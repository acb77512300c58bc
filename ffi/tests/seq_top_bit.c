/*
 * seq_top_bit.c -- a sequence word with bit 63 set (a stray or hostile write into /dev/shm: a real
 * sequence needs 292 years at 1e9 publishes a second to get there). The calls that return such a
 * word as int64 (zinc_seq, zinc_wait, zinc_spin_wait on the region header's seq; zinc_outcome_head,
 * zinc_outcome_wait on a lane's head) must answer ZINC_E_CORRUPT, never the word: as int64 it reads
 * as a negative number (2^64 - 6 is -6, ZINC_E_CORRUPT by accident; 2^63 an unknown code), and a
 * masked copy (bit 63 cleared) would pass for a real sequence. zinc_check names the file and
 * "sequence word >= 2^63". Run by tests/unit/zinc_seq_top_bit.test.ts and `make -C ffi test`:
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o T ffi/tests/seq_top_bit.c
 *   T region_seq | T lane_head (head, wait and poll)
 *
 * Each case exits 0 when the behaviour holds, 1 when it does not (printing what it saw), 2 when
 * the setup itself failed. Regions use the prefix given as argv[2] (default: one per pid).
 */
#include "harness.h"

static const uint64_t BAD[] = {1ull << 63, UINT64_MAX - 5 /* 2^64 - 6: -6 as int64 */, UINT64_MAX};

/* Writes one u64 into the region file at `off`, as another process would (not through libzinc). */
static int poke(const char *kind, off_t off, uint64_t value) {
    char path[200];
    snprintf(path, sizeof path, "/dev/shm/%s.%s", prefix, kind);
    int fd = open(path, O_RDWR);
    if (fd < 0) return 0;
    int ok = pwrite(fd, &value, sizeof value, off) == (ssize_t)sizeof value;
    close(fd);
    return ok;
}

static int region_seq(void) {
    int32_t w = zinc_open(prefix, ZINC_KIND_INTENTS, 4, ZINC_OPEN_WRITER, err, sizeof err);
    int32_t c = zinc_open(prefix, ZINC_KIND_INTENTS, 0, 0, err, sizeof err);
    SETUP(w >= 0 && c >= 0, "open");
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        uint64_t v = BAD[i];
        SETUP(poke("intents", ZINC_HDR_SEQ, v), "write the sequence word");
        int64_t seq = zinc_seq(c), waited = zinc_wait(c, 0, 0), same = zinc_wait(c, v, 0);
        int64_t spun = zinc_spin_wait(c, 0, 0), spun_same = zinc_spin_wait(c, v, 0);
        printf("seq word %llu: seq=%lld wait=%lld wait(last=word)=%lld spin=%lld spin(last=word)=%lld\n",
               (unsigned long long)v, (long long)seq, (long long)waited, (long long)same, (long long)spun,
               (long long)spun_same);
        CHECK(seq == ZINC_E_CORRUPT, "zinc_seq answered %lld for the word %llu, expected CORRUPT", (long long)seq,
              (unsigned long long)v);
        CHECK(waited == ZINC_E_CORRUPT && same == ZINC_E_CORRUPT, "zinc_wait answered %lld / %lld, expected CORRUPT",
              (long long)waited, (long long)same);
        CHECK(spun == ZINC_E_CORRUPT && spun_same == ZINC_E_CORRUPT,
              "zinc_spin_wait answered %lld / %lld, expected CORRUPT", (long long)spun, (long long)spun_same);
        int32_t rc = zinc_check(c, err, sizeof err);
        printf("check=%d: %s\n", rc, err);
        CHECK(rc == ZINC_E_CORRUPT && strstr(err, "sequence word >= 2^63") != NULL && strstr(err, prefix) != NULL,
              "zinc_check answered %d (%s), expected CORRUPT naming the file and the sequence word", rc, err);
    }
    /* The largest word that is still a sequence reads as itself; the writer publishes on from there. */
    SETUP(poke("intents", ZINC_HDR_SEQ, (1ull << 63) - 1), "write 2^63 - 1");
    CHECK(zinc_seq(c) == INT64_MAX && zinc_check(c, err, sizeof err) == ZINC_OK, "2^63 - 1 is a sequence (%s)", err);
    cleanup();
    return 0;
}

static int lane_head(void) {
    int32_t w = zinc_open(prefix, ZINC_KIND_OUTCOMES, 2, ZINC_OPEN_WRITER, err, sizeof err);
    int32_t c = zinc_open(prefix, ZINC_KIND_OUTCOMES, 0, 0, err, sizeof err);
    uint32_t gen = 0;
    int32_t lane = c >= 0 ? zinc_outcome_claim(c, &gen) : -1;
    SETUP(w >= 0 && c >= 0 && lane >= 0, "open and claim a lane");
    off_t head_off = ZINC_OUTCOME_LANES_OFF + (off_t)lane * ZINC_OUTCOME_LANE_STRIDE;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        uint64_t v = BAD[i];
        SETUP(poke("outcomes", head_off, v), "write the lane head");
        int64_t head = zinc_outcome_head(c, (uint32_t)lane), waited = zinc_outcome_wait(c, (uint32_t)lane, 0, 0, 0);
        int64_t same = zinc_outcome_wait(c, (uint32_t)lane, v, 0, 0);
        printf("lane head %llu: head=%lld wait=%lld wait(last=word)=%lld\n", (unsigned long long)v, (long long)head,
               (long long)waited, (long long)same);
        CHECK(head == ZINC_E_CORRUPT, "zinc_outcome_head answered %lld for the word %llu, expected CORRUPT",
              (long long)head, (unsigned long long)v);
        CHECK(waited == ZINC_E_CORRUPT && same == ZINC_E_CORRUPT,
              "zinc_outcome_wait answered %lld / %lld, expected CORRUPT", (long long)waited, (long long)same);
        uint8_t out[2 * ZINC_OUTCOME_RECORD_SIZE];
        uint64_t lost = 0;
        int32_t polled = zinc_outcome_poll(c, (uint32_t)lane, out, 2, &lost);
        printf("lane head %llu: poll=%d lost=%llu\n", (unsigned long long)v, polled, (unsigned long long)lost);
        CHECK(polled == ZINC_E_CORRUPT && lost == 0, "zinc_outcome_poll answered %d, lost %llu, expected CORRUPT, 0",
              polled, (unsigned long long)lost);
    }
    SETUP(poke("outcomes", head_off, (1ull << 63) - 1), "write 2^63 - 1");
    CHECK(zinc_outcome_head(c, (uint32_t)lane) == INT64_MAX, "2^63 - 1 is a lane head");
    cleanup();
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: %s region_seq|lane_head [prefix]\n", argv[0]);
        return 2;
    }
    if (argc > 2) snprintf(prefix, sizeof prefix, "%s", argv[2]);
    else snprintf(prefix, sizeof prefix, "zinc_seq_top_bit_%d", getpid());
    cleanup();
    if (strcmp(argv[1], "region_seq") == 0) return region_seq();
    if (strcmp(argv[1], "lane_head") == 0) return lane_head();
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
