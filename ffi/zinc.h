/*
 * zinc.h -- the one source of truth for the Zinc shared-memory regions (DESIGN.md section 4).
 *
 * Three files per instance under /dev/shm, mode 0600:
 *   <prefix>.intents  kind 1: MPSC ring of 320-byte kernel InputRecords (opaque here)
 *   <prefix>.state    kind 2: per-slot seqlocked 448-byte SlotImages + the account + state hash
 *   <prefix>.control  kind 3: seqlocked control snapshot + command result + MPSC command mailbox
 *
 * Everything is little-endian, naturally aligned, and every offset below is asserted at compile
 * time. ffi/README.md draws the same layouts for other languages. Entry points are plain
 * int/pointer functions so bun:ffi (and ctypes) can call them; handles are small positive ints.
 */
#ifndef ZINC_H
#define ZINC_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define ZINC_MAGIC 0x434E495Au /* "ZINC" read as a little-endian u32 */
#define ZINC_LAYOUT_VERSION 1u
#define ZINC_KIND_INTENTS 1u
#define ZINC_KIND_STATE 2u
#define ZINC_KIND_CONTROL 3u

/*
 * Region header, 64 bytes, at offset 0 of every region.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     magic 0x434E495A "ZINC"                   |  0
 *  +-------------------------------+-------------------------------+
 *  |        layout version         |          region kind          |  4
 *  +-------------------------------+-------------------------------+
 *  |                       writer pid (0 = none)                   |  8
 *  +---------------------------------------------------------------+
 *  |                 futex word (+1 on every publish)              | 12
 *  +---------------------------------------------------------------+
 *  |                  publish sequence (u64, +1 per publish)       | 16
 *  +---------------------------------------------------------------+
 *  |                     record size (bytes)                       | 24
 *  +---------------------------------------------------------------+
 *  |                     record count                              | 28
 *  +---------------------------------------------------------------+
 *  |          waiters (processes sleeping on the futex word)       | 32
 *  +---------------------------------------------------------------+
 *  |                  flags (bit 0 = CLEAN_CLOSE)                  | 36
 *  +---------------------------------------------------------------+
 *  |   writer start time (u64, /proc/<pid>/stat field 22, ticks)   | 40
 *  +---------------------------------------------------------------+
 *  |   generation (u64, +1 each time a writer opens or adopts)     | 48
 *  +---------------------------------------------------------------+
 *  |               region bytes (u64, total file size)             | 56
 *  +---------------------------------------------------------------+
 */
#define ZINC_HDR_MAGIC 0
#define ZINC_HDR_VERSION 4
#define ZINC_HDR_KIND 6
#define ZINC_HDR_WRITER_PID 8
#define ZINC_HDR_FUTEX 12
#define ZINC_HDR_SEQ 16
#define ZINC_HDR_RECORD_SIZE 24
#define ZINC_HDR_RECORD_COUNT 28
#define ZINC_HDR_WAITERS 32
#define ZINC_HDR_FLAGS 36
#define ZINC_HDR_WRITER_START 40
#define ZINC_HDR_GENERATION 48
#define ZINC_HDR_REGION_BYTES 56
#define ZINC_HEADER_SIZE 64
#define ZINC_FLAG_CLEAN_CLOSE 1u

typedef struct zinc_region_header {
    _Atomic uint32_t magic;
    uint16_t version;
    uint16_t kind;
    _Atomic uint32_t writer_pid;
    _Atomic uint32_t futex;
    _Atomic uint64_t seq;
    uint32_t record_size;
    uint32_t record_count;
    _Atomic uint32_t waiters;
    _Atomic uint32_t flags;
    _Atomic uint64_t writer_start;
    _Atomic uint64_t generation;
    uint64_t region_bytes;
} zinc_region_header;

