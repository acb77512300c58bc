/*
 * seqlock.c -- single-writer seqlocks: the writer makes the lock odd, copies, makes it even
 * (release); a reader copies between two equal even reads (acquire), retrying a bounded number
 * of times. A lock left odd by a writer that died mid-copy marks a torn image: readers get
 * ZINC_E_TORN once the writer is dead (the writer itself: at once); a writer's first mirror rewrites torn slots.
 * Used for slot images and the account (state region) and for the control blocks.
 */

static void seqlock_begin(_Atomic uint64_t *lock, uint64_t *s) {
    uint64_t v = atomic_load_explicit(lock, memory_order_relaxed);
    v += v & 1; /* a predecessor died mid-write: start from the next even value */
    atomic_store_explicit(lock, v + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    *s = v;
}

static void seqlock_end(_Atomic uint64_t *lock, uint64_t s) {
    atomic_store_explicit(lock, s + 2, memory_order_release);
}

static void seqlock_write(_Atomic uint64_t *lock, void *dst, const void *src, size_t n) {
    uint64_t s;
    seqlock_begin(lock, &s);
    memcpy(dst, src, n);
    seqlock_end(lock, s);
}

static int32_t seqlock_read(zinc_handle *h, _Atomic uint64_t *lock, void *out, const void *src, size_t n) {
    for (int i = 0; i < ZINC_SEQLOCK_RETRIES; i++) {
        uint64_t s1 = atomic_load_explicit(lock, memory_order_acquire);
        if ((s1 & 1) == 0) {
            memcpy(out, src, n);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(lock, memory_order_relaxed) == s1) return ZINC_OK;
        }
        /* The writer's own writes end before its calls return (one thread per handle): an odd
         * lock it reads was left by a predecessor that died mid-copy. */
        if ((s1 & 1) && h->writer) return ZINC_E_TORN;
        if ((i & 255) == 255) {
            zinc_region_header *hdr = hdr_of(h);
            if ((s1 & 1) && !pid_alive(atomic_load(&hdr->writer_pid), atomic_load(&hdr->writer_start)))
                return ZINC_E_TORN;
            sched_yield();
        } else {
            cpu_relax();
        }
    }
    return ZINC_RETRY;
}

static zinc_state_globals *globals_of(zinc_handle *h) { return (zinc_state_globals *)(h->base + ZINC_HEADER_SIZE); }
static zinc_slot_entry *slot_of(zinc_handle *h, uint32_t i) {
    return (zinc_slot_entry *)(h->base + ZINC_STATE_SLOTS_OFF + (size_t)i * ZINC_SLOT_ENTRY_STRIDE);
}

/* Write-through: copy the dirty slots and the account, then publish and wake, before returning.
 * The globals lock stays odd for the whole call, so a reader can take a cross-slot snapshot.
 * A writer's first mirror also writes every slot whose lock a dead writer left odd (torn), dirty or
 * not, so no image stays torn; the others keep the last belief until this kernel changes them. */
