/*
 * zinc.c -- unity build of libzinc: the build compiles this one file
 * (gcc -O2 -std=c11 -D_GNU_SOURCE -shared -fPIC -o ffi/build/libzinc.so ffi/zinc.c), and each
 * concern lives in its own small file under ffi/src/:
 *   internal.h  handle struct, shared helpers and assertions
 *   proc.c      writer liveness (kill(pid,0) + /proc start time, zombies count as dead)
 *   handles.c   handle table: small int ids with a generation, refcount for cross-thread waits
 *   region.c    geometry, init, validation and writer claim of one region file
 *   doorbell.c  the intents ring's doorbell: a byte to the kernel's event loop when it sleeps
 *   open.c      zinc_open / zinc_close / zinc_header (flock + pid check)
 *   notify.c    publish (seq + futex word) and the bounded futex wait
 *   ring.c      Vyukov MPSC ring, producer side: claim, own, publish (intents and mailbox)
 *   ring_consume.c  consumer side: pop, release, abandoned-claim handling, stats
 *   seqlock.c   seqlock write/read, state mirror and control blocks
 *   outcomes.c  outcomes region, writer side: publish routed by client_intent_id, stats
 *   outcome_lanes.c  outcomes region, producer side: claim a lane, poll, wait
 *   guard.c     the exported calls that touch a mapping, each under a SIGBUS guard (truncated file)
 * The layouts are defined in zinc.h and drawn for other languages in ffi/README.md.
 */
#include "src/internal.h"
#include "src/proc.c"
#include "src/handles.c"
#include "src/region.c"
#include "src/doorbell.c"
#include "src/open.c"
#include "src/notify.c"
#include "src/ring.c"
#include "src/ring_consume.c"
#include "src/seqlock.c"
#include "src/outcomes.c"
#include "src/outcome_lanes.c"
#include "src/guard.c"
