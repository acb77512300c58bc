/*
 * guard.c -- a region file truncated under its mapping (a stray `truncate`, a full /dev/shm, a
 * broken peer) makes the next access to a page past the new end raise SIGBUS, which would kill
 * the process that maps it: the kernel at its next mirror, a strategy reading state, a producer.
 * Every exported call that touches a mapping runs under a guard instead: libzinc handles SIGBUS
 * (installed once, at the first zinc_open), and a fault inside a guarded call jumps back to that
 * call, which returns ZINC_E_TRUNCATED. A SIGBUS outside a guarded call is not libzinc's: the
 * handler hands it to the action that was installed before (or the default, which ends the
 * process as before). The guard is a thread-local jump buffer, so calls on several threads (a
 * Bun Worker waiting on a futex) are guarded independently, and nested calls restore the outer
 * guard. The handler runs with SA_NODEFER so that, after the jump, SIGBUS is not left blocked.
 * A call interrupted this way may leave its region half-written (a seqlock odd, a claimed cell):
 * the region is broken anyway, and every later call on it answers ZINC_E_TRUNCATED too.
 */

static __thread sigjmp_buf *zinc_guard_jb __attribute__((tls_model("initial-exec")));
static struct sigaction g_prev_sigbus;
static pthread_once_t g_guard_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    sigjmp_buf *jb = zinc_guard_jb;
    if (jb != NULL) siglongjmp(*jb, 1);
    /* Not a guarded access: the fault belongs to whoever handled SIGBUS before libzinc. */
    if ((g_prev_sigbus.sa_flags & SA_SIGINFO) && g_prev_sigbus.sa_sigaction != NULL) {
        g_prev_sigbus.sa_sigaction(sig, info, context);
    } else if (!(g_prev_sigbus.sa_flags & SA_SIGINFO) && g_prev_sigbus.sa_handler != SIG_DFL &&
               g_prev_sigbus.sa_handler != SIG_IGN) {
        g_prev_sigbus.sa_handler(sig);
    } else {
        signal(SIGBUS, SIG_DFL); /* the faulting access runs again and ends the process, as without us */
    }
}

static void install_sigbus_guard(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &g_prev_sigbus);
}

static void guard_init(void) { pthread_once(&g_guard_once, install_sigbus_guard); }

/* Runs `call` under the guard and returns its value, or ZINC_E_TRUNCATED when it faulted. The
 * jump buffer's owner frame is this function's, and nothing set after sigsetjmp is read after a
 * jump, so no local needs to be volatile. */
#define GUARDED_RETURN(T, call)                              \
    do {                                                     \
        sigjmp_buf jb_;                                      \
        sigjmp_buf *outer_ = zinc_guard_jb;                  \
        if (sigsetjmp(jb_, 0) != 0) {                        \
            zinc_guard_jb = outer_;                          \
            return (T)ZINC_E_TRUNCATED;                      \
        }                                                    \
        zinc_guard_jb = &jb_;                                \
        T r_ = (call);                                       \
        zinc_guard_jb = outer_;                              \
        return r_;                                           \
    } while (0)

