/*
 * open_full_shm.c -- a writer's zinc_open on a full /dev/shm (tmpfs): the file can be sized
 * (ftruncate makes it sparse) but a store into a page tmpfs cannot back raises SIGBUS, and
 * zinc_open runs outside the SIGBUS guard of guard.c. The open must answer ZINC_E_OPEN naming the
 * file and the reason, never kill the process. Meant to run with a small tmpfs mounted on
 * /dev/shm in a private mount namespace (tests/unit/zinc_open_full_shm.test.ts):
 *
 *   unshare -Urm sh -c 'mount -t tmpfs -o size=64k tmpfs /dev/shm && exec T fresh'
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o T ffi/tests/open_full_shm.c
 *
 * Cases: fresh (no file yet), half_created (the file a writer killed between its ftruncate and
 * its magic left: right size, magic 0, no page backed). Each exits 0 when the open is refused
 * cleanly and a region that fits still opens afterwards, 1 when not (a SIGBUS ends it with 135),
 * 2 when the setup failed.
 */
#include "../zinc.c"

static char err[256];

static int refused_cleanly(const char *what, int32_t id) {
    printf("%s: open=%d err=%s\n", what, id, err);
    if (id != ZINC_E_OPEN || strstr(err, "/dev/shm/full_shm.intents") == NULL) {
        printf("FAIL: %s: expected ZINC_E_OPEN naming the file\n", what);
        return 0;
    }
    /* Nothing held: a region that fits opens and works at once. */
    int32_t small = zinc_open("full_shm_small", ZINC_KIND_INTENTS, 2, ZINC_OPEN_WRITER, err, sizeof err);
    uint8_t rec[ZINC_INTENT_RECORD_SIZE] = {0};
    if (small < 0 || zinc_ring_push(small, rec, sizeof rec) != ZINC_OK) {
        printf("FAIL: %s: a region that fits did not open afterwards (%d: %s)\n", what, small, err);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    /* 256 + 1024 * 384 bytes: six times what the test's 64 KiB tmpfs holds. */
    if (strcmp(argv[1], "fresh") == 0) {
        int32_t id = zinc_open("full_shm", ZINC_KIND_INTENTS, 1024, ZINC_OPEN_WRITER, err, sizeof err);
        return refused_cleanly("fresh", id) ? 0 : 1;
    }
    if (strcmp(argv[1], "half_created") == 0) {
        int fd = open("/dev/shm/full_shm.intents", O_RDWR | O_CREAT, 0600);
        if (fd < 0 || ftruncate(fd, 256 + 1024 * 384) != 0) return 2;
        close(fd);
        int32_t id = zinc_open("full_shm", ZINC_KIND_INTENTS, 1024, ZINC_OPEN_WRITER, err, sizeof err);
        return refused_cleanly("half_created", id) ? 0 : 1;
    }
    return 2;
}
