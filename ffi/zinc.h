/*
 * zinc.h -- the one source of truth for the Zinc shared-memory regions (docs/architecture.md §5, drawn byte for byte in ffi/README.md).
 *
 * Four files per instance under /dev/shm, mode 0600:
 *   <prefix>.intents  kind 1: MPSC ring of 320-byte kernel InputRecords (opaque here)
 *   <prefix>.state    kind 2: per-slot seqlocked 448-byte SlotImages + the account + state hash
 *   <prefix>.control  kind 3: seqlocked control snapshot + command result + MPSC command mailbox
 *   <prefix>.outcomes kind 4: one lane per producer of 256-byte OutcomeRecords (drop-oldest per lane)
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
#define ZINC_KIND_OUTCOMES 4u

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
 *   +16 owner_start u64  legacy, never read: libzinc writes 0 here (an older consumer reading it
 *                  then falls back to a pid-only check instead of pairing a pid with a stale time)
 *   +24 owner_lap_start u64  (pos & 0xFFFFFFFF) << 32 | (owner's /proc start time & 0xFFFFFFFF),
 *                  stored by the claimer of pos before its owner CAS. A consumer trusts it only
 *                  when its lap half equals the owner word's (else, or low half 0: pid-only check):
 *                  a late, fenced-off producer of an earlier lap may still store into it.
 *   +32 ... 32 bytes reserved ...
 *   +64 record (record_size bytes)
 */
#define ZINC_CELL_SEQ 0
#define ZINC_CELL_OWNER 8
#define ZINC_CELL_OWNER_START 16
#define ZINC_CELL_OWNER_LAP_START 24
#define ZINC_CELL_RECORD 64
#define ZINC_OWNER_FENCED 0xFFFFFFFFu

typedef struct zinc_cell_header {
    _Atomic uint64_t seq;
    _Atomic uint64_t owner;
    _Atomic uint64_t owner_start;
    _Atomic uint64_t owner_lap_start;
    uint8_t _reserved[32];
} zinc_cell_header;

_Static_assert(sizeof(zinc_cell_header) == ZINC_CELL_RECORD, "cell header is 64 bytes");
_Static_assert(offsetof(zinc_cell_header, seq) == ZINC_CELL_SEQ, "cell seq");
_Static_assert(offsetof(zinc_cell_header, owner) == ZINC_CELL_OWNER, "cell owner");
_Static_assert(offsetof(zinc_cell_header, owner_start) == ZINC_CELL_OWNER_START, "cell owner_start");
_Static_assert(offsetof(zinc_cell_header, owner_lap_start) == ZINC_CELL_OWNER_LAP_START, "cell owner_lap_start");

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

/*
 * Outcomes region: header | outcome block | lane headers | lane cells. One lane per producer
 * process (claimed by CAS on its owner word); the kernel writes each ring intent's outcome into
 * the lane named by the intent's client_intent_id and never waits for a reader: a lane holds the
 * last ZINC_OUTCOME_LANE_DEPTH outcomes, and one that is never read is overwritten oldest first,
 * counted, without touching any other lane.
 *
 *   64  lane_depth u32 (256) | reserved u32
 *   72  published u64   outcomes written (all lanes)
 *   80  unroutable u64  outcomes dropped: no such lane, or the lane's generation is not the intent's
 *   88  overwritten u64 outcomes written over before their producer read them (all lanes)
 *   96  namespace u8[32] the writer's strategy namespace (UTF-8, NUL-padded), so a client can
 *       refuse a prefix that belongs to another namespace
 *  128  lane header i at 128 + i * 64:
 *         +0  head u64        outcomes published into the lane (its sequence)
 *         +8  read u64        the producer's read position (written by the producer only)
 *         +16 owner u64       (start_ticks & 0xFFFFFFFF) << 32 | pid; 0 = free
 *         +24 generation u32  +1 on every claim, 1..65535 (0 = never claimed)
 *         +28 futex u32       +1 on every publish into the lane
 *         +32 waiters u32     producers asleep on the lane's futex word
 *         +36 reserved u32
 *         +40 overwritten u64 this lane's outcomes written over unread
 *         +48 stale u64       outcomes for an older generation of this lane, dropped
 *         +56 reserved u64
 *  128 + lanes * 64: cells; lane i, position p at cells + (i * depth + p % depth) * 256
 *
 * client_intent_id = lane << 48 | generation << 32 | sequence (32 bits, the producer's own count).
 * generation 0 means "no outcome wanted": the kernel publishes nothing for such an intent.
 *
 * OutcomeRecord (256 bytes); the first word is the cell's seqlock and position:
 *    0 lock u64         2 * (p + 1) while the cell holds lane position p; odd while being written
 *    8 client_intent_id u64
 *   16 now_ms u64
 *   24 slot_version u64 (0 = no slot)
 *   32 slot_id u32      (0xFFFFFFFF = none)
 *   36 input_kind u16
 *   38 origin u8        1 EDGE (refused before the kernel), 2 KERNEL, 3 VENUE (the venue's answer)
 *   39 accepted u8
 *   40 stage u8         the slot's stage afterwards (0 = none)
 *   41 diagnostic_count u8 (all of the input's diagnostics; at most 3 are carried)
 *   42 event_kind u8    VENUE origin: ACK=1 .. REJECT=6 (kernel/ABI.md EventKind); 0 otherwise
 *   43 order_status u8  the slot's working (or last) order status afterwards, 0 = none
 *   44 reserved u32
 *   48 diagnostics[3], 24 bytes each: code u16 | severity u8 | field u8 | retryable u8 |
 *      reserved u8[3] | retry_after_ms i64 (-1 = none) | value f64 (NaN = none)
 *  120 message u8[120]  the first diagnostic's message, UTF-8, NUL-padded
 *  240 reserved u8[16]
 */
