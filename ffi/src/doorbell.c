/*
 * doorbell.c -- the intents ring's doorbell. The kernel's event loop listens on a Unix stream
 * socket, `/dev/shm/<prefix>.bell` (mode 0600), besides sleeping on the futex through a helper
 * thread. A push that finds a sleeper (`waiters != 0`, notify.c) sends one byte to it before the
 * FUTEX_WAKE: the byte wakes the kernel's event loop directly, one thread wake-up instead of two
 * (futex -> helper thread -> event loop). The bell only speeds the wake: the futex stays the
 * contract, so a producer that never rings (ffi/README.md section 10) is still heard.
 *
 * Best effort, never in the way of a push: the socket is non-blocking (a full socket buffer
 * means the kernel has bytes to read already), a missing or refused socket (no kernel, an older
 * one, a prefix too long for a socket path) is tried again at most once a second, and a broken
 * connection (the kernel restarted) is dropped and re-made once at once. The connection is per
 * handle under a mutex, so a thread never sends on a descriptor another thread closed.
 */

#define ZINC_BELL_RETRY_NS 1000000000ull

/* The bell's socket address for an intents handle (`/dev/shm/<prefix>.intents` -> `.bell`); 0 when
 * the path does not fit a socket address (then the prefix has no doorbell). */
static int bell_address(const zinc_handle *h, struct sockaddr_un *u) {
    static const char suffix[] = ".intents";
    size_t n = strlen(h->path), s = sizeof suffix - 1;
    if (n <= s || strcmp(h->path + n - s, suffix) != 0) return 0;
    memset(u, 0, sizeof *u);
    u->sun_family = AF_UNIX;
    int w = snprintf(u->sun_path, sizeof u->sun_path, "%.*s.bell", (int)(n - s), h->path);
    return w > 0 && (size_t)w < sizeof u->sun_path;
}

/* Connects when the retry bound allows; the caller holds bell_mu. */
static void bell_connect(zinc_handle *h) {
    uint64_t now = mono_ns();
    if (now < h->bell_retry_ns) return;
    h->bell_retry_ns = now + ZINC_BELL_RETRY_NS;
    struct sockaddr_un u;
    if (!bell_address(h, &u)) return;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    if (connect(fd, (struct sockaddr *)&u, sizeof u) != 0 && errno != EINPROGRESS) {
        close(fd);
        return;
    }
    h->bell_fd = fd;
}

/* Sends one byte; 0 when the connection is broken (then it is closed). The caller holds bell_mu. */
static int bell_send(zinc_handle *h) {
    const char one = 1;
    if (send(h->bell_fd, &one, 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1) return 1;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 1; /* full: bytes wait unread */
    close(h->bell_fd);
    h->bell_fd = -1;
    return 0;
}

static void bell_ring(zinc_handle *h) {
    if (h->kind != ZINC_KIND_INTENTS) return;
    pthread_mutex_lock(&h->bell_mu);
    if (h->bell_fd < 0) bell_connect(h);
    if (h->bell_fd >= 0 && !bell_send(h)) {
        h->bell_retry_ns = 0; /* the kernel restarted: its new socket may be there already */
        bell_connect(h);
        if (h->bell_fd >= 0) bell_send(h);
    }
    pthread_mutex_unlock(&h->bell_mu);
}

static void bell_close(zinc_handle *h) {
    pthread_mutex_lock(&h->bell_mu);
    if (h->bell_fd >= 0) close(h->bell_fd);
    h->bell_fd = -1;
    pthread_mutex_unlock(&h->bell_mu);
}