_Static_assert(sizeof(zinc_region_header) == ZINC_HEADER_SIZE, "header is 64 bytes");
_Static_assert(offsetof(zinc_region_header, magic) == ZINC_HDR_MAGIC, "magic");
_Static_assert(offsetof(zinc_region_header, version) == ZINC_HDR_VERSION, "version");
_Static_assert(offsetof(zinc_region_header, kind) == ZINC_HDR_KIND, "kind");
_Static_assert(offsetof(zinc_region_header, writer_pid) == ZINC_HDR_WRITER_PID, "writer_pid");
_Static_assert(offsetof(zinc_region_header, futex) == ZINC_HDR_FUTEX, "futex");
_Static_assert(offsetof(zinc_region_header, seq) == ZINC_HDR_SEQ, "seq");
_Static_assert(offsetof(zinc_region_header, record_size) == ZINC_HDR_RECORD_SIZE, "record_size");
_Static_assert(offsetof(zinc_region_header, record_count) == ZINC_HDR_RECORD_COUNT, "record_count");
_Static_assert(offsetof(zinc_region_header, waiters) == ZINC_HDR_WAITERS, "waiters");
_Static_assert(offsetof(zinc_region_header, flags) == ZINC_HDR_FLAGS, "flags");
_Static_assert(offsetof(zinc_region_header, writer_start) == ZINC_HDR_WRITER_START, "writer_start");
_Static_assert(offsetof(zinc_region_header, generation) == ZINC_HDR_GENERATION, "generation");
_Static_assert(offsetof(zinc_region_header, region_bytes) == ZINC_HDR_REGION_BYTES, "region_bytes");

/*
 * Ring block, 192 bytes at offset 64 of the intents and control regions. The producers' claim
 * counter and the consumer's position live on separate cache lines.
 *
 *   64  +-------------------------------+
 *       | tail  u64  next position to claim (producers CAS it)    |
 *       | ... 56 bytes padding ...                                 |
 *  128  +-------------------------------+
 *       | head  u64  next position the consumer reads             |
 *  136  | abandoned_count u64  cells skipped because their producer died |
 *  144  | last_abandoned_pos u64                                   |
 *  152  | last_abandoned_pid u32 | stalled_pid u32 (0 = not stalled) |
 *  160  | ... 96 bytes padding ...                                 |
 *  256  +-------------------------------+
 */
#define ZINC_RING_OFF 64
#define ZINC_RING_TAIL 64
#define ZINC_RING_HEAD 128
#define ZINC_RING_ABANDONED_COUNT 136
#define ZINC_RING_LAST_ABANDONED_POS 144
#define ZINC_RING_LAST_ABANDONED_PID 152
#define ZINC_RING_STALLED_PID 156
#define ZINC_RING_BLOCK_END 256

typedef struct zinc_ring_block {
    _Atomic uint64_t tail;
    uint8_t _pad0[56];
    _Atomic uint64_t head;
    _Atomic uint64_t abandoned_count;
    _Atomic uint64_t last_abandoned_pos;
    _Atomic uint32_t last_abandoned_pid;
    _Atomic uint32_t stalled_pid;
    uint8_t _pad1[96];
} zinc_ring_block;

_Static_assert(sizeof(zinc_ring_block) == ZINC_RING_BLOCK_END - ZINC_RING_OFF, "ring block");
_Static_assert(ZINC_RING_OFF + offsetof(zinc_ring_block, tail) == ZINC_RING_TAIL, "tail");
_Static_assert(ZINC_RING_OFF + offsetof(zinc_ring_block, head) == ZINC_RING_HEAD, "head");
_Static_assert(ZINC_RING_OFF + offsetof(zinc_ring_block, abandoned_count) == ZINC_RING_ABANDONED_COUNT, "abandoned");
_Static_assert(ZINC_RING_OFF + offsetof(zinc_ring_block, last_abandoned_pos) == ZINC_RING_LAST_ABANDONED_POS, "pos");
_Static_assert(ZINC_RING_OFF + offsetof(zinc_ring_block, last_abandoned_pid) == ZINC_RING_LAST_ABANDONED_PID, "pid");
_Static_assert(ZINC_RING_OFF + offsetof(zinc_ring_block, stalled_pid) == ZINC_RING_STALLED_PID, "stalled");

/*
 * Ring cell: a 64-byte cell header followed by the record (Vyukov bounded MPMC, used as MPSC).
 *
 *   +0  seq   u64  == pos: free for the producer of position pos; == pos+1: published
 *   +8  owner u64  (pos & 0xFFFFFFFF) << 32 | pid; pid 0 = claimed, owner not yet written;
 *                  pid 0xFFFFFFFF = fenced by the consumer (claim abandoned)
 *   +16 owner_start u64  the owner's /proc start time (0 = unknown: pid-only liveness check)
 *   +24 ... 40 bytes reserved ...
 *   +64 record (record_size bytes)
 */
#define ZINC_CELL_SEQ 0
#define ZINC_CELL_OWNER 8
#define ZINC_CELL_OWNER_START 16
#define ZINC_CELL_RECORD 64
#define ZINC_OWNER_FENCED 0xFFFFFFFFu

