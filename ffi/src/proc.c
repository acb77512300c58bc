/*
 * proc.c -- is a writer or producer still alive? A pid alone can be reused, so the header and
 * ring cells also store the process start time (field 22 of /proc/<pid>/stat). A zombie (killed
 * but not yet reaped) counts as dead: it will never write again.
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

static uint64_t self_start_ticks(void) {
    static uint64_t cached;
    if (cached == 0) cached = proc_start_ticks((uint32_t)getpid(), NULL);
    return cached;
}

/* Alive means: kill(pid, 0) finds it, it is not a zombie, and its start time matches. */
static int pid_alive(uint32_t pid, uint64_t start_ticks) {
    if (pid == 0 || pid == ZINC_OWNER_FENCED || pid > (uint32_t)INT_MAX) return 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) return 0;
    char state = '?';
    uint64_t now_start = proc_start_ticks(pid, &state);
    if (state == 'Z' || state == 'X') return 0;
    if (start_ticks != 0 && now_start != 0 && now_start != start_ticks) return 0;
    return 1;
}

/* An outcome lane's owner word, (start_ticks & 0xFFFFFFFF) << 32 | pid: alive as in pid_alive,
 * comparing the low 32 bits of the start time (0 = unknown: pid-only check). */
static int owner_alive(uint64_t owner) {
    uint32_t pid = (uint32_t)(owner & 0xFFFFFFFFull), start32 = (uint32_t)(owner >> 32);
    if (pid == 0 || pid > (uint32_t)INT_MAX) return 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) return 0;
    char state = '?';
    uint64_t now_start = proc_start_ticks(pid, &state);
    if (state == 'Z' || state == 'X') return 0;
    if (start32 != 0 && now_start != 0 && (uint32_t)(now_start & 0xFFFFFFFFull) != start32) return 0;
    return 1;
}
