/*
 * outcome_lanes.c -- the outcomes region (kind 4), producer side: claim a lane (CAS on its owner
 * word; a lane whose owner died is taken over, its generation bumped so outcomes still in flight
 * for the dead producer are dropped by the writer or ignored by the new owner), poll records in
 * lane order from the producer's read position, and wait for the lane's head to move (bounded
 * spin, then the lane's own futex word, with the same waiter registration as section 3 of
 * ffi/README.md). A record written over before it was read is skipped and counted as lost: the
 * poller never blocks the writer and never returns a torn record.
 */

static int lane_ok(zinc_handle *h, uint32_t lane) {
    return h->kind == ZINC_KIND_OUTCOMES && lane < h->record_count;
}

/* This process's lane owner word; the start time is this pid's own, also in a fork()ed child
 * (proc.c), so a live child's lane is never judged dead and taken over. */
static uint64_t owner_word_self(void) {
    uint32_t me = (uint32_t)getpid();
    return ((self_start_ticks(me) & 0xFFFFFFFFull) << 32) | (uint64_t)me;
}

static int32_t outcome_claim_unguarded(int32_t id, uint32_t *out_generation) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_OUTCOMES) return ZINC_E_KIND;
    if (out_generation == NULL) return ZINC_E_ARG;
    uint64_t me = owner_word_self();
    for (uint32_t lane = 0; lane < h->record_count; lane++) {
        zinc_outcome_lane *l = lane_at(h, lane);
        uint64_t owner = atomic_load(&l->owner);
        if (owner != 0 && owner_alive(owner)) continue;
        if (!atomic_compare_exchange_strong(&l->owner, &owner, me)) continue; /* another claimer won */
        uint32_t gen = atomic_load(&l->generation) & ZINC_OUTCOME_GENERATION_MAX;
        gen = gen >= ZINC_OUTCOME_GENERATION_MAX ? 1 : gen + 1;
        atomic_store(&l->generation, gen);
        atomic_store(&l->read, atomic_load(&l->head)); /* what is there belongs to an earlier owner */
        *out_generation = gen;
        return (int32_t)lane;
    }
    return ZINC_E_BUSY;
}

static int32_t outcome_release_unguarded(int32_t id, uint32_t lane, uint32_t generation) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!lane_ok(h, lane)) return h->kind != ZINC_KIND_OUTCOMES ? ZINC_E_KIND : ZINC_E_ARG;
    zinc_outcome_lane *l = lane_at(h, lane);
    uint64_t me = owner_word_self();
    if (atomic_load(&l->generation) != generation) return ZINC_E_ARG;
    return atomic_compare_exchange_strong(&l->owner, &me, 0) ? ZINC_OK : ZINC_E_ARG;
}

static int32_t outcome_poll_unguarded(int32_t id, uint32_t lane, void *out, uint32_t max, uint64_t *out_lost) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!lane_ok(h, lane)) return h->kind != ZINC_KIND_OUTCOMES ? ZINC_E_KIND : ZINC_E_ARG;
    if (out == NULL || out_lost == NULL || max > (uint32_t)INT32_MAX / ZINC_OUTCOME_RECORD_SIZE) return ZINC_E_ARG;
    zinc_outcome_lane *l = lane_at(h, lane);
    if ((uint32_t)(atomic_load(&l->owner) & 0xFFFFFFFFull) != (uint32_t)getpid()) return ZINC_E_ROLE;
    uint64_t head = atomic_load_explicit(&l->head, memory_order_acquire);
    if (seq_word_bad(head)) return ZINC_E_CORRUPT; /* no lost count, no read position moved */
    uint64_t read = atomic_load_explicit(&l->read, memory_order_relaxed);
    uint64_t lost = 0;
    if (read > head) read = head; /* only a hostile write gets here: resume at the head */
    if (head - read > ZINC_OUTCOME_LANE_DEPTH) {
        lost += head - read - ZINC_OUTCOME_LANE_DEPTH;
        read = head - ZINC_OUTCOME_LANE_DEPTH;
    }
    uint32_t n = 0;
    /* Bounded: each pass advances `read`, and read < head <= read + depth. */
    while (n < max && read < head) {
        uint8_t *cell = outcome_cell(h, lane, read);
        _Atomic uint64_t *lock = (_Atomic uint64_t *)cell;
        uint64_t want = 2 * (read + 1);
        uint64_t s1 = atomic_load_explicit(lock, memory_order_acquire);
        if (s1 == want) {
            uint8_t *dst = (uint8_t *)out + (size_t)n * ZINC_OUTCOME_RECORD_SIZE;
            memcpy(dst, cell, ZINC_OUTCOME_RECORD_SIZE);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(lock, memory_order_relaxed) == want) {
                n++;
                read++;
                continue;
            }
        }
        lost++; /* written over (the writer lapped this reader) or hostile: never a torn copy */
        read++;
    }
    atomic_store_explicit(&l->read, read, memory_order_release);
    *out_lost += lost;
    return (int32_t)n;
}

