/*
 * proc.c -- is a writer or producer still alive? A pid alone can be reused, so the header and
 * ring cells also store the process start time (field 22 of /proc/<pid>/stat). A zombie (killed
 * but not yet reaped) counts as dead: it will never write again. This process's own start time
 * is cached per pid (self_start_ticks), so a fork()ed child never stamps its parent's.
 */

/* Returns the start time of pid in clock ticks, or 0 when unknown; *state gets the state char. */
static uint64_t proc_start_ticks(uint32_t pid, char *state) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%u/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may contain spaces and parentheses */
    if (p == NULL || p[1] != ' ') return 0;
    if (state) *state = p[2];
    p += 2;
    /* Fields after ')': state is field 3, starttime is field 22, i.e. 19 spaces further. */
    for (int field = 3; field < 22 && *p; p++) {
        if (*p == ' ') field++;
    }
    return strtoull(p, NULL, 10);
}

/* This process's start time, cached per pid. The cache is keyed by the pid it was read for
 * because a fork()ed (or clone()d) child inherits the parent's memory: a process-wide cache
 * would make the child stamp the PARENT's start time next to its own pid, and every liveness
 * check would then judge the live child dead (its ring cell skipped mid-copy, its outcome lane
 * taken over). Callers pass getpid() (they need it anyway), so fork, vfork+exec and raw clone
 * are all covered at no extra cost; pthread_atfork would miss raw clone(2) and adds nothing.
 * Race-free across threads: a writer stores the start time, then the pid (both seq_cst); a
 * reader that loads pid == me therefore sees a start time written for me (every writer in this
 * process computes it for the same pid), never the inherited one. 0 = unknown (retried). */
static _Atomic uint64_t self_start_cached;
static _Atomic uint32_t self_start_cached_pid;

static uint64_t self_start_ticks(uint32_t me) {
    if (atomic_load(&self_start_cached_pid) == me) {
        uint64_t start = atomic_load(&self_start_cached);
        if (start != 0) return start;
    }
    uint64_t start = proc_start_ticks(me, NULL);
    atomic_store(&self_start_cached, start);
    atomic_store(&self_start_cached_pid, me);
    return start;
}

/* Alive when kill(pid, 0) finds it, it is not a zombie, and (start_ticks & mask) matches its
 * start time under the same mask; start_ticks 0 (or an unknown /proc start) = pid-only check. */
static int pid_alive_masked(uint32_t pid, uint64_t start_ticks, uint64_t mask) {
    if (pid == 0 || pid == ZINC_OWNER_FENCED || pid > (uint32_t)INT_MAX) return 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) return 0;
    char state = '?';
    uint64_t now_start = proc_start_ticks(pid, &state);
    if (state == 'Z' || state == 'X') return 0;
    start_ticks &= mask;
    if (start_ticks != 0 && now_start != 0 && (now_start & mask) != start_ticks) return 0;
    return 1;
}

static int pid_alive(uint32_t pid, uint64_t start_ticks) { return pid_alive_masked(pid, start_ticks, ~0ull); }

/* An outcome lane's owner word, (start_ticks & 0xFFFFFFFF) << 32 | pid: alive as in pid_alive,
 * comparing the low 32 bits of the start time (0 = unknown: pid-only check). */
static int owner_alive(uint64_t owner) {
    return pid_alive_masked((uint32_t)(owner & 0xFFFFFFFFull), owner >> 32, 0xFFFFFFFFull);
}
