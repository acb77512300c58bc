/*
 * ring_consume.c -- the consumer half of the ring: pop in position order, release each cell
 * for the next lap (owner tag first, then seq with release: for popped and skipped cells alike),
 * and decide about cells whose producer claimed but never published (see ring.c for the rule;
 * the owner's start time counts only when stored for the cell's current lap).
 */

static void ring_release(zinc_handle *h, zinc_cell_header *c, uint64_t pos) {
    uint64_t next = pos + h->record_count;
    atomic_store_explicit(&c->owner, lap_tag(next), memory_order_relaxed);
    atomic_store_explicit(&c->seq, next, memory_order_release);
}

/* Has the consumer been stuck at pos for at least stall_ms? Starts the clock on first sight. */
static int stall_elapsed(zinc_handle *h, uint64_t pos) {
    uint64_t now = mono_ns();
    if (h->stall_since_ns == 0 || h->stall_pos != pos) {
        h->stall_pos = pos;
        h->stall_since_ns = now;
    }
    return now - h->stall_since_ns >= (uint64_t)h->stall_ms * 1000000ull;
}

#ifdef ZINC_TEST_HOOKS
/* Tests only (ffi/tests/): runs inside a skip, after the owner word is handed to the next lap and
 * before the seq CAS frees the cell, as a preemption of the consumer at that point would. */
static void (*zinc_test_skip_hook)(void);
#define ZINC_TEST_SKIP_HOOK()                          \
    do {                                               \
        if (zinc_test_skip_hook) zinc_test_skip_hook(); \
    } while (0)
#else
#define ZINC_TEST_SKIP_HOOK() ((void)0)
#endif

/* The owner's start time when it was stored for this lap, else 0 (unknown: pid-only check).
 * A late producer fenced off in an earlier lap may have stored its own over it (ring.c). */
static uint64_t owner_start_of_lap(zinc_cell_header *c, uint64_t pos) {
    uint64_t v = atomic_load_explicit(&c->owner_lap_start, memory_order_relaxed);
    return (v & ~0xFFFFFFFFull) == lap_tag(pos) ? (v & 0xFFFFFFFFull) : 0;
}

/* Returns 1 when the claimed cell at pos was skipped, 0 when the consumer must wait for it, -1
 * when its owner word names a lap no producer of pos can hold (the ring is corrupt).
 * The skip releases the cell in ring_release's order: owner word to the next lap's tag FIRST,
 * then seq (release). In the other order a producer of the next lap could see the new seq,
 * claim the cell, fail its owner CAS against the stale owner word (ABANDONED although nobody
 * fenced it) and leave a claimed cell with owner pid 0 that stalls the ring for the stall bound. */
static int ring_skip_abandoned(zinc_handle *h, zinc_cell_header *c, uint64_t pos) {
    zinc_ring_block *r = ring_of(h);
    uint64_t owner = atomic_load_explicit(&c->owner, memory_order_acquire);
    uint32_t pid = (uint32_t)(owner & 0xFFFFFFFFull);
    uint64_t next = pos + h->record_count;
    /* Owner word already handed to the next lap, cell not yet freed: a consumer was killed inside a
     * skip (between the two CASes below). Only a skip stores that word while seq == pos: finish it. */
    int handed_on = owner == lap_tag(next);
    if (!handed_on && (owner & ~0xFFFFFFFFull) != lap_tag(pos)) return -1; /* another lap's owner: a stray write */
    if (handed_on) {
        /* nothing to judge: the dead consumer already decided to skip */
    } else if (pid == 0) {
        if (!stall_elapsed(h, pos)) return 0;
        uint64_t expected = lap_tag(pos);
        if (!atomic_compare_exchange_strong(&c->owner, &expected, lap_tag(pos) | ZINC_OWNER_FENCED)) return 0;
        owner = expected = lap_tag(pos) | ZINC_OWNER_FENCED;
    } else if (pid != ZINC_OWNER_FENCED) {
        /* Acquired the owner word above, so this reads the owner's own store or a later one. */
        if (pid_alive_masked(pid, owner_start_of_lap(c, pos), 0xFFFFFFFFull)) {
            atomic_store(&r->stalled_pid, pid);
            return 0;
        }
    }
    /* The owner can no longer write. Hand the owner word to the next lap, then free the cell with
     * a CAS (not a store) so a publish that raced us wins (the pop then reads it as usual). */
    if (!handed_on && !atomic_compare_exchange_strong(&c->owner, &owner, lap_tag(next))) return 0;
    ZINC_TEST_SKIP_HOOK();
    uint64_t expected = pos;
    if (!atomic_compare_exchange_strong_explicit(&c->seq, &expected, next, memory_order_acq_rel, memory_order_acquire))
        return 0;
    atomic_fetch_add(&r->abandoned_count, 1);
    atomic_store(&r->last_abandoned_pos, pos);
    atomic_store(&r->last_abandoned_pid, pid);
    h->stall_since_ns = 0;
    return 1;
}

