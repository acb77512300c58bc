/*
 * ring.c -- bounded MPSC ring (Vyukov). Producers claim a position by CAS on `tail`, CAS their
 * pid into the cell's owner word, copy the record, then publish with CAS seq pos -> pos+1 and
 * notify. The single consumer (the region's writer) reads cells in position order, so each
 * producer's records arrive in its own push order, exactly once. A full ring answers ZINC_FULL
 * and writes nothing. A claimed-but-unpublished cell blocks the consumer until its owner is
 * known dead (pid gone, zombie, or start time changed: skipped at once; the start time is
 * trusted only when stored for this lap, see ring_own) or, when the owner pid
 * was never written, until the stall bound passes and the consumer fences the claim off with a
 * CAS on the owner word (the late producer then gets ZINC_E_ABANDONED and writes nothing).
 * A live owner is never skipped: its record would be torn. The consumer reports it instead
 * (stalled_pid in the ring block and zinc_ring_stats).
 */

static inline zinc_cell_header *cell_at(zinc_handle *h, uint64_t pos) {
    uint64_t i = pos & (uint64_t)(h->record_count - 1);
    return (zinc_cell_header *)(h->base + h->cells_off + i * h->cell_stride);
}
static inline uint64_t lap_tag(uint64_t pos) { return (pos & 0xFFFFFFFFull) << 32; }

static int is_ring(zinc_handle *h) { return h->kind == ZINC_KIND_INTENTS || h->kind == ZINC_KIND_CONTROL; }

/* Claims the next position; returns ZINC_OK with *pos_out, ZINC_FULL, or ZINC_E_CONTENDED. */
static int32_t ring_claim(zinc_handle *h, uint64_t *pos_out) {
    zinc_ring_block *r = ring_of(h);
    uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
    for (int spin = 0; spin < ZINC_CAS_SPINS; spin++) {
        zinc_cell_header *c = cell_at(h, pos);
        uint64_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
        int64_t dif = (int64_t)(seq - pos);
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&r->tail, &pos, pos + 1, memory_order_acq_rel,
                                                      memory_order_relaxed)) {
                *pos_out = pos;
                return ZINC_OK;
            }
        } else if (dif < 0) {
            return ZINC_FULL; /* the cell still holds the previous lap's record */
        } else {
            pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
        }
    }
    return ZINC_E_CONTENDED;
}

/* The cell's owner_lap_start value for a producer of pos: its lap next to its start time. */
static inline uint64_t lap_start(uint64_t pos, uint64_t start_ticks) {
    return lap_tag(pos) | (start_ticks & 0xFFFFFFFFull);
}

/* Takes ownership of a claimed cell; fails only when the consumer fenced the claim off.
 * The start time is stored BEFORE the owner CAS (release): a consumer that acquires the owner
 * word and sees this pid also sees this store or a later one. In the other order it could pair
 * the new pid with the previous lap's start time, judge a live producer dead, skip the cell and
 * hand it to the next lap while this producer is still copying into it (a torn record).
 * The store is NOT exclusive to this lap: a producer fenced off while paused between its claim
 * and this store may resume laps later and store its own start time over the current owner's.
 * That is why the value carries the lap (lap_start): the consumer trusts it only when its lap
 * equals the owner word's lap. The claimer of pos is the only process that stores lap_tag(pos)
 * (the tail CAS hands each pos to one producer), so a matching lap means "this owner's start
 * time"; any other lap means a late store of another producer: the consumer then checks the pid
 * alone, which may wait on a reused pid but never skips a live owner (ring_consume.c). The
 * legacy owner_start word gets 0 so an older consumer also falls back to the pid-only check. */
static int32_t ring_own(zinc_handle *h, zinc_cell_header *c, uint64_t pos) {
    uint32_t me = (uint32_t)getpid();
    atomic_store_explicit(&c->owner_start, 0, memory_order_relaxed);
    atomic_store_explicit(&c->owner_lap_start, lap_start(pos, self_start_ticks(me)), memory_order_relaxed);
    uint64_t expected = lap_tag(pos);
    if (!atomic_compare_exchange_strong_explicit(&c->owner, &expected, lap_tag(pos) | me, memory_order_acq_rel,
                                                 memory_order_acquire))
        return ZINC_E_ABANDONED;
    (void)h;
    return ZINC_OK;
}

static int32_t ring_push_one(zinc_handle *h, const uint8_t *rec) {
    uint64_t pos = 0;
    int32_t rc = ring_claim(h, &pos);
    if (rc != ZINC_OK) return rc;
    zinc_cell_header *c = cell_at(h, pos);
    if ((rc = ring_own(h, c, pos)) != ZINC_OK) return rc;
    memcpy((uint8_t *)c + ZINC_CELL_RECORD, rec, h->record_size);
    uint64_t expected = pos;
    if (!atomic_compare_exchange_strong_explicit(&c->seq, &expected, pos + 1, memory_order_release,
                                                 memory_order_relaxed))
        return ZINC_E_ABANDONED;
    return ZINC_OK;
}

static int32_t ring_push_unguarded(int32_t id, const void *rec, uint32_t len) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!is_ring(h)) return ZINC_E_KIND;
    if (rec == NULL || len != h->record_size) return ZINC_E_ARG;
    int32_t rc = ring_push_one(h, (const uint8_t *)rec);
    if (rc == ZINC_OK) zinc_publish(h);
    return rc;
}

/* Pushes up to count records, stopping at the first FULL; returns how many were pushed, or a
 * negative error when none was. One notify covers the whole batch. */
static int32_t ring_push_batch_unguarded(int32_t id, const void *recs, uint32_t count) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (!is_ring(h)) return ZINC_E_KIND;
    if (recs == NULL || count > (uint32_t)INT32_MAX / h->record_size) return ZINC_E_ARG;
    int32_t n = 0, rc = ZINC_OK;
    for (uint32_t i = 0; i < count; i++) {
        rc = ring_push_one(h, (const uint8_t *)recs + (size_t)i * h->record_size);
        if (rc != ZINC_OK) break;
        n++;
    }
    if (n > 0) zinc_publish(h);
    return n > 0 || rc == ZINC_OK || rc == ZINC_FULL ? n : rc;
}