static int64_t outcome_head_unguarded(int32_t id, uint32_t lane) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!lane_ok(h, lane)) return h->kind != ZINC_KIND_OUTCOMES ? ZINC_E_KIND : ZINC_E_ARG;
    return seq_result(atomic_load_explicit(&lane_at(h, lane)->head, memory_order_acquire));
}

/* Spins up to spin_us on the lane's head, then sleeps on the lane's futex word until the head
 * differs from last_head, the timeout passes or the handle closes (a head >= 2^63: ZINC_E_CORRUPT
 * at once, seq_result). Safe from another thread; the caller (guard.c) holds a reference on h for
 * the whole call. */
static int64_t outcome_wait_unguarded(zinc_handle *h, uint32_t lane, uint64_t last_head, uint32_t spin_us,
                                      int32_t timeout_ms) {
    if (!lane_ok(h, lane)) return ZINC_E_ARG;
    zinc_outcome_lane *l = lane_at(h, lane);
    if (spin_us > ZINC_SPIN_US_MAX) spin_us = ZINC_SPIN_US_MAX;
    if (timeout_ms < 0 || timeout_ms > ZINC_WAIT_MS_MAX) timeout_ms = timeout_ms < 0 ? 0 : ZINC_WAIT_MS_MAX;
    uint64_t start = mono_ns(), spin_end = start + (uint64_t)spin_us * 1000ull;
    uint64_t deadline = start + (uint64_t)timeout_ms * 1000000ull;
    uint64_t head = atomic_load(&l->head);
    for (uint32_t poll = 1; head == last_head && !seq_word_bad(head) && spin_us > 0; poll++) {
        if ((poll & 63u) == 0) {
            if (mono_ns() >= spin_end) break;
            sched_yield(); /* as zinc_spin_wait: the kernel may need this CPU to answer */
        }
        cpu_relax();
        head = atomic_load(&l->head);
    }
    for (int pass = 0; pass < 1000000 && head == last_head && !seq_word_bad(head) && atomic_load(&h->closing) == 0;
         pass++) {
        uint64_t now = mono_ns();
        if (now >= deadline) break;
        atomic_fetch_add(&l->waiters, 1);
        uint32_t word = atomic_load(&l->futex);
        head = atomic_load(&l->head);
        if (head == last_head && !seq_word_bad(head)) {
            uint64_t left = deadline - now;
            struct timespec ts = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
            syscall(SYS_futex, &l->futex, FUTEX_WAIT, word, &ts, NULL, 0);
            head = atomic_load(&l->head);
        }
        atomic_fetch_sub(&l->waiters, 1);
    }
    return seq_result(head);
}

/* Read-only: copies lane position `pos` when the cell still holds it, stable (0); 1 when it is not
 * written yet or was written over. Needs no ownership (status tools scan every lane with it). */
static int32_t outcome_peek_unguarded(int32_t id, uint32_t lane, uint64_t pos, void *out) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!lane_ok(h, lane)) return h->kind != ZINC_KIND_OUTCOMES ? ZINC_E_KIND : ZINC_E_ARG;
    if (out == NULL) return ZINC_E_ARG;
    zinc_outcome_lane *l = lane_at(h, lane);
    uint64_t head = atomic_load_explicit(&l->head, memory_order_acquire);
    if (pos >= head || head - pos > ZINC_OUTCOME_LANE_DEPTH) return 1;
    uint8_t *cell = outcome_cell(h, lane, pos);
    _Atomic uint64_t *lock = (_Atomic uint64_t *)cell;
    uint64_t want = 2 * (pos + 1);
    if (atomic_load_explicit(lock, memory_order_acquire) != want) return 1;
    memcpy(out, cell, ZINC_OUTCOME_RECORD_SIZE);
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(lock, memory_order_relaxed) == want ? ZINC_OK : 1;
}
