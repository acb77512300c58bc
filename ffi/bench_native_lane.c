/*
 * bench_native_lane.c -- the ceiling of a native order lane for bench/ring_floor.ts: what a thread
 * with no runtime would take from "intent pushed" to "order request written" if it did the order
 * path's own work itself, on this host: drain the ring, apply the intent to the real kernel library
 * (dlopen'd), write its journal frame (one write(2), CRC-32 framed, not fsynced, as serve's
 * journal), sign the order request (HMAC-SHA256 over a BingX-shaped query carrying the client order
 * id the kernel gave the entry), write it to a kept-alive loopback socket. Not serve's code: a
 * measurement of what serve's ring path would cost if it were native, so the lane's worth is known
 * before it is built.
 *
 * usage: bench_native_lane KERNEL_LIB PREFIX PORT N wait|spin|warm TEMPLATES JOURNAL LAYOUT
 *   wait       sleeps in zinc_wait between intents; spin busy-reads the sequence; warm waits 1 ms at a
 *              time and, each time nothing came, rehearses the work (a scratch kernel's apply, a
 *              pwrite to a scratch file, a signing), as serve's path warmer does for its own path
 *   TEMPLATES  a file of 320-byte kernel input records: SETUP records applied before "ready",
 *              then one ENTER per intent (the i-th drained intent applies the i-th of them)
 *   LAYOUT     "SETUP,NOW_MS_OFF,SLOT_BYTES,COID_OFF": record and slot-image offsets (kernel/ABI.md)
 *   JOURNAL    a file the frames are appended to
 * Prints "ready", then per intent one line of CLOCK_REALTIME ns:
 *   push drained applied journaled signed written
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_loopback.h"
#include "zinc.h"

#define KIND_INTENTS 1u
#define RECORD 320u
#define CAPACITY 4096u
#define FRAME_HEADER 24u

typedef void *(*kernel_new_fn)(uint32_t, uint32_t, uint64_t);
typedef uint32_t (*kernel_apply_fn)(void *, const uint8_t *);
typedef const uint8_t *(*kernel_bytes_fn)(void *);

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0) return fclose(f), NULL;
    uint8_t *b = malloc((size_t)st.st_size);
    *len = b ? fread(b, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    return b;
}

/* The journal frame of one accepted record: header (CRC over bytes 4.., length, entries, "FRAM", seq), record. */
static int journal(int fd, const uint8_t *rec, uint64_t seq) {
    uint8_t frame[FRAME_HEADER + RECORD];
    uint32_t len = RECORD, entries = 1;
    memcpy(frame + 4, &len, 4);
    memcpy(frame + 8, &entries, 4);
    memcpy(frame + 12, "FRAM", 4);
    memcpy(frame + 16, &seq, 8);
    memcpy(frame + FRAME_HEADER, rec, RECORD);
    uint32_t crc = crc32(frame + 4, sizeof frame - 4);
    memcpy(frame, &crc, 4);
    return write(fd, frame, sizeof frame) == (ssize_t)sizeof frame ? 0 : -1;
}

/* HMAC-SHA256 keyed once: the inner and outer digests after the padded key, copied per message. */
static EVP_MD_CTX *inner0, *outer0, *scratch;

static void hmac_key(const char *key) {
    unsigned char ipad[64], opad[64];
    memset(ipad, 0x36, sizeof ipad);
    memset(opad, 0x5c, sizeof opad);
    for (size_t i = 0; key[i] && i < 64; i++) ipad[i] ^= (unsigned char)key[i], opad[i] ^= (unsigned char)key[i];
    inner0 = EVP_MD_CTX_new(), outer0 = EVP_MD_CTX_new(), scratch = EVP_MD_CTX_new();
    EVP_DigestInit_ex(inner0, EVP_sha256(), NULL);
    EVP_DigestUpdate(inner0, ipad, sizeof ipad);
    EVP_DigestInit_ex(outer0, EVP_sha256(), NULL);
    EVP_DigestUpdate(outer0, opad, sizeof opad);
}

static void hmac(const char *msg, size_t len, unsigned char mac[32]) {
    unsigned int n = 0;
    EVP_MD_CTX_copy_ex(scratch, inner0);
    EVP_DigestUpdate(scratch, msg, len);
    EVP_DigestFinal_ex(scratch, mac, &n);
    EVP_MD_CTX_copy_ex(scratch, outer0);
    EVP_DigestUpdate(scratch, mac, 32);
    EVP_DigestFinal_ex(scratch, mac, &n);
}

/* The signed order request for the entry's client order id; returns its length. */
static int order_request(char *out, size_t cap, const char *coid, uint64_t now_ms) {
    static const char HEX[] = "0123456789abcdef";
    char query[512];
    int q = snprintf(query, sizeof query,
                     "clientOrderID=%.40s&positionSide=LONG&quantity=0.001&side=BUY&symbol=BTC-USDT&type=MARKET"
                     "&recvWindow=5000&timestamp=%llu",
                     coid, (unsigned long long)now_ms);
    unsigned char mac[32];
    hmac(query, (size_t)q, mac);
    char hex[65];
    for (unsigned i = 0; i < 32; i++) hex[2 * i] = HEX[mac[i] >> 4], hex[2 * i + 1] = HEX[mac[i] & 15];
    hex[64] = 0;
    return snprintf(out, cap,
                    "POST /openApi/swap/v2/trade/order?%s&signature=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "X-BX-APIKEY: lane\r\nContent-Length: 0\r\n\r\n",
                    query, hex);
}