static int32_t close_header(zinc_handle *h) { GUARDED_RETURN(int32_t, close_header_unguarded(h)); }
int64_t zinc_seq(int32_t id) { GUARDED_RETURN(int64_t, seq_unguarded(id)); }
int32_t zinc_header(int32_t id, void *out64) { GUARDED_RETURN(int32_t, header_unguarded(id, out64)); }
int32_t zinc_check(int32_t id, char *err, uint32_t err_len) { GUARDED_RETURN(int32_t, check_unguarded(id, err, err_len)); }
int32_t zinc_outcome_claim(int32_t id, uint32_t *out_generation) { GUARDED_RETURN(int32_t, outcome_claim_unguarded(id, out_generation)); }
int32_t zinc_outcome_release(int32_t id, uint32_t lane, uint32_t generation) { GUARDED_RETURN(int32_t, outcome_release_unguarded(id, lane, generation)); }
int32_t zinc_outcome_poll(int32_t id, uint32_t lane, void *out, uint32_t max, uint64_t *out_lost) { GUARDED_RETURN(int32_t, outcome_poll_unguarded(id, lane, out, max, out_lost)); }
int64_t zinc_outcome_head(int32_t id, uint32_t lane) { GUARDED_RETURN(int64_t, outcome_head_unguarded(id, lane)); }
int32_t zinc_outcome_peek(int32_t id, uint32_t lane, uint64_t pos, void *out) { GUARDED_RETURN(int32_t, outcome_peek_unguarded(id, lane, pos, out)); }
int32_t zinc_outcome_publish(int32_t id, const void *recs, uint32_t count) { GUARDED_RETURN(int32_t, outcome_publish_unguarded(id, recs, count)); }
int32_t zinc_outcome_stats(int32_t id, uint64_t *out8) { GUARDED_RETURN(int32_t, outcome_stats_unguarded(id, out8)); }
int32_t zinc_outcome_lane_header(int32_t id, uint32_t lane, void *out64) { GUARDED_RETURN(int32_t, outcome_lane_header_unguarded(id, lane, out64)); }
int32_t zinc_outcome_set_namespace(int32_t id, const char *ns) { GUARDED_RETURN(int32_t, outcome_set_namespace_unguarded(id, ns)); }
int32_t zinc_outcome_namespace(int32_t id, char *out32) { GUARDED_RETURN(int32_t, outcome_namespace_unguarded(id, out32)); }
int32_t zinc_writer_alive(int32_t id) { GUARDED_RETURN(int32_t, writer_alive_unguarded(id)); }
int32_t zinc_ring_push(int32_t id, const void *rec, uint32_t len) { GUARDED_RETURN(int32_t, ring_push_unguarded(id, rec, len)); }
int32_t zinc_ring_push_batch(int32_t id, const void *recs, uint32_t count) { GUARDED_RETURN(int32_t, ring_push_batch_unguarded(id, recs, count)); }
int32_t zinc_ring_pop(int32_t id, void *out, uint32_t max_records) { GUARDED_RETURN(int32_t, ring_pop_unguarded(id, out, max_records)); }
int32_t zinc_ring_stats(int32_t id, uint64_t *out4) { GUARDED_RETURN(int32_t, ring_stats_unguarded(id, out4)); }
int32_t zinc_test_abandon_claim(int32_t id, uint32_t write_owner) { GUARDED_RETURN(int32_t, test_abandon_claim_unguarded(id, write_owner)); }
int32_t zinc_state_mirror(int32_t id, const void *slots, uint32_t slot_count, const uint64_t *dirty4, const void *account, uint64_t state_hash) { GUARDED_RETURN(int32_t, state_mirror_unguarded(id, slots, slot_count, dirty4, account, state_hash)); }
int32_t zinc_state_read_slot(int32_t id, uint32_t i, void *out) { GUARDED_RETURN(int32_t, state_read_slot_unguarded(id, i, out)); }
int32_t zinc_state_read_account(int32_t id, void *out96, uint64_t *out2) { GUARDED_RETURN(int32_t, state_read_account_unguarded(id, out96, out2)); }
int32_t zinc_control_write(int32_t id, uint32_t block, const void *src, uint32_t len) { GUARDED_RETURN(int32_t, control_write_unguarded(id, block, src, len)); }
int32_t zinc_control_read(int32_t id, uint32_t block, void *out, uint32_t len) { GUARDED_RETURN(int32_t, control_read_unguarded(id, block, out, len)); }

/* The waits hold a reference on the handle (close drains it), taken and dropped out here so a
 * faulted wait still drops it. */
static int64_t wait_guarded(zinc_handle *h, uint64_t last, int32_t timeout_ms) {
    GUARDED_RETURN(int64_t, wait_unguarded(h, last, timeout_ms));
}
static int64_t spin_wait_guarded(zinc_handle *h, uint64_t last, uint32_t spin_us) {
    GUARDED_RETURN(int64_t, spin_wait_unguarded(h, last, spin_us));
}
static int64_t outcome_wait_guarded(zinc_handle *h, uint32_t lane, uint64_t last, uint32_t spin_us, int32_t timeout_ms) {
    GUARDED_RETURN(int64_t, outcome_wait_unguarded(h, lane, last, spin_us, timeout_ms));
}

int64_t zinc_wait(int32_t id, uint64_t last_seq, int32_t timeout_ms) {
    zinc_handle *h = handle_ref(id);
    if (h == NULL) return ZINC_E_BADF;
    int64_t r = wait_guarded(h, last_seq, timeout_ms);
    handle_unref(h);
    return r;
}

int64_t zinc_spin_wait(int32_t id, uint64_t last_seq, uint32_t spin_us) {
    zinc_handle *h = handle_ref(id);
    if (h == NULL) return ZINC_E_BADF;
    int64_t r = spin_wait_guarded(h, last_seq, spin_us);
    handle_unref(h);
    return r;
}

int64_t zinc_outcome_wait(int32_t id, uint32_t lane, uint64_t last_head, uint32_t spin_us, int32_t timeout_ms) {
    zinc_handle *h = handle_ref(id);
    if (h == NULL) return ZINC_E_BADF;
    int64_t r = outcome_wait_guarded(h, lane, last_head, spin_us, timeout_ms);
    handle_unref(h);
    return r;
}
