/*
 * handles.c -- handle ids are (generation << 8) | index, so a stale id held by a Worker after
 * close() is rejected instead of touching a new region. Open and close take a mutex (rare);
 * lookups on the hot path are a plain load. zinc_wait takes a reference that close() drains.
 */

static pthread_mutex_t g_handles_mu = PTHREAD_MUTEX_INITIALIZER;
static zinc_handle *_Atomic g_handles[ZINC_MAX_HANDLES];
static uint32_t g_generation[ZINC_MAX_HANDLES];

static zinc_handle *handle_get(int32_t id) {
    if (id <= 0) return NULL;
    uint32_t idx = (uint32_t)id & 0xFFu;
    if (idx == 0) return NULL;
    zinc_handle *h = atomic_load_explicit(&g_handles[idx], memory_order_acquire);
    if (h == NULL || (g_generation[idx] & 0x7FFFFFu) != ((uint32_t)id >> 8)) return NULL;
    return h;
}

/* Takes a reference for a call that may run on another thread; NULL when closed or closing. */
static zinc_handle *handle_ref(int32_t id) {
    pthread_mutex_lock(&g_handles_mu);
    zinc_handle *h = handle_get(id);
    if (h != NULL && atomic_load(&h->closing) == 0) atomic_fetch_add(&h->refs, 1);
    else h = NULL;
    pthread_mutex_unlock(&g_handles_mu);
    return h;
}

static void handle_unref(zinc_handle *h) { atomic_fetch_sub(&h->refs, 1); }

static int32_t handle_insert(zinc_handle *h) {
    pthread_mutex_lock(&g_handles_mu);
    int32_t id = -1;
    for (uint32_t idx = 1; idx < ZINC_MAX_HANDLES; idx++) {
        if (atomic_load(&g_handles[idx]) == NULL) {
            g_generation[idx] = (g_generation[idx] + 1) & 0x7FFFFFu;
            if (g_generation[idx] == 0) g_generation[idx] = 1;
            atomic_store_explicit(&g_handles[idx], h, memory_order_release);
            id = (int32_t)((g_generation[idx] << 8) | idx);
            break;
        }
    }
    pthread_mutex_unlock(&g_handles_mu);
    return id;
}

/* Marks the handle closing and removes it from the table; the caller then drains refs. */
static zinc_handle *handle_remove(int32_t id) {
    pthread_mutex_lock(&g_handles_mu);
    zinc_handle *h = handle_get(id);
    if (h != NULL) {
        atomic_store(&h->closing, 1);
        atomic_store_explicit(&g_handles[(uint32_t)id & 0xFFu], NULL, memory_order_release);
    }
    pthread_mutex_unlock(&g_handles_mu);
    return h;
}
