/*
 * region.c -- opening one region file. A writer (ZINC_OPEN_WRITER) creates the file or adopts
 * an existing one whose writer is dead; a client attaches to an existing, initialised file.
 * Refusals (wrong magic, newer layout, wrong kind, wrong size, live writer) write one line
 * naming the file into the caller's error buffer and return ZINC_E_OPEN.
 * Invariant kept: a region is only ever mapped after its size and header were validated.
 */

static const char *kind_name(uint32_t kind) {
    switch (kind) {
    case ZINC_KIND_INTENTS: return "intents";
    case ZINC_KIND_STATE: return "state";
    case ZINC_KIND_CONTROL: return "control";
    case ZINC_KIND_OUTCOMES: return "outcomes";
    default: return "unknown";
    }
}

static int32_t fail(char *err, uint32_t err_len, const char *fmt, ...) {
    if (err != NULL && err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return ZINC_E_OPEN;
}

/* The outcomes region's lane depth as stored (readers check it against the constant). */
static uint32_t outcome_depth(zinc_handle *h) {
    return ((const zinc_outcome_block *)(h->base + ZINC_HEADER_SIZE))->lane_depth;
}

/* Fills record size, cell geometry and total bytes for a kind and count; 0 when out of range. */
static int geometry(zinc_handle *h, uint32_t kind, uint32_t count) {
    int pow2 = count != 0 && (count & (count - 1)) == 0;
    h->kind = kind;
    h->record_count = count;
    switch (kind) {
    case ZINC_KIND_INTENTS:
        if (!pow2 || count < ZINC_RING_CAPACITY_MIN || count > ZINC_RING_CAPACITY_MAX) return 0;
        h->record_size = ZINC_INTENT_RECORD_SIZE;
        h->cell_stride = ZINC_INTENT_CELL_STRIDE;
        h->cells_off = ZINC_INTENT_CELLS_OFF;
        break;
    case ZINC_KIND_STATE:
        if (count < 1 || count > ZINC_SLOT_COUNT_MAX) return 0;
        h->record_size = ZINC_SLOT_SIZE;
        h->cell_stride = ZINC_SLOT_ENTRY_STRIDE;
        h->cells_off = ZINC_STATE_SLOTS_OFF;
        break;
    case ZINC_KIND_CONTROL:
        if (!pow2 || count < ZINC_RING_CAPACITY_MIN || count > ZINC_MAILBOX_CAPACITY_MAX) return 0;
        h->record_size = ZINC_COMMAND_RECORD_SIZE;
        h->cell_stride = ZINC_COMMAND_CELL_STRIDE;
        h->cells_off = ZINC_CONTROL_CELLS_OFF;
        break;
    case ZINC_KIND_OUTCOMES:
        /* record_count is the lane count; each lane holds ZINC_OUTCOME_LANE_DEPTH records. */
        if (count < 1 || count > ZINC_OUTCOME_LANES_MAX) return 0;
        h->record_size = ZINC_OUTCOME_RECORD_SIZE;
        h->cell_stride = ZINC_OUTCOME_RECORD_SIZE;
        h->cells_off = ZINC_OUTCOME_LANES_OFF + ZINC_OUTCOME_LANE_STRIDE * count;
        h->bytes = (size_t)h->cells_off + (size_t)ZINC_OUTCOME_RECORD_SIZE * ZINC_OUTCOME_LANE_DEPTH * count;
        return 1;
    default: return 0;
    }
    h->bytes = (size_t)h->cells_off + (size_t)h->cell_stride * count;
    return 1;
}

/* Fresh file: size it, lay out cells, then store the magic last (release) so a reader that
 * sees the magic sees a complete header. */
static void region_init(zinc_handle *h) {
    zinc_region_header *hdr = hdr_of(h);
    memset(h->base, 0, h->bytes);
    if (h->kind == ZINC_KIND_OUTCOMES) {
        ((zinc_outcome_block *)(h->base + ZINC_HEADER_SIZE))->lane_depth = ZINC_OUTCOME_LANE_DEPTH;
    } else if (h->kind != ZINC_KIND_STATE) {
        for (uint64_t i = 0; i < h->record_count; i++) {
            zinc_cell_header *c = (zinc_cell_header *)(h->base + h->cells_off + i * h->cell_stride);
            atomic_store_explicit(&c->owner, i << 32, memory_order_relaxed);
            atomic_store_explicit(&c->seq, i, memory_order_relaxed);
        }
    }
    hdr->version = (uint16_t)ZINC_LAYOUT_VERSION;
    hdr->kind = (uint16_t)h->kind;
    hdr->record_size = h->record_size;
    hdr->record_count = h->record_count;
    hdr->region_bytes = h->bytes;
    atomic_store_explicit(&hdr->magic, ZINC_MAGIC, memory_order_release);
}

/* Checks a mapped header against what this binary and the caller expect. */
static int32_t region_validate(zinc_handle *h, uint32_t kind, uint32_t count, off_t size,
                               char *err, uint32_t err_len) {
    zinc_region_header *hdr = hdr_of(h);
    uint32_t magic = atomic_load_explicit(&hdr->magic, memory_order_acquire);
    if (magic != ZINC_MAGIC)
        return fail(err, err_len, "%s: wrong magic 0x%08X (expected 0x%08X \"ZINC\"); not a Zinc region",
                    h->path, magic, ZINC_MAGIC);
    if (hdr->version > ZINC_LAYOUT_VERSION)
        return fail(err, err_len, "%s: layout version %u is newer than this binary supports (%u)",
                    h->path, hdr->version, ZINC_LAYOUT_VERSION);
    if (hdr->version != ZINC_LAYOUT_VERSION)
        return fail(err, err_len, "%s: layout version %u is not supported (expected %u)",
                    h->path, hdr->version, ZINC_LAYOUT_VERSION);
    if (hdr->kind != kind)
        return fail(err, err_len, "%s: region kind %u (%s), expected %u (%s)", h->path, hdr->kind,
                    kind_name(hdr->kind), kind, kind_name(kind));
    uint32_t want = count != 0 ? count : hdr->record_count;
    if (!geometry(h, kind, want) || hdr->record_count != want)
        return fail(err, err_len, "%s: record count %u, expected %u", h->path, hdr->record_count, want);
    if (hdr->record_size != h->record_size)
        return fail(err, err_len, "%s: record size %u, expected %u", h->path, hdr->record_size, h->record_size);
    if ((uint64_t)size != h->bytes || hdr->region_bytes != h->bytes)
        return fail(err, err_len, "%s: file size %lld bytes (header says %llu), expected %zu for %u records",
                    h->path, (long long)size, (unsigned long long)hdr->region_bytes, h->bytes, want);
    if (kind == ZINC_KIND_OUTCOMES && outcome_depth(h) != ZINC_OUTCOME_LANE_DEPTH)
        return fail(err, err_len, "%s: lane depth %u, expected %u", h->path, outcome_depth(h), ZINC_OUTCOME_LANE_DEPTH);
    return ZINC_OK;
}

#ifdef ZINC_TEST_HOOKS
/* Tests only (ffi/tests/claim_order.c): runs inside a writer's claim right after its pid names it,
 * as a preemption of the claiming writer there would; what a reader sees at that point is checked. */
static void (*zinc_test_claim_hook)(void);
#define ZINC_TEST_CLAIM_HOOK()                           \
    do {                                                 \
        if (zinc_test_claim_hook) zinc_test_claim_hook(); \
    } while (0)
#else
#define ZINC_TEST_CLAIM_HOOK() ((void)0)
#endif

/* Writer side: the flock is the authority; the pid check catches writers that do not lock. */
static int32_t region_claim_writer(zinc_handle *h, char *err, uint32_t err_len) {
    zinc_region_header *hdr = hdr_of(h);
    uint32_t pid = atomic_load(&hdr->writer_pid);
    uint64_t start = atomic_load(&hdr->writer_start);
    if (pid != 0 && pid != (uint32_t)getpid() && pid_alive(pid, start))
        return fail(err, err_len, "%s: refused, writer pid %u is alive", h->path, pid);
    /* The generation moves before the pid names this writer: a reader that sees this pid alive then
     * reads the header finds this writer's generation, never the one before it (a client would keep
     * that and take its next call for a restart). */
    atomic_fetch_add(&hdr->generation, 1);
    atomic_store(&hdr->writer_start, self_start_ticks((uint32_t)getpid()));
    atomic_store(&hdr->writer_pid, (uint32_t)getpid());
    ZINC_TEST_CLAIM_HOOK();
    atomic_fetch_and(&hdr->flags, ~ZINC_FLAG_CLEAN_CLOSE);
    h->writer = 1;
    return ZINC_OK;
}

static int32_t region_map(zinc_handle *h, size_t bytes, char *err, uint32_t err_len) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd, 0);
    if (p == MAP_FAILED) return fail(err, err_len, "%s: mmap failed: %s", h->path, strerror(errno));
    h->base = (uint8_t *)p;
    h->bytes = bytes;
    return ZINC_OK;
}
