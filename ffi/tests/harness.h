/*
 * harness.h -- what the C regression cases in ffi/tests share: the unity build (zinc.c), the
 * region prefix and error buffer, a cleanup that unlinks every region file of the prefix, and the
 * CHECK (exit 1: the behaviour does not hold) and SETUP (exit 2: the setup failed) macros.
 */
#ifndef ZINC_TEST_HARNESS_H
#define ZINC_TEST_HARNESS_H

#include "../zinc.c"

#include <sys/wait.h>

static char prefix[128];
static char err[256];

static void cleanup(void) {
    static const char *kinds[] = {"intents", "state", "control", "outcomes"};
    char path[200];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "/dev/shm/%s.%s", prefix, kinds[i]);
        unlink(path);
    }
}

#define CHECK(cond, ...)                  \
    do {                                  \
        if (!(cond)) {                    \
            printf("FAIL: " __VA_ARGS__); \
            printf("\n");                 \
            cleanup();                    \
            return 1;                     \
        }                                 \
    } while (0)
#define SETUP(cond, what)                                 \
    do {                                                  \
        if (!(cond)) {                                    \
            printf("setup failed: %s (%s)\n", what, err); \
            cleanup();                                    \
            return 2;                                     \
        }                                                 \
    } while (0)

#endif