typedef struct zinc_cell_header {
    _Atomic uint64_t seq;
    _Atomic uint64_t owner;
    _Atomic uint64_t owner_start;
    uint8_t _reserved[40];
} zinc_cell_header;

_Static_assert(sizeof(zinc_cell_header) == ZINC_CELL_RECORD, "cell header is 64 bytes");
_Static_assert(offsetof(zinc_cell_header, seq) == ZINC_CELL_SEQ, "cell seq");
_Static_assert(offsetof(zinc_cell_header, owner) == ZINC_CELL_OWNER, "cell owner");
_Static_assert(offsetof(zinc_cell_header, owner_start) == ZINC_CELL_OWNER_START, "cell owner_start");

/* Intents region: header | ring block | capacity x 384-byte cells. */
#define ZINC_INTENT_RECORD_SIZE 320u
#define ZINC_INTENT_CELL_STRIDE 384u
#define ZINC_INTENT_CELLS_OFF 256u
#define ZINC_RING_CAPACITY_MIN 2u
#define ZINC_RING_CAPACITY_MAX 65536u
_Static_assert(ZINC_INTENT_CELL_STRIDE == ZINC_CELL_RECORD + ZINC_INTENT_RECORD_SIZE, "intent cell");

/*
 * State region: header | globals | account | slot entries.
 *
 *   64  globals seqlock u64 (odd while a mirror call is in progress: covers the whole call)
 *   72  state_hash u64
 *   80  mirror_count u64 (mirror calls completed)
 *   88  ... 40 bytes reserved ...
 *  128  AccountImage (96 bytes, kernel ABI)
 *  224  ... 32 bytes reserved ...
 *  256  slot entry 0: +0 seqlock u64 | +8 ... 56 reserved ... | +64 SlotImage (448 bytes)
 *  768  slot entry 1 ...                 (stride 512)
 */
#define ZINC_STATE_GLOBAL_LOCK 64
#define ZINC_STATE_HASH 72
#define ZINC_STATE_MIRROR_COUNT 80
#define ZINC_STATE_ACCOUNT 128
#define ZINC_ACCOUNT_SIZE 96u
#define ZINC_STATE_SLOTS_OFF 256u
#define ZINC_SLOT_SIZE 448u
#define ZINC_SLOT_ENTRY_STRIDE 512u
#define ZINC_SLOT_ENTRY_IMAGE 64u
#define ZINC_SLOT_COUNT_MAX 256u

typedef struct zinc_state_globals {
    _Atomic uint64_t lock;
    _Atomic uint64_t state_hash;
    _Atomic uint64_t mirror_count;
    uint8_t _reserved0[40];
    uint8_t account[ZINC_ACCOUNT_SIZE];
    uint8_t _reserved1[32];
} zinc_state_globals;

typedef struct zinc_slot_entry {
    _Atomic uint64_t lock;
    uint8_t _reserved[56];
    uint8_t image[ZINC_SLOT_SIZE];
} zinc_slot_entry;

_Static_assert(ZINC_HEADER_SIZE + sizeof(zinc_state_globals) == ZINC_STATE_SLOTS_OFF, "globals");
_Static_assert(ZINC_HEADER_SIZE + offsetof(zinc_state_globals, state_hash) == ZINC_STATE_HASH, "hash");
_Static_assert(ZINC_HEADER_SIZE + offsetof(zinc_state_globals, mirror_count) == ZINC_STATE_MIRROR_COUNT, "count");
_Static_assert(ZINC_HEADER_SIZE + offsetof(zinc_state_globals, account) == ZINC_STATE_ACCOUNT, "account");
_Static_assert(sizeof(zinc_slot_entry) == ZINC_SLOT_ENTRY_STRIDE, "slot entry");
_Static_assert(offsetof(zinc_slot_entry, image) == ZINC_SLOT_ENTRY_IMAGE, "slot image");

/*
 * Control region: header | ring block (mailbox) | snapshot block | result block | mailbox cells.
 *
 *  256  snapshot seqlock u64 | 56 reserved |  320 ControlSnapshot record (64 bytes)
 *  384  result seqlock u64   | 56 reserved |  448 CommandResult record (256 bytes)
 *  704  mailbox cells, stride 320 (64-byte cell header + 256-byte CommandRecord)
 * Record layouts (snapshot, command, result) are drawn in ffi/README.md; enums start at 1.
 */
