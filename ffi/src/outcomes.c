/*
 * outcomes.c -- the outcomes region (kind 4), writer side: the kernel process publishes each
 * ring intent's outcome into the lane its client_intent_id names (lane << 48 | generation << 32 |
 * sequence). The writer never waits for a reader: a lane keeps the last ZINC_OUTCOME_LANE_DEPTH
 * records, each cell guarded by its own seqlock word that also names the lane position it holds
 * (2 * (p + 1)), so a reader can tell "not yet", "stable" and "written over" apart. A record for
 * a lane that does not exist or whose generation moved on (its producer is gone) is dropped and
 * counted; a lane that is never read is overwritten oldest first and counted; other lanes are
 * never touched. Every shared value is treated as hostile: indexes are bounded by the geometry
 * validated at open, whatever a header says.
 */

static zinc_outcome_block *outcome_block(zinc_handle *h) {
    return (zinc_outcome_block *)(h->base + ZINC_HEADER_SIZE);
}

static zinc_outcome_lane *lane_at(zinc_handle *h, uint32_t lane) {
    ZINC_ASSERT(lane < h->record_count, "outcome lane index checked by the caller");
    return (zinc_outcome_lane *)(h->base + ZINC_OUTCOME_LANES_OFF + (size_t)lane * ZINC_OUTCOME_LANE_STRIDE);
}

static uint8_t *outcome_cell(zinc_handle *h, uint32_t lane, uint64_t pos) {
    size_t i = (size_t)lane * ZINC_OUTCOME_LANE_DEPTH + (size_t)(pos & (ZINC_OUTCOME_LANE_DEPTH - 1));
    return h->base + h->cells_off + i * ZINC_OUTCOME_RECORD_SIZE;
}

static void lane_notify(zinc_outcome_lane *l) {
    atomic_fetch_add(&l->futex, 1);
    if (atomic_load(&l->waiters) != 0) syscall(SYS_futex, &l->futex, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Writes one record at the lane's head: lock odd, copy, lock = 2 * (head + 1), then head + 1. */
static void lane_write(zinc_handle *h, uint32_t lane, const uint8_t *rec) {
    zinc_outcome_lane *l = lane_at(h, lane);
    uint64_t head = atomic_load_explicit(&l->head, memory_order_relaxed);
    uint8_t *cell = outcome_cell(h, lane, head);
    _Atomic uint64_t *lock = (_Atomic uint64_t *)cell;
    atomic_store_explicit(lock, 2 * (head + 1) - 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    memcpy(cell + 8, rec + 8, ZINC_OUTCOME_RECORD_SIZE - 8);
    atomic_store_explicit(lock, 2 * (head + 1), memory_order_release);
    uint64_t read = atomic_load_explicit(&l->read, memory_order_relaxed);
    if (head >= ZINC_OUTCOME_LANE_DEPTH && read <= head - ZINC_OUTCOME_LANE_DEPTH) {
        atomic_fetch_add_explicit(&l->overwritten, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&outcome_block(h)->overwritten, 1, memory_order_relaxed);
    }
    atomic_store_explicit(&l->head, head + 1, memory_order_release);
}

static int32_t outcome_publish_unguarded(int32_t id, const void *recs, uint32_t count) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_OUTCOMES) return ZINC_E_KIND;
    if (!h->writer) return ZINC_E_ROLE;
    if ((recs == NULL && count > 0) || count > (uint32_t)INT32_MAX / ZINC_OUTCOME_RECORD_SIZE) return ZINC_E_ARG;
    zinc_outcome_block *b = outcome_block(h);
    uint64_t touched[ZINC_OUTCOME_LANES_MAX / 64] = {0};
    int32_t written = 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *rec = (const uint8_t *)recs + (size_t)i * ZINC_OUTCOME_RECORD_SIZE;
        uint64_t cid;
        memcpy(&cid, rec + 8, 8);
        uint32_t lane = (uint32_t)(cid >> 48), gen = (uint32_t)(cid >> 32) & ZINC_OUTCOME_GENERATION_MAX;
        if (gen == 0) continue; /* the producer asked for no outcome */
        if (lane >= h->record_count) {
            atomic_fetch_add_explicit(&b->unroutable, 1, memory_order_relaxed);
            continue;
        }
        zinc_outcome_lane *l = lane_at(h, lane);
        if (atomic_load_explicit(&l->generation, memory_order_acquire) != gen) {
            atomic_fetch_add_explicit(&l->stale, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&b->unroutable, 1, memory_order_relaxed);
            continue;
        }
        lane_write(h, lane, rec);
        touched[lane >> 6] |= 1ull << (lane & 63);
        written++;
    }
    atomic_fetch_add_explicit(&b->published, (uint64_t)written, memory_order_relaxed);
    for (uint32_t w = 0; w < ZINC_OUTCOME_LANES_MAX / 64; w++) {
        for (uint64_t bits = touched[w]; bits != 0; bits &= bits - 1)
            lane_notify(lane_at(h, w * 64 + (uint32_t)__builtin_ctzll(bits)));
    }
    if (written > 0) zinc_publish(h);
    return written;
}

