/*
 * notify.c -- the one-shot signal: a writer publishes data, then bumps the u64 sequence and the
 * u32 futex word, then wakes sleepers only if the waiters count says someone sleeps. A waiter
 * registers in `waiters`, re-reads the futex word and the sequence, and sleeps only while the
 * sequence still equals what it last saw. All four accesses are seq_cst, so either the publisher
 * sees waiters > 0 or the waiter sees the new futex word (no lost wake-up). Shared (non-private)
 * futexes, because the waiters live in other processes. A push onto the intents ring that finds
 * a sleeper also rings the kernel's doorbell first (doorbell.c).
 */

static void zinc_publish(zinc_handle *h) {
    zinc_region_header *hdr = hdr_of(h);
    atomic_fetch_add(&hdr->seq, 1);
    atomic_fetch_add(&hdr->futex, 1);
    if (atomic_load(&hdr->waiters) != 0) {
        bell_ring(h); /* intents only: wakes the kernel's event loop directly (doorbell.c) */
        syscall(SYS_futex, &hdr->futex, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    }
}

static int64_t seq_unguarded(int32_t id) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    return seq_result(atomic_load(&hdr_of(h)->seq));
}

/* Blocks until seq != last_seq, the timeout passes, or the handle is closing; returns the seq
 * (ZINC_E_CORRUPT at once for a word >= 2^63, seq_result). The caller (guard.c) holds a reference
 * on h for the whole call. */
static int64_t wait_unguarded(zinc_handle *h, uint64_t last_seq, int32_t timeout_ms) {
    if (timeout_ms < 0 || timeout_ms > ZINC_WAIT_MS_MAX) timeout_ms = timeout_ms < 0 ? 0 : ZINC_WAIT_MS_MAX;
    zinc_region_header *hdr = hdr_of(h);
    uint64_t deadline = mono_ns() + (uint64_t)timeout_ms * 1000000ull;
    uint64_t seq = atomic_load(&hdr->seq);
    /* Bounded: each pass either returns or sleeps until a wake, a futex change or the deadline. */
    for (int pass = 0; pass < 1000000 && seq == last_seq && !seq_word_bad(seq) && atomic_load(&h->closing) == 0;
         pass++) {
        uint64_t now = mono_ns();
        if (now >= deadline) break;
        atomic_fetch_add(&hdr->waiters, 1);
        uint32_t word = atomic_load(&hdr->futex);
        seq = atomic_load(&hdr->seq);
        if (seq == last_seq && !seq_word_bad(seq) && atomic_load(&h->closing) == 0) {
            uint64_t left = deadline - now;
            struct timespec ts = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
            syscall(SYS_futex, &hdr->futex, FUTEX_WAIT, word, &ts, NULL, 0);
            seq = atomic_load(&hdr->seq);
        }
        atomic_fetch_sub(&hdr->waiters, 1);
    }
    return seq_result(seq);
}

/* Bounded busy wait on the sequence: at most spin_us (clamped to ZINC_SPIN_US_MAX) of CPU,
 * checking the clock and yielding the CPU (sched_yield) every 64 polls: on a machine with more
 * runnable threads than CPUs the producer this spin waits for may need this very CPU. Never
 * sleeps and never touches `waiters`. A word >= 2^63 answers ZINC_E_CORRUPT at once. */
static int64_t spin_wait_unguarded(zinc_handle *h, uint64_t last_seq, uint32_t spin_us) {
    zinc_region_header *hdr = hdr_of(h);
    if (spin_us > ZINC_SPIN_US_MAX) spin_us = ZINC_SPIN_US_MAX;
    uint64_t deadline = mono_ns() + (uint64_t)spin_us * 1000ull;
    uint64_t seq = atomic_load(&hdr->seq);
    for (uint32_t poll = 1; seq == last_seq && !seq_word_bad(seq) && atomic_load(&h->closing) == 0; poll++) {
        if ((poll & 63u) == 0) {
            if (mono_ns() >= deadline) break;
            sched_yield(); /* the other side may be waiting for this very CPU */
        }
        cpu_relax();
        seq = atomic_load(&hdr->seq);
    }
    return seq_result(seq);
}
