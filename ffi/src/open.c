/*
 * open.c -- zinc_open / zinc_close: the lifecycle of one handle. Writers take an exclusive
 * flock (released by the kernel when the process dies, so a kill -9'd writer never blocks its
 * successor) and then the pid check; clients only validate and map.
 */

static int prefix_ok(const char *p) {
    size_t n = 0;
    if (p == NULL || p[0] == '.' || p[0] == 0) return 0;
    for (; p[n] != 0; n++) {
        char c = p[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || c == '.';
        if (!ok || n >= ZINC_PREFIX_MAX) return 0;
    }
    return 1;
}

/* A writer backs every page of its file before it stores anything: on a full /dev/shm (tmpfs) a
 * store into a page tmpfs cannot back raises SIGBUS, and zinc_open runs outside guard.c's guard. */
static int32_t region_reserve(zinc_handle *h, size_t bytes, char *err, uint32_t err_len) {
    int e = posix_fallocate(h->fd, 0, (off_t)bytes);
    if (e != 0) return fail(err, err_len, "%s: cannot back %zu bytes: %s", h->path, bytes, strerror(e));
    return ZINC_OK;
}

/* Opens, locks (writer) and maps an existing or new file; returns ZINC_OK or ZINC_E_OPEN. */
static int32_t open_mapped(zinc_handle *h, uint32_t kind, uint32_t count, int writer, char *err,
                           uint32_t err_len) {
    h->fd = open(h->path, O_RDWR | O_CLOEXEC | (writer ? O_CREAT : 0), 0600);
    if (h->fd < 0) return fail(err, err_len, "%s: cannot open: %s", h->path, strerror(errno));
    if (writer) {
        if (flock(h->fd, LOCK_EX | LOCK_NB) != 0) {
            uint32_t pid = 0;
            if (pread(h->fd, &pid, 4, ZINC_HDR_WRITER_PID) != 4) pid = 0;
            return fail(err, err_len, "%s: refused, a live writer (pid %u) holds the region lock", h->path, pid);
        }
        if (fchmod(h->fd, 0600) != 0) return fail(err, err_len, "%s: fchmod: %s", h->path, strerror(errno));
    }
    struct stat st;
    if (fstat(h->fd, &st) != 0) return fail(err, err_len, "%s: fstat: %s", h->path, strerror(errno));
    if (writer && st.st_size == 0) {
        if (!geometry(h, kind, count))
            return fail(err, err_len, "%s: record count %u out of range for a %s region", h->path, count, kind_name(kind));
        size_t bytes = h->bytes;
        if (ftruncate(h->fd, (off_t)bytes) != 0) return fail(err, err_len, "%s: ftruncate: %s", h->path, strerror(errno));
        if (region_reserve(h, bytes, err, err_len) != ZINC_OK) {
            if (ftruncate(h->fd, 0) != 0) { /* left sized with magic 0: the next writer re-inits it */ }
            return ZINC_E_OPEN;
        }
        if (region_map(h, bytes, err, err_len) != ZINC_OK) return ZINC_E_OPEN;
        region_init(h);
        return region_claim_writer(h, err, err_len);
    }
    if (st.st_size < ZINC_HEADER_SIZE)
        return fail(err, err_len, "%s: truncated, %lld bytes is smaller than the 64-byte header", h->path, (long long)st.st_size);
    if (region_map(h, (size_t)st.st_size, err, err_len) != ZINC_OK) return ZINC_E_OPEN;
    size_t mapped = h->bytes;
    if (writer && atomic_load(&hdr_of(h)->magic) == 0 && geometry(h, kind, count) && h->bytes == mapped) {
        if (region_reserve(h, mapped, err, err_len) != ZINC_OK) return ZINC_E_OPEN;
        region_init(h); /* a writer died before finishing init: the magic is stored last */
        return region_claim_writer(h, err, err_len);
    }
    h->bytes = mapped;
    int32_t rc = region_validate(h, kind, count, st.st_size, err, err_len);
    h->bytes = mapped;
    if (rc != ZINC_OK || !writer) return rc;
    if (region_reserve(h, mapped, err, err_len) != ZINC_OK) return ZINC_E_OPEN;
    return region_claim_writer(h, err, err_len);
}

int32_t zinc_open(const char *prefix, uint32_t kind, uint32_t record_count, uint32_t flags, char *err,
                  uint32_t err_len) {
    guard_init();
    if (err != NULL && err_len > 0) err[0] = 0;
    if (!prefix_ok(prefix)) return fail(err, err_len, "zinc: invalid prefix (want [A-Za-z0-9_.-]{1,100}, not starting with '.')");
    if (kind < ZINC_KIND_INTENTS || kind > ZINC_KIND_OUTCOMES) return fail(err, err_len, "zinc: invalid region kind %u", kind);
    int writer = (flags & ZINC_OPEN_WRITER) != 0;
    zinc_handle *h = calloc(1, sizeof *h);
    if (h == NULL) return fail(err, err_len, "zinc: out of memory");
    h->fd = -1;
    h->bell_fd = -1;
    pthread_mutex_init(&h->bell_mu, NULL);
    h->stall_ms = ZINC_STALL_MS_DEFAULT;
    snprintf(h->path, sizeof h->path, "/dev/shm/%s.%s", prefix, kind_name(kind));
    int32_t rc = open_mapped(h, kind, record_count, writer, err, err_len);
    int32_t id = rc == ZINC_OK ? handle_insert(h) : rc;
    if (rc == ZINC_OK && id < 0) rc = fail(err, err_len, "%s: too many open zinc handles", h->path);
    if (rc != ZINC_OK) {
        if (h->base != NULL) munmap(h->base, h->bytes);
        if (h->fd >= 0) close(h->fd);
        pthread_mutex_destroy(&h->bell_mu);
        free(h);
        return ZINC_E_OPEN;
    }
    return id;
}

/* Wakes every sleeper on the outcome lanes' futex words without changing them: a waiter of this
 * handle sees `closing` and leaves; another process's waiter re-checks its head and sleeps again. */
static void wake_lanes(zinc_handle *h) {
    for (uint32_t i = 0; i < h->record_count; i++) {
        _Atomic uint32_t *word = (_Atomic uint32_t *)(h->base + ZINC_OUTCOME_LANES_OFF + (size_t)i * ZINC_OUTCOME_LANE_STRIDE + 28);
        syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    }
}

/* The header writes of a close: wake our own sleeping waiters (a Worker) and wait for them to leave
 * before unmapping; a writer marks the region closed cleanly. Runs under the SIGBUS guard
 * (`close_header`, guard.c): a file truncated under the mapping must not kill the closing process. */
static int32_t close_header_unguarded(zinc_handle *h) {
    zinc_region_header *hdr = hdr_of(h);
    for (int i = 0; i < 5000 && atomic_load(&h->refs) > 0; i++) {
        atomic_fetch_add(&hdr->futex, 1);
        syscall(SYS_futex, &hdr->futex, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
        if (h->kind == ZINC_KIND_OUTCOMES) wake_lanes(h); /* lane waits sleep on their own words */
        usleep(1000);
    }
    if (h->writer) {
        atomic_fetch_or(&hdr->flags, ZINC_FLAG_CLEAN_CLOSE);
        atomic_store(&hdr->writer_pid, 0u);
    }
    return ZINC_OK;
}

static int32_t close_header(zinc_handle *h);

int32_t zinc_close(int32_t id) {
    zinc_handle *h = handle_remove(id);
    if (h == NULL) return ZINC_E_BADF;
    /* A truncated file: nothing of the header could be written; the handle is released all the same. */
    (void)close_header(h);
    int32_t rc = ZINC_OK;
    if (atomic_load(&h->refs) == 0) munmap(h->base, h->bytes);
    else rc = ZINC_E_CONTENDED; /* leak the mapping rather than unmap under a live waiter */
    close(h->fd);
    bell_close(h);
    if (h->refs == 0) pthread_mutex_destroy(&h->bell_mu);
    free(h->refs == 0 ? h : NULL);
    return rc;
}

static int32_t header_unguarded(int32_t id, void *out64) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (out64 == NULL) return ZINC_E_ARG;
    memcpy(out64, h->base, ZINC_HEADER_SIZE);
    return ZINC_OK;
}

/*
 * Re-validates an open region against the geometry it was opened with: the header's magic,
 * layout version, kind, record size, record count, region bytes and a sequence word below 2^63
 * (every call), the file's size (a file truncated under the mapping would fault a reader) and
 * that the path still names the mapped file (removed or replaced: another region now lives
 * there) — those two stat calls at most every ZINC_CHECK_FILE_MS per handle (the first call
 * always). Returns ZINC_OK, or ZINC_E_CORRUPT with one line naming the file and the field in `err`.
 */
static int32_t check_unguarded(int32_t id, char *err, uint32_t err_len) {
    zinc_handle *h = handle_get(id);
    if (h == NULL) return ZINC_E_BADF;
    if (err != NULL && err_len > 0) err[0] = 0;
    zinc_region_header *hdr = hdr_of(h);
    uint32_t magic = atomic_load_explicit(&hdr->magic, memory_order_acquire);
    uint64_t seq = atomic_load(&hdr->seq);
    int32_t rc = ZINC_OK;
    if (magic != ZINC_MAGIC)
        rc = fail(err, err_len, "%s: magic is 0x%08X, not 0x%08X \"ZINC\"", h->path, magic, ZINC_MAGIC);
    else if (hdr->version != ZINC_LAYOUT_VERSION)
        rc = fail(err, err_len, "%s: layout version is %u, not %u", h->path, hdr->version, ZINC_LAYOUT_VERSION);
    else if (hdr->kind != h->kind)
        rc = fail(err, err_len, "%s: region kind is %u, not %u (%s)", h->path, hdr->kind, h->kind, kind_name(h->kind));
    else if (hdr->record_size != h->record_size)
        rc = fail(err, err_len, "%s: record size is %u, not %u", h->path, hdr->record_size, h->record_size);
    else if (hdr->record_count != h->record_count)
        rc = fail(err, err_len, "%s: record count is %u, not %u", h->path, hdr->record_count, h->record_count);
    else if (hdr->region_bytes != h->bytes)
        rc = fail(err, err_len, "%s: header says %llu bytes, the mapping is %zu", h->path,
                  (unsigned long long)hdr->region_bytes, h->bytes);
    else if (h->kind == ZINC_KIND_OUTCOMES && outcome_depth(h) != ZINC_OUTCOME_LANE_DEPTH)
        rc = fail(err, err_len, "%s: lane depth is %u, not %u", h->path, outcome_depth(h), ZINC_OUTCOME_LANE_DEPTH);
    else if (seq_word_bad(seq))
        rc = fail(err, err_len, "%s: sequence word >= 2^63 (%llu): not a sequence libzinc wrote", h->path,
                  (unsigned long long)seq);
    if (rc != ZINC_OK) return ZINC_E_CORRUPT;
    /* The header is checked on every call (a few loads); the two stat calls (~5 us on a VM) at
     * most every ZINC_CHECK_FILE_MS per handle, so a check before every ring drain stays cheap. */
    uint64_t now = mono_ns();
    if (h->file_checked_ns != 0 && now - h->file_checked_ns < (uint64_t)ZINC_CHECK_FILE_MS * 1000000ull) return ZINC_OK;
    h->file_checked_ns = now;
    struct stat mapped, named;
    /* A file found bad is stat'ed again at every call: a failure is never followed by a pass. */
    if (fstat(h->fd, &mapped) != 0 || (uint64_t)mapped.st_size < h->bytes) {
        h->file_checked_ns = 0;
        fail(err, err_len, "%s: the file shrank to %lld bytes under a %zu-byte mapping", h->path,
             (long long)mapped.st_size, h->bytes);
        return ZINC_E_CORRUPT;
    }
    if (stat(h->path, &named) != 0 || named.st_ino != mapped.st_ino || named.st_dev != mapped.st_dev) {
        h->file_checked_ns = 0;
        fail(err, err_len, "%s: the file was removed or replaced while mapped", h->path);
        return ZINC_E_CORRUPT;
    }
    return ZINC_OK;
}