/* out8 = { published, unroutable, overwritten, lane_depth, lanes, lanes held by a live owner, 0, 0 }. */
static int32_t outcome_stats_unguarded(int32_t id, uint64_t *out8) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_OUTCOMES) return ZINC_E_KIND;
    if (out8 == NULL) return ZINC_E_ARG;
    zinc_outcome_block *b = outcome_block(h);
    uint64_t owned = 0;
    for (uint32_t i = 0; i < h->record_count; i++) {
        uint64_t owner = atomic_load(&lane_at(h, i)->owner);
        if (owner != 0 && owner_alive(owner)) owned++;
    }
    out8[0] = atomic_load(&b->published);
    out8[1] = atomic_load(&b->unroutable);
    out8[2] = atomic_load(&b->overwritten);
    out8[3] = b->lane_depth;
    out8[4] = h->record_count;
    out8[5] = owned;
    out8[6] = 0;
    out8[7] = 0;
    return ZINC_OK;
}

static int32_t outcome_lane_header_unguarded(int32_t id, uint32_t lane, void *out64) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_OUTCOMES) return ZINC_E_KIND;
    if (out64 == NULL || lane >= h->record_count) return ZINC_E_ARG;
    memcpy(out64, lane_at(h, lane), ZINC_OUTCOME_LANE_STRIDE);
    return ZINC_OK;
}

static int32_t outcome_set_namespace_unguarded(int32_t id, const char *ns) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_OUTCOMES) return ZINC_E_KIND;
    if (!h->writer) return ZINC_E_ROLE;
    size_t n = ns == NULL ? 0 : strnlen(ns, ZINC_OUTCOME_NAMESPACE_SIZE + 1);
    if (n == 0 || n > ZINC_OUTCOME_NAMESPACE_SIZE) return ZINC_E_ARG;
    for (size_t i = 0; i < n; i++) {
        char c = ns[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return ZINC_E_ARG;
    }
    char *dst = outcome_block(h)->namespace_;
    memset(dst, 0, ZINC_OUTCOME_NAMESPACE_SIZE);
    memcpy(dst, ns, n);
    return ZINC_OK;
}

static int32_t outcome_namespace_unguarded(int32_t id, char *out32) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_OUTCOMES) return ZINC_E_KIND;
    if (out32 == NULL) return ZINC_E_ARG;
    memcpy(out32, outcome_block(h)->namespace_, ZINC_OUTCOME_NAMESPACE_SIZE);
    return ZINC_OK;
}

static int32_t writer_alive_unguarded(int32_t id) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    zinc_region_header *hdr = hdr_of(h);
    return pid_alive(atomic_load(&hdr->writer_pid), atomic_load(&hdr->writer_start)) ? 1 : 0;
}

int64_t zinc_mono_ns(void) { return (int64_t)mono_ns(); }

/* Touches no mapping: the owner word is the caller's copy (zinc_outcome_lane_header +16). */
int32_t zinc_owner_alive(uint64_t owner) { return owner != 0 && owner_alive(owner) ? 1 : 0; }