static int32_t ring_pop_unguarded(int32_t id, void *out, uint32_t max_records) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!is_ring(h)) return ZINC_E_KIND;
    if (!h->writer) return ZINC_E_ROLE;
    if (out == NULL || max_records > (uint32_t)INT32_MAX / h->record_size) return ZINC_E_ARG;
    zinc_ring_block *r = ring_of(h);
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    int32_t n = 0, rc = ZINC_OK, stalled = 0;
    /* Bounded by max_records deliveries plus at most capacity skips. */
    for (uint32_t step = 0; (uint32_t)n < max_records && step < max_records + h->record_count; step++) {
        zinc_cell_header *c = cell_at(h, head);
        uint64_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
        if (seq == head + 1) {
            memcpy((uint8_t *)out + (size_t)n * h->record_size, (uint8_t *)c + ZINC_CELL_RECORD, h->record_size);
            ring_release(h, c, head);
            head++;
            n++;
            continue;
        }
        uint64_t ahead = seq - head;
        if (ahead == h->record_count || ahead == (uint64_t)h->record_count + 1) {
            /* Released for the next lap (then maybe claimed or published there): a consumer killed
             * after releasing this cell and before storing head had consumed it already. */
            head++;
            continue;
        }
        if (seq != head) { rc = ZINC_E_CORRUPT; break; }
        if (atomic_load_explicit(&r->tail, memory_order_acquire) == head) break; /* empty */
        int skipped = ring_skip_abandoned(h, c, head);
        if (skipped < 0) { rc = ZINC_E_CORRUPT; break; }
        if (skipped == 0) { stalled = 1; break; }
        head++;
    }
    if (!stalled) atomic_store(&r->stalled_pid, 0u);
    atomic_store_explicit(&r->head, head, memory_order_release);
    return n > 0 ? n : rc;
}

/* out4 = { head, tail, abandoned_count, stalled_pid << 32 | last_abandoned_pid }. */
static int32_t ring_stats_unguarded(int32_t id, uint64_t *out4) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!is_ring(h)) return ZINC_E_KIND;
    if (out4 == NULL) return ZINC_E_ARG;
    zinc_ring_block *r = ring_of(h);
    out4[0] = atomic_load(&r->head);
    out4[1] = atomic_load(&r->tail);
    out4[2] = atomic_load(&r->abandoned_count);
    out4[3] = ((uint64_t)atomic_load(&r->stalled_pid) << 32) | atomic_load(&r->last_abandoned_pid);
    return ZINC_OK;
}

int32_t zinc_ring_set_stall_ms(int32_t id, uint32_t stall_ms) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (stall_ms < 1 || stall_ms > 600000) return ZINC_E_ARG;
    h->stall_ms = stall_ms;
    return ZINC_OK;
}

/* Test hook: claim a position and stop, as a producer killed between claim and publish would.
 * write_owner = 1 also stores this process's pid as the owner. Returns the claimed position. */
static int32_t test_abandon_claim_unguarded(int32_t id, uint32_t write_owner) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!is_ring(h)) return ZINC_E_KIND;
    uint64_t pos = 0;
    int32_t rc = ring_claim(h, &pos);
    if (rc != ZINC_OK) return rc;
    if (write_owner && (rc = ring_own(h, cell_at(h, pos), pos)) != ZINC_OK) return rc;
    return (int32_t)(pos & 0x7FFFFFFF);
}