#define ZINC_OUTCOME_RECORD_SIZE 256u
#define ZINC_OUTCOME_LANE_DEPTH 256u
#define ZINC_OUTCOME_LANES_MAX 1024u
#define ZINC_OUTCOME_BLOCK 64u
#define ZINC_OUTCOME_DEPTH_OFF 64u
#define ZINC_OUTCOME_PUBLISHED 72u
#define ZINC_OUTCOME_UNROUTABLE 80u
#define ZINC_OUTCOME_OVERWRITTEN 88u
#define ZINC_OUTCOME_NAMESPACE 96u
#define ZINC_OUTCOME_NAMESPACE_SIZE 32u
#define ZINC_OUTCOME_LANES_OFF 128u
#define ZINC_OUTCOME_LANE_STRIDE 64u
#define ZINC_OUTCOME_GENERATION_MAX 0xFFFFu

typedef struct zinc_outcome_block {
    uint32_t lane_depth;
    uint32_t _reserved0;
    _Atomic uint64_t published;
    _Atomic uint64_t unroutable;
    _Atomic uint64_t overwritten;
    char namespace_[ZINC_OUTCOME_NAMESPACE_SIZE];
} zinc_outcome_block;

typedef struct zinc_outcome_lane {
    _Atomic uint64_t head;
    _Atomic uint64_t read;
    _Atomic uint64_t owner;
    _Atomic uint32_t generation;
    _Atomic uint32_t futex;
    _Atomic uint32_t waiters;
    uint32_t _reserved0;
    _Atomic uint64_t overwritten;
    _Atomic uint64_t stale;
    uint64_t _reserved1;
} zinc_outcome_lane;

_Static_assert(ZINC_HEADER_SIZE + sizeof(zinc_outcome_block) == ZINC_OUTCOME_LANES_OFF, "outcome block");
_Static_assert(ZINC_HEADER_SIZE + offsetof(zinc_outcome_block, published) == ZINC_OUTCOME_PUBLISHED, "published");
_Static_assert(ZINC_HEADER_SIZE + offsetof(zinc_outcome_block, unroutable) == ZINC_OUTCOME_UNROUTABLE, "unroutable");
_Static_assert(ZINC_HEADER_SIZE + offsetof(zinc_outcome_block, overwritten) == ZINC_OUTCOME_OVERWRITTEN, "overwritten");
_Static_assert(ZINC_HEADER_SIZE + offsetof(zinc_outcome_block, namespace_) == ZINC_OUTCOME_NAMESPACE, "namespace");
_Static_assert(sizeof(zinc_outcome_lane) == ZINC_OUTCOME_LANE_STRIDE, "lane header");
_Static_assert(offsetof(zinc_outcome_lane, read) == 8, "lane read");
_Static_assert(offsetof(zinc_outcome_lane, owner) == 16, "lane owner");
_Static_assert(offsetof(zinc_outcome_lane, generation) == 24, "lane generation");
_Static_assert(offsetof(zinc_outcome_lane, futex) == 28, "lane futex");
_Static_assert(offsetof(zinc_outcome_lane, waiters) == 32, "lane waiters");
_Static_assert(offsetof(zinc_outcome_lane, overwritten) == 40, "lane overwritten");
_Static_assert(offsetof(zinc_outcome_lane, stale) == 48, "lane stale");
_Static_assert((ZINC_OUTCOME_LANE_DEPTH & (ZINC_OUTCOME_LANE_DEPTH - 1)) == 0, "depth is a power of two");

/* Return codes. >= 0 is success (a count or a sequence); errors are negative and stable. A call
 * that returns a sequence word as int64 (zinc_seq, zinc_wait, zinc_spin_wait, zinc_outcome_head,
 * zinc_outcome_wait) answers ZINC_E_CORRUPT when the word has bit 63 set (no real sequence gets
 * there: 292 years at 1e9 a second), so a negative answer is always one of these codes;
 * zinc_outcome_poll on such a lane head answers it too, counting nothing lost. */