static int32_t state_mirror_unguarded(int32_t id, const void *slots, uint32_t slot_count, const uint64_t *dirty4,
                          const void *account, uint64_t state_hash) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_STATE) return ZINC_E_KIND;
    if (!h->writer) return ZINC_E_ROLE;
    if (slots == NULL || dirty4 == NULL || account == NULL || slot_count != h->record_count) return ZINC_E_ARG;
    zinc_state_globals *g = globals_of(h);
    uint64_t gs;
    seqlock_begin(&g->lock, &gs);
    uint64_t torn[4] = {0, 0, 0, 0};
    for (uint32_t i = 0; !h->mirrored && i < slot_count; i++)
        if (atomic_load_explicit(&slot_of(h, i)->lock, memory_order_relaxed) & 1) torn[i / 64] |= 1ull << (i % 64);
    h->mirrored = 1;
    for (uint32_t w = 0; w < 4; w++) {
        uint64_t bits = dirty4[w] | torn[w];
        while (bits != 0) {
            uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (i >= slot_count) continue; /* bits past slot_count are ignored */
            zinc_slot_entry *e = slot_of(h, i);
            seqlock_write(&e->lock, e->image, (const uint8_t *)slots + (size_t)i * ZINC_SLOT_SIZE, ZINC_SLOT_SIZE);
        }
    }
    memcpy(g->account, account, ZINC_ACCOUNT_SIZE);
    atomic_store_explicit(&g->state_hash, state_hash, memory_order_relaxed);
    atomic_store_explicit(&g->mirror_count, atomic_load_explicit(&g->mirror_count, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    seqlock_end(&g->lock, gs);
    zinc_publish(h);
    return ZINC_OK;
}

static int32_t state_read_slot_unguarded(int32_t id, uint32_t i, void *out) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_STATE) return ZINC_E_KIND;
    if (out == NULL || i >= h->record_count) return ZINC_E_ARG;
    zinc_slot_entry *e = slot_of(h, i);
    return seqlock_read(h, &e->lock, out, e->image, ZINC_SLOT_SIZE);
}

/* out96 gets the account; out2 = { state_hash, mirror_count }, all read under one lock. */
static int32_t state_read_account_unguarded(int32_t id, void *out96, uint64_t *out2) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_STATE) return ZINC_E_KIND;
    if (out96 == NULL || out2 == NULL) return ZINC_E_ARG;
    zinc_state_globals *g = globals_of(h);
    /* hash, count, reserved and account are contiguous from offset 72 to 224: one copy. */
    uint8_t tmp[ZINC_STATE_ACCOUNT + ZINC_ACCOUNT_SIZE - ZINC_STATE_HASH];
    int32_t rc = seqlock_read(h, &g->lock, tmp, (const uint8_t *)g + (ZINC_STATE_HASH - ZINC_HEADER_SIZE), sizeof tmp);
    if (rc != ZINC_OK) return rc;
    memcpy(out2, tmp, 16);
    memcpy(out96, tmp + (ZINC_STATE_ACCOUNT - ZINC_STATE_HASH), ZINC_ACCOUNT_SIZE);
    return ZINC_OK;
}

static uint8_t *block_at(zinc_handle *h, uint32_t block, uint32_t *size) {
    uint32_t off = block == 0 ? ZINC_CONTROL_SNAPSHOT_BLOCK : ZINC_CONTROL_RESULT_BLOCK;
    *size = block == 0 ? ZINC_CONTROL_SNAPSHOT_SIZE : ZINC_CONTROL_RESULT_SIZE;
    return h->base + off;
}

/* Control blocks: 0 = snapshot (64 bytes), 1 = last command result (256 bytes). Writer only. */
static int32_t control_write_unguarded(int32_t id, uint32_t block, const void *src, uint32_t len) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_CONTROL) return ZINC_E_KIND;
    if (!h->writer) return ZINC_E_ROLE;
    uint32_t size = 0;
    uint8_t *b = block <= 1 ? block_at(h, block, &size) : NULL;
    if (b == NULL || src == NULL || len != size) return ZINC_E_ARG;
    seqlock_write((_Atomic uint64_t *)b, b + ZINC_BLOCK_PAYLOAD, src, size);
    zinc_publish(h);
    return ZINC_OK;
}

static int32_t control_read_unguarded(int32_t id, uint32_t block, void *out, uint32_t len) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (h->kind != ZINC_KIND_CONTROL) return ZINC_E_KIND;
    uint32_t size = 0;
    uint8_t *b = block <= 1 ? block_at(h, block, &size) : NULL;
    if (b == NULL || out == NULL || len != size) return ZINC_E_ARG;
    return seqlock_read(h, (_Atomic uint64_t *)b, out, b + ZINC_BLOCK_PAYLOAD, size);
}