#define ZINC_CONTROL_SNAPSHOT_BLOCK 256u
#define ZINC_CONTROL_SNAPSHOT_SIZE 64u
#define ZINC_CONTROL_RESULT_BLOCK 384u
#define ZINC_CONTROL_RESULT_SIZE 256u
#define ZINC_BLOCK_PAYLOAD 64u
#define ZINC_CONTROL_CELLS_OFF 704u
#define ZINC_COMMAND_RECORD_SIZE 256u
#define ZINC_COMMAND_CELL_STRIDE 320u
#define ZINC_MAILBOX_CAPACITY_MAX 1024u
_Static_assert(ZINC_CONTROL_SNAPSHOT_BLOCK + ZINC_BLOCK_PAYLOAD + ZINC_CONTROL_SNAPSHOT_SIZE == ZINC_CONTROL_RESULT_BLOCK, "snap");
_Static_assert(ZINC_CONTROL_RESULT_BLOCK + ZINC_BLOCK_PAYLOAD + ZINC_CONTROL_RESULT_SIZE == ZINC_CONTROL_CELLS_OFF, "result");
_Static_assert(ZINC_COMMAND_CELL_STRIDE == ZINC_CELL_RECORD + ZINC_COMMAND_RECORD_SIZE, "command cell");

/* Return codes. >= 0 is success (a count or a sequence); errors are negative and stable. */
#define ZINC_OK 0
#define ZINC_FULL 1          /* ring full: nothing written, retry later */
#define ZINC_RETRY 1         /* seqlock read did not stabilise within the retry bound */
#define ZINC_E_ARG (-1)      /* bad argument (null pointer, wrong length, out of range) */
#define ZINC_E_BADF (-2)     /* unknown or closed handle */
#define ZINC_E_ROLE (-3)     /* operation needs the writer role */
#define ZINC_E_KIND (-4)     /* operation not valid for this region kind */
#define ZINC_E_ABANDONED (-5) /* the consumer fenced this claim off; the record was NOT delivered */
#define ZINC_E_CORRUPT (-6)  /* a cell sequence broke the ring invariant */
#define ZINC_E_CONTENDED (-7) /* bounded CAS loop exhausted under contention; retry */
#define ZINC_E_OPEN (-8)     /* open refused; the error buffer names the file and the reason */
#define ZINC_E_TORN (-9)     /* image was being written when its writer died: do not trust it */

#define ZINC_OPEN_WRITER 1u  /* create or adopt the region and become its single writer */

int32_t zinc_open(const char *prefix, uint32_t kind, uint32_t record_count, uint32_t flags,
                  char *err, uint32_t err_len);
int32_t zinc_close(int32_t h);
int32_t zinc_header(int32_t h, void *out64);
/* Re-validates an open region (header fields, file size, the path still naming the mapped file):
 * ZINC_OK, or ZINC_E_CORRUPT with one line in err naming the file and what no longer matches. */
int32_t zinc_check(int32_t h, char *err, uint32_t err_len);
int64_t zinc_seq(int32_t h);
int64_t zinc_wait(int32_t h, uint64_t last_seq, int32_t timeout_ms);
/* Busy-waits (no syscall, no sleep) at most spin_us (0..ZINC_SPIN_US_MAX) microseconds for the
 * sequence to differ from last_seq; returns the current sequence. Called on the waiter's own
 * thread before it falls back to zinc_wait, so a change that comes soon costs no wake-up. */
#define ZINC_SPIN_US_MAX 10000u
int64_t zinc_spin_wait(int32_t h, uint64_t last_seq, uint32_t spin_us);
int32_t zinc_ring_push(int32_t h, const void *rec, uint32_t len);
int32_t zinc_ring_push_batch(int32_t h, const void *recs, uint32_t count);
int32_t zinc_ring_pop(int32_t h, void *out, uint32_t max_records);
int32_t zinc_ring_stats(int32_t h, uint64_t *out4);
int32_t zinc_ring_set_stall_ms(int32_t h, uint32_t stall_ms);
int32_t zinc_test_abandon_claim(int32_t h, uint32_t write_owner);
int32_t zinc_state_mirror(int32_t h, const void *slots, uint32_t slot_count, const uint64_t *dirty4,
                          const void *account, uint64_t state_hash);
int32_t zinc_state_read_slot(int32_t h, uint32_t i, void *out);
int32_t zinc_state_read_account(int32_t h, void *out96, uint64_t *out_hash_count2);
int32_t zinc_control_write(int32_t h, uint32_t block, const void *src, uint32_t len);
int32_t zinc_control_read(int32_t h, uint32_t block, void *out, uint32_t len);

#endif