#define ZINC_OK 0
#define ZINC_FULL 1          /* ring full: nothing written, retry later */
#define ZINC_RETRY 1         /* seqlock read did not stabilise within the retry bound */
#define ZINC_E_ARG (-1)      /* bad argument (null pointer, wrong length, out of range) */
#define ZINC_E_BADF (-2)     /* unknown or closed handle */
#define ZINC_E_ROLE (-3)     /* operation needs the writer role */
#define ZINC_E_KIND (-4)     /* operation not valid for this region kind */
#define ZINC_E_ABANDONED (-5) /* the consumer fenced this claim off; the record was NOT delivered */
#define ZINC_E_CORRUPT (-6)  /* a cell sequence broke the ring invariant, or a sequence word read >= 2^63 */
#define ZINC_E_CONTENDED (-7) /* bounded CAS loop exhausted under contention; retry */
#define ZINC_E_OPEN (-8)     /* open refused; the error buffer names the file and the reason */
#define ZINC_E_TORN (-9)     /* image was being written when its writer died: do not trust it */
#define ZINC_E_BUSY (-10)    /* every outcome lane is held by a live producer */
#define ZINC_E_TRUNCATED (-11) /* the region file shrank under the mapping (SIGBUS caught): reopen it */

#define ZINC_OPEN_WRITER 1u  /* create or adopt the region and become its single writer */

int32_t zinc_open(const char *prefix, uint32_t kind, uint32_t record_count, uint32_t flags,
                  char *err, uint32_t err_len);
int32_t zinc_close(int32_t h);
int32_t zinc_header(int32_t h, void *out64);
/* Re-validates an open region (header fields, and the sequence word below 2^63, on every call;
 * file size and the path still naming the mapped file at most every 50 ms per handle): ZINC_OK, or
 * ZINC_E_CORRUPT with one line in err naming the file and what no longer matches. */
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

/* Outcomes (kind 4). Writer (the kernel): publish records routed by their client_intent_id;
 * bytes 0..8 of each input record are ignored (the lock is the writer's). Returns how many were
 * written into a lane; the rest are counted as unroutable. One notify per lane touched. */
int32_t zinc_outcome_publish(int32_t h, const void *recs, uint32_t count);
/* Producer side: claim a free lane (or one whose owner is dead); returns the lane and writes its
 * new generation; ZINC_E_BUSY when every lane has a live owner. */
int32_t zinc_outcome_claim(int32_t h, uint32_t *out_generation);
int32_t zinc_outcome_release(int32_t h, uint32_t lane, uint32_t generation);
/* Copies up to max records from the lane's read position on (advancing it); records written over
 * before they were read are skipped and added to *out_lost. Only the lane's owner may poll. */
int32_t zinc_outcome_poll(int32_t h, uint32_t lane, void *out, uint32_t max, uint64_t *out_lost);
int64_t zinc_outcome_head(int32_t h, uint32_t lane);
/* Read-only copy of lane position pos: 0 copied (stable), 1 not written yet or written over. */
int32_t zinc_outcome_peek(int32_t h, uint32_t lane, uint64_t pos, void *out256);
/* Waits until the lane's head differs from last_head: spins up to spin_us, then sleeps on the
 * lane's futex word until timeout_ms; returns the head. */
int64_t zinc_outcome_wait(int32_t h, uint32_t lane, uint64_t last_head, uint32_t spin_us, int32_t timeout_ms);
/* out8 = { published, unroutable, overwritten, lane_depth, lanes, lanes_owned, 0, 0 }. */
int32_t zinc_outcome_stats(int32_t h, uint64_t *out8);
/* Writer: records its strategy namespace (1..32 bytes of [a-z0-9_]); readers copy the 32 bytes. */
int32_t zinc_outcome_set_namespace(int32_t h, const char *ns);
int32_t zinc_outcome_namespace(int32_t h, char *out32);
/* Copies lane header i (64 bytes). */
int32_t zinc_outcome_lane_header(int32_t h, uint32_t lane, void *out64);
/* 1 while the region's writer pid is alive (start time checked), 0 when dead or none. */
int32_t zinc_writer_alive(int32_t h);
/* 1 while the process an outcome lane's owner word names (lane header +16: start time low 32 bits
 * << 32 | pid) is alive, start time checked as lanes_owned counts it; 0 when dead or the word is 0. */
int32_t zinc_owner_alive(uint64_t owner);
/* CLOCK_MONOTONIC in nanoseconds (benchmarks timestamp both ends with it). */
int64_t zinc_mono_ns(void);

#endif
