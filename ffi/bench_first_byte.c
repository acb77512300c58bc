/*
 * bench_first_byte.c -- "the venue's socket" for bench/clients.ts: a loopback TCP relay in front
 * of bingx-sim that reports, for every HTTP request it receives, the kernel's receive timestamp of
 * the request's first byte (SO_TIMESTAMPNS, CLOCK_REALTIME). The figure is when the byte reached
 * the venue's socket, not when this process woke up to read it. Bytes pass on to the upstream
 * unchanged, answers come back unchanged.
 *
 * usage: bench_first_byte UPSTREAM_PORT
 * stdout: {"port":N} once listening, then one line per request:
 *   {"s":SEC,"ns":NSEC,"kernel":1,"method":"POST","path":"/openApi/..."}
 * "kernel":0 marks a request whose segment carried no kernel timestamp (the stamp is then this
 * process's clock at the read). Requests are split by their header block and Content-Length
 * (bodies in chunked encoding are not split: the adapter sends none).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_MAX (1 << 16)
#define CONNS_MAX 256

typedef struct {
    int down, up;
    char buf[BUF_MAX];
    size_t len;
    struct timespec first; /* receive time of the buffered request's first byte */
    int first_kernel;
    int dead; /* closed in this epoll batch; freed after it (a later event may still name it) */
} conn;

static conn *conns[CONNS_MAX];

static void die(const char *what) {
    perror(what);
    exit(1);
}

static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The Content-Length of a header block (0 when absent). */
static size_t content_length(const char *head, size_t n) {
    for (size_t i = 0; i + 16 < n; i++) {
        if ((i == 0 || head[i - 1] == '\n') && strncasecmp(head + i, "content-length:", 15) == 0)
            return (size_t)strtoul(head + i + 15, NULL, 10);
    }
    return 0;
}

/* Reports and drops every complete request at the front of the buffer. */
static void split_requests(conn *c, const struct timespec *now, int now_kernel) {
    for (;;) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (end == NULL) return;
        size_t head = (size_t)(end - c->buf) + 4;
        size_t total = head + content_length(c->buf, head);
        if (total > c->len) return;
        char method[16] = "", path[512] = "";
        sscanf(c->buf, "%15s %511s", method, path);
        char *q = strchr(path, '?');
        if (q != NULL) *q = 0; /* the query carries the signature: not printed */
        printf("{\"s\":%lld,\"ns\":%ld,\"kernel\":%d,\"method\":\"%s\",\"path\":\"%s\"}\n",
               (long long)c->first.tv_sec, c->first.tv_nsec, c->first_kernel, method, path);
        fflush(stdout);
        memmove(c->buf, c->buf + total, c->len - total);
        c->len -= total;
        /* A next request that began in the same read arrived with it. */
        c->first = *now;
        c->first_kernel = now_kernel;
    }
}

static void close_conn(int epfd, conn *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->down, NULL);
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->up, NULL);
    close(c->down);
    close(c->up);
    c->dead = 1;
}

static void free_dead(void) {
    for (int i = 0; i < CONNS_MAX; i++)
        if (conns[i] != NULL && conns[i]->dead) {
            free(conns[i]);
            conns[i] = NULL;
        }
}

/* From the client: relay, stamp the first byte of each request from the segment's receive time. */
static int on_down(conn *c) {
    char data[BUF_MAX];
    char control[256];
    for (;;) {
        struct iovec iov = {data, sizeof data};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
        ssize_t n = recvmsg(c->down, &msg, MSG_DONTWAIT);
        if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
        if (n == 0) return -1;
        struct timespec at = {0, 0};
        int kernel = 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
                memcpy(&at, CMSG_DATA(cm), sizeof at);
                kernel = at.tv_sec != 0;
            }
        }
        if (!kernel) clock_gettime(CLOCK_REALTIME, &at);
        if (send_all(c->up, data, (size_t)n) != 0) return -1;
        if (c->len == 0) {
            c->first = at;
            c->first_kernel = kernel;
        }
        if (c->len + (size_t)n > BUF_MAX) return -1; /* a request larger than the bench sends */
        memcpy(c->buf + c->len, data, (size_t)n);
        c->len += (size_t)n;
        split_requests(c, &at, kernel);
    }
}

/* From the upstream: relay the answer unchanged. */
static int on_up(conn *c) {
    char data[BUF_MAX];
    for (;;) {
        ssize_t n = recv(c->up, data, sizeof data, MSG_DONTWAIT);
        if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
        if (n == 0) return -1;
        if (send_all(c->down, data, (size_t)n) != 0) return -1;
    }
}

int main(int argc, char **argv) {
    /* A bench that dies (or throws before it stops the relay) takes the relay with it: a leaked
     * relay holds the bench's stdout pipe open and the caller reading it never finishes. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (argc != 2) {
        fprintf(stderr, "usage: bench_first_byte UPSTREAM_PORT\n");
        return 2;
    }
    int upstream_port = atoi(argv[1]);
    if (upstream_port <= 0 || upstream_port > 65535) {
        fprintf(stderr, "bench_first_byte: upstream port must be 1..65535, got %s\n", argv[1]);
        return 2;
    }
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* Set before any connection exists: accepted sockets inherit it, and the kernel stamps
     * every received segment from now on. */
    if (setsockopt(lfd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) die("SO_TIMESTAMPNS");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0) die("bind");
    if (listen(lfd, 64) != 0) die("listen");
    socklen_t alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &alen);
    printf("{\"port\":%d}\n", ntohs(addr.sin_port));
    fflush(stdout);

    int epfd = epoll_create1(0);
    if (epfd < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(epfd, events, 64, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL) {
                int down = accept(lfd, NULL, NULL);
                if (down < 0) continue;
                setsockopt(down, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
                setsockopt(down, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                int up = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)upstream_port),
                                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                int slot = -1;
                for (int k = 0; k < CONNS_MAX && slot < 0; k++)
                    if (conns[k] == NULL) slot = k;
                conn *c = slot >= 0 ? calloc(1, sizeof(conn)) : NULL;
                if (up < 0 || c == NULL || connect(up, (struct sockaddr *)&to, sizeof to) != 0) {
                    close(down);
                    if (up >= 0) close(up);
                    free(c);
                    continue;
                }
                setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                c->down = down;
                c->up = up;
                conns[slot] = c;
                /* Tagged pointers: the low bit tells the upstream side from the client side. */
                struct epoll_event d = {.events = EPOLLIN, .data.ptr = c};
                struct epoll_event u = {.events = EPOLLIN, .data.ptr = (char *)c + 1};
                epoll_ctl(epfd, EPOLL_CTL_ADD, down, &d);
                epoll_ctl(epfd, EPOLL_CTL_ADD, up, &u);
                continue;
            }
            uintptr_t p = (uintptr_t)events[i].data.ptr;
            conn *c = (conn *)(p & ~(uintptr_t)1);
            if (c->dead) continue;
            int rc = (p & 1) ? on_up(c) : on_down(c);
            if (rc != 0) close_conn(epfd, c);
        }
        free_dead();
    }
}