int main(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: bench_native_lane KERNEL_LIB PREFIX PORT N wait|spin|warm TEMPLATES JOURNAL LAYOUT\n");
        return 2;
    }
    int port = atoi(argv[3]), n = atoi(argv[4]), spin = strcmp(argv[5], "spin") == 0;
    int warm = strcmp(argv[5], "warm") == 0;
    unsigned setup = 0, now_off = 0, slot_bytes = 0, coid_off = 0;
    if (sscanf(argv[8], "%u,%u,%u,%u", &setup, &now_off, &slot_bytes, &coid_off) != 4) {
        fprintf(stderr, "bench_native_lane: LAYOUT must be SETUP,NOW_MS_OFF,SLOT_BYTES,COID_OFF\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (!lib) return fprintf(stderr, "bench_native_lane: %s\n", dlerror()), 1;
    kernel_new_fn kernel_new = (kernel_new_fn)dlsym(lib, "dita_kernel_new");
    kernel_apply_fn apply = (kernel_apply_fn)dlsym(lib, "dita_kernel_apply");
    kernel_bytes_fn accepted = (kernel_bytes_fn)dlsym(lib, "dita_kernel_accepted");
    kernel_bytes_fn slots = (kernel_bytes_fn)dlsym(lib, "dita_kernel_slots");
    if (!kernel_new || !apply || !accepted || !slots) return fprintf(stderr, "bench_native_lane: symbols\n"), 1;
    size_t tlen = 0;
    uint8_t *templates = read_file(argv[6], &tlen);
    if (!templates || tlen % RECORD != 0 || tlen / RECORD < setup + (size_t)n)
        return fprintf(stderr, "bench_native_lane: %s holds too few records\n", argv[6]), 1;
    void *k = kernel_new((uint32_t)n, (uint32_t)n, 30000), *rehearsal = kernel_new(1, 1, 30000);
    for (unsigned i = 0; i < setup; i++) apply(k, templates + (size_t)i * RECORD);
    hmac_key("native-lane-bench-secret-0123456789abcdef");
    crc_init();
    int jfd = open(argv[7], O_WRONLY | O_CREAT | O_APPEND, 0600);
    char rehearsal_path[4096];
    snprintf(rehearsal_path, sizeof rehearsal_path, "%s.rehearsal", argv[7]);
    int rfd = open(rehearsal_path, O_WRONLY | O_CREAT, 0600);
    char err[256];
    int32_t h = zinc_open(argv[2], KIND_INTENTS, CAPACITY, ZINC_OPEN_WRITER, err, sizeof err);
    if (h < 0 || jfd < 0 || rfd < 0)
        return fprintf(stderr, "bench_native_lane: %s\n", h < 0 ? err : "journal open"), 1;
    int s = connect_loopback(port);
    if (s < 0) return perror("bench_native_lane: connect"), 1;
    printf("ready\n");
    fflush(stdout);
    static uint8_t out[RECORD * 64];
    uint8_t rec[RECORD];
    char request[1024], answer[4096];
    uint64_t seq = (uint64_t)zinc_seq(h);
    int refused = 0;
    for (int got = 0; got < n;) {
        int64_t now = 0;
        if (spin) {
            do now = zinc_seq(h); while ((uint64_t)now == seq);
        } else {
            now = zinc_wait(h, seq, warm ? 1 : 1000);
        }
        if (now < 0) return 1;
        if (warm && (uint64_t)now == seq) {
            /* Idle for 1 ms: rehearse the path's work off the books (a scratch kernel, a scratch file). */
            memcpy(rec, templates + (size_t)setup * RECORD, RECORD);
            rec[4] = rec[5] = rec[6] = rec[7] = 0; /* slot 0 of the one-slot scratch kernel */
            apply(rehearsal, rec);
            if (pwrite(rfd, rec, RECORD, 0) != (ssize_t)RECORD) return perror("bench_native_lane: rehearsal"), 1;
            order_request(request, sizeof request, "rehearsal", 0);
            continue;
        }
        seq = (uint64_t)now;
        int popped = zinc_ring_pop(h, out, 64);
        uint64_t drained = realtime_ns();
        for (int i = 0; i < popped && got < n; i++, got++) {
            uint64_t push;
            memcpy(&push, out + (size_t)i * RECORD + 8, sizeof push);
            uint64_t t0 = i == 0 ? drained : realtime_ns();
            memcpy(rec, templates + (size_t)(setup + (unsigned)got) * RECORD, RECORD);
            uint64_t now_ms = t0 / 1000000ull;
            memcpy(rec + now_off, &now_ms, 8);
            apply(k, rec);
            refused += accepted(k)[0] == 0;
            uint32_t slot_id;
            memcpy(&slot_id, rec + 4, 4);
            const char *coid = (const char *)slots(k) + (size_t)slot_id * slot_bytes + coid_off;
            uint64_t t1 = realtime_ns();
            if (journal(jfd, rec, (uint64_t)got + 1) != 0) return perror("bench_native_lane: journal"), 1;
            uint64_t t2 = realtime_ns();
            int len = order_request(request, sizeof request, coid, now_ms);
            uint64_t t3 = realtime_ns();
            if (write(s, request, (size_t)len) != len) return perror("bench_native_lane: write"), 1;
            uint64_t t4 = realtime_ns();
            printf("%llu %llu %llu %llu %llu %llu\n", (unsigned long long)push, (unsigned long long)t0,
                   (unsigned long long)t1, (unsigned long long)t2, (unsigned long long)t3, (unsigned long long)t4);
            fflush(stdout);
            if (read(s, answer, sizeof answer) <= 0) return 1; /* the upstream's answer, off the clock */
        }
    }
    if (refused) fprintf(stderr, "bench_native_lane: the kernel refused %d of the entries\n", refused);
    close(s);
    close(jfd);
    close(rfd);
    unlink(rehearsal_path);
    zinc_close(h);
    return refused ? 1 : 0;
}
