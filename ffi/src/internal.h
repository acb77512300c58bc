/*
 * internal.h -- the in-process handle and helpers shared by the parts of the unity build.
 * A handle owns one mapping of one region file. Only zinc_wait may run on another thread (a Bun
 * Worker), so the handle carries a reference count that close() drains before unmapping.
 */
#ifndef ZINC_INTERNAL_H
#define ZINC_INTERNAL_H

#include "../zinc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define ZINC_MAX_HANDLES 256
#define ZINC_PATH_MAX 160
#define ZINC_PREFIX_MAX 100
#define ZINC_CAS_SPINS 4096          /* bound on push CAS retries under contention */
#define ZINC_SEQLOCK_RETRIES 200000  /* bound on seqlock read attempts (~ms under a live writer) */
#define ZINC_STALL_MS_DEFAULT 1000u  /* claimed-but-unowned cell is fenced off after this stall */
#define ZINC_WAIT_MS_MAX 3600000
#define ZINC_CHECK_FILE_MS 50u       /* zinc_check stats the file at most this often per handle */

/* Invariant: programmer errors abort with a message; input errors return codes instead. */
#define ZINC_ASSERT(cond, msg)                                                   \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "Invariant: %s (%s:%d)\n", msg, __FILE__, __LINE__); \
            abort();                                                             \
        }                                                                        \
    } while (0)

typedef struct zinc_handle {
    int fd;
    uint32_t kind;
    uint32_t writer;        /* 1 when this handle holds the writer role (and the flock) */
    uint32_t mirrored;      /* state writer: 1 after its first mirror, which rewrote every torn slot */
    uint8_t *base;
    size_t bytes;
    uint32_t record_size;
    uint32_t record_count;  /* ring capacity or slot count */
    uint32_t cell_stride;
    uint32_t cells_off;
    uint32_t stall_ms;
    uint64_t stall_pos;     /* consumer-private: position of the current stall */
    uint64_t stall_since_ns;
    uint64_t file_checked_ns; /* last time zinc_check stat'ed the file (0 = never) */
    _Atomic int32_t refs;   /* in-flight zinc_wait calls from other threads */
    _Atomic int32_t closing;
    pthread_mutex_t bell_mu; /* the doorbell's connection (doorbell.c), intents producers only */
    int bell_fd;
    uint64_t bell_retry_ns;
    char path[ZINC_PATH_MAX];
} zinc_handle;

static inline zinc_region_header *hdr_of(zinc_handle *h) { return (zinc_region_header *)h->base; }
static inline zinc_ring_block *ring_of(zinc_handle *h) { return (zinc_ring_block *)(h->base + ZINC_RING_OFF); }

static inline uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A sequence word (a region's seq, an outcome lane's head) with bit 63 set is corruption: at 1e9
 * publishes a second a real one takes 292 years to get there. The calls that return one as int64
 * answer ZINC_E_CORRUPT instead: as int64 it would read as an error code or an unknown negative. */
static inline int seq_word_bad(uint64_t w) { return (w >> 63) != 0; }
static inline int64_t seq_result(uint64_t w) { return seq_word_bad(w) ? ZINC_E_CORRUPT : (int64_t)w; }

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    atomic_signal_fence(memory_order_seq_cst);
/* guard.c: installs the SIGBUS guard once (called by zinc_open before it maps anything). */
static void guard_init(void);

#endif
}

/* guard.c: installs the SIGBUS guard once (called by zinc_open before it maps anything). */
static void guard_init(void);

#endif
