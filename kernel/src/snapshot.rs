//! Kernel snapshots: the whole execution state as one checked byte string, and its restore.
//!
//! Job: `Kernel::write_snapshot` serializes everything the state hash covers and a replay needs
//! (configuration with the trading state and risk limits, account, every slot image, every slot's
//! seen-event ring and finished-order ring, the order window, the mark book); `restore_snapshot`
//! checks such a byte string completely and installs it, all or nothing. Journal segments start
//! from a snapshot (src/kernel/segment_*.ts), so a restart replays a bounded tail, not the history.
//!
//! Layout (little-endian; offsets in bytes from the start of the snapshot):
//! ```text
//!      0  SnapshotHeader (64)   magic "DITASNAP", format version, ABI major.minor, slot count,
//!                               body bytes, checksum, state hash, 16 reserved zero bytes
//!     64  controls (48)         active_slot_limit u32, trading_state u32, hung_order_ms u64,
//!                               max_notional_per_trade f64, max_gross_exposure f64,
//!                               max_drawdown_ratio f64, max_orders_per_minute u32, max_leverage u32
//!    112  account (96)          AccountImage
//!    208  order window (9 608)  len u32, 0 u32, ORDERS_PER_MINUTE_MAX u64 stamps, oldest first
//!                               (entries past len zero: the ring is stored unrotated)
//!   9816  mark book (2 056)     len u32, next u32, MARKS_MAX assets [u8; 24], MARKS_MAX prices f64
//!  11872  slots                 slot_count × SlotImage (448)
//!      …  memories              slot_count × (seen ids [u8; 64] × 32, seen len u32, seen cursor u32,
//!                               finished client hashes u64 × 8, finished venue hashes u64 × 8,
//!                               finished len u32, finished cursor u32,
//!                               finished final filled i64 × 8) = 2 256
//! ```
//! Format versions: this kernel writes format 2 and reads formats 1 and 2. Format 1 (ABI 1.4's
//! first snapshots) has no final filled sizes (memories of 2 192 bytes, SNAPSHOT_SLOT_BYTES
//! 2 640): its finished orders are restored with `FILLED_UNKNOWN`, so a late fill for one of them
//! is a STALE_EVENT as it was then (no OVERFILL check), and the state hash (which skips unknown
//! sizes) is the one the format-1 kernel wrote. A snapshot of such a kernel is format 2 (-1 for
//! the unknown sizes), so it is not the format-1 bytes.
//! The seen ring's id hashes are not stored: restore recomputes them from the ids (`id_hash`).
//! The checksum is the state hash's word-wise FNV-1a 64 (`hash.rs`) over header bytes 0..32 and
//! 40..64, then the body: one flipped bit of any 8-byte word changes it (every step is a
//! bijection of the running value), and a truncation changes the length checked first.
//!
//! Invariants:
//! - restore never panics on any byte string and changes nothing unless every check passed:
//!   length, magic, format version, ABI major (and a minor not newer than this kernel's), slot
//!   count, reserved bytes, checksum, every section's values (`snapshot/check.rs`), and finally
//!   the state hash of the decoded state against the header's — only then is anything written;
//! - a restored kernel has the state hash the snapshot was taken with, and a snapshot of it is the
//!   same bytes for a format-2 snapshot (the order window is stored unrotated, so the encoding is
//!   canonical);
//! - nothing allocates: the checks decode one section at a time onto the stack.
//!
//! Entry points: `snapshot_bytes`, `Kernel::write_snapshot`, `Kernel::restore_snapshot`.

mod check;

use crate::abi::*;
use crate::diagnostics::{diag, Diag, Step};
use crate::fsm::risk::{Limits, MarkBook, OrderWindow};
use crate::fsm::{hash_state, Config, Kernel};
use crate::hash::{id_hash, Fnv};
use crate::slot::{SlotMemory, FILLED_UNKNOWN};

const HEADER: usize = 64;
const CONTROLS: usize = HEADER;
const ACCOUNT: usize = CONTROLS + 48;
const WINDOW: usize = ACCOUNT + 96;
const MARKS: usize = WINDOW + 8 + 8 * ORDERS_PER_MINUTE_MAX as usize;
const SLOTS: usize = MARKS + 8 + 32 * MARKS_MAX;
/// A slot memory in format 1; format 2 appends the finished orders' final filled sizes.
const MEMORY_BYTES_1: usize = 64 * SEEN_EVENTS_PER_SLOT + 8 + 16 * FINISHED_ORDERS_PER_SLOT + 8;
const MEMORY_BYTES: usize = MEMORY_BYTES_1 + 8 * FINISHED_ORDERS_PER_SLOT;
/// The older snapshot format this kernel still reads.
const FORMAT_1: u32 = 1;

const _: () = assert!(SLOTS == SNAPSHOT_FIXED_BYTES, "Invariant: the fixed sections end at SNAPSHOT_FIXED_BYTES");
const _: () = assert!(448 + MEMORY_BYTES == SNAPSHOT_SLOT_BYTES, "Invariant: a slot takes SNAPSHOT_SLOT_BYTES");

/// The size of a snapshot of a kernel with `slot_count` slots.
pub const fn snapshot_bytes(slot_count: u32) -> usize {
    SNAPSHOT_FIXED_BYTES + slot_count as usize * SNAPSHOT_SLOT_BYTES
}

/// Bytes of one slot memory in snapshot format `format` (1 or 2).
const fn memory_bytes(format: u32) -> usize {
    if format == FORMAT_1 {
        MEMORY_BYTES_1
    } else {
        MEMORY_BYTES
    }
}

/// The size of a snapshot in format `format` (1 or 2) of `slot_count` slots.
const fn snapshot_bytes_in(format: u32, slot_count: u32) -> usize {
    SNAPSHOT_FIXED_BYTES + slot_count as usize * (SlotImage::SIZE + memory_bytes(format))
}

fn memory_at(format: u32, slot_count: u32, id: u32) -> usize {
    SLOTS + slot_count as usize * SlotImage::SIZE + id as usize * memory_bytes(format)
}

/// The format version of a snapshot whose header was checked (`check_envelope`).
pub(crate) fn format_of(r: &Rd) -> u32 {
    r.u32(8)
}

/// Little-endian reads at offsets the caller has bounds-checked (the length is checked first).
pub(crate) struct Rd<'a>(pub &'a [u8]);

impl Rd<'_> {
    pub fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().expect("Invariant: 4 bytes"))
    }
    pub fn u64(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.0[at..at + 8].try_into().expect("Invariant: 8 bytes"))
    }
    pub fn f64(&self, at: usize) -> f64 {
        f64::from_bits(self.u64(at))
    }
    pub fn bytes<const N: usize>(&self, at: usize) -> [u8; N] {
        self.0[at..at + N].try_into().expect("Invariant: N bytes")
    }
}

/// Little-endian writes into a buffer of exactly `snapshot_bytes` bytes.
struct Wr<'a>(&'a mut [u8]);

impl Wr<'_> {
    fn put(&mut self, at: usize, bytes: &[u8]) {
        self.0[at..at + bytes.len()].copy_from_slice(bytes);
    }
    fn u32(&mut self, at: usize, v: u32) {
        self.put(at, &v.to_le_bytes());
    }
    fn u64(&mut self, at: usize, v: u64) {
        self.put(at, &v.to_le_bytes());
    }
}

/// The checksum over the header (without its `checksum` field) and the body.
pub(crate) fn checksum(snapshot: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.write(&snapshot[..32]);
    h.write(&snapshot[40..]);
    h.finish()
}

/// The configuration stored in a snapshot (slot count from the header).
pub(crate) fn read_config(r: &Rd, slot_count: u32) -> Option<Config> {
    let limits = Limits {
        trading_state: TradingState::from_raw(u8::try_from(r.u32(CONTROLS + 4)).ok()?)?,
        max_notional_per_trade: r.f64(CONTROLS + 16),
        max_gross_exposure: r.f64(CONTROLS + 24),
        max_drawdown_ratio: r.f64(CONTROLS + 32),
        max_orders_per_minute: r.u32(CONTROLS + 40),
        max_leverage: r.u32(CONTROLS + 44),
    };
    let active = r.u32(CONTROLS);
    Some(Config { slot_count, active_slot_limit: active, hung_order_ms: r.u64(CONTROLS + 8), limits })
}

pub(crate) fn read_window(r: &Rd) -> OrderWindow {
    let mut w = OrderWindow::new();
    w.len = r.u32(WINDOW);
    for (k, stamp) in w.stamps.iter_mut().enumerate() {
        *stamp = r.u64(WINDOW + 8 + 8 * k);
    }
    w
}

pub(crate) fn read_marks(r: &Rd) -> MarkBook {
    let mut m = MarkBook::new();
    m.len = r.u32(MARKS);
    m.next = r.u32(MARKS + 4);
    for k in 0..MARKS_MAX {
        m.assets[k] = r.bytes::<24>(MARKS + 8 + 24 * k);
        m.prices[k] = r.f64(MARKS + 8 + 24 * MARKS_MAX + 8 * k);
    }
    m
}

pub(crate) fn read_account(r: &Rd) -> AccountImage {
    AccountImage::from_bytes(&r.0[ACCOUNT..ACCOUNT + AccountImage::SIZE])
}

pub(crate) fn read_slot(r: &Rd, id: u32) -> SlotImage {
    let at = SLOTS + id as usize * SlotImage::SIZE;
    SlotImage::from_bytes(&r.0[at..at + SlotImage::SIZE])
}

/// Slot `id`'s memory as stored; the seen hashes are recomputed from the ids (0 for an empty id);
/// format 1 has no final filled sizes: `FILLED_UNKNOWN` for each remembered order.
pub(crate) fn read_memory(r: &Rd, slot_count: u32, id: u32) -> SlotMemory {
    let format = format_of(r);
    let at = memory_at(format, slot_count, id);
    let mut m = SlotMemory::new();
    let seen = at + 64 * SEEN_EVENTS_PER_SLOT;
    let (seen_len, seen_cursor) = (r.u32(seen), r.u32(seen + 4));
    for k in 0..SEEN_EVENTS_PER_SLOT.min(seen_len as usize) {
        let event_id = r.bytes::<64>(at + 64 * k);
        m.remember(&event_id, id_hash(&event_id));
    }
    // `remember` leaves the cursor at the length; a full ring's cursor is stored.
    m.seen_cursor = seen_cursor;
    m.seen_len = seen_len;
    let fin = seen + 8;
    for k in 0..FINISHED_ORDERS_PER_SLOT {
        m.finished_client[k] = r.u64(fin + 8 * k);
        m.finished_venue[k] = r.u64(fin + 8 * FINISHED_ORDERS_PER_SLOT + 8 * k);
    }
    m.finished_len = r.u32(fin + 16 * FINISHED_ORDERS_PER_SLOT);
    m.finished_cursor = r.u32(fin + 16 * FINISHED_ORDERS_PER_SLOT + 4);
    let filled = fin + 16 * FINISHED_ORDERS_PER_SLOT + 8;
    for k in 0..FINISHED_ORDERS_PER_SLOT {
        m.finished_filled[k] = match format {
            FORMAT_1 if k < m.finished_len as usize => FILLED_UNKNOWN,
            FORMAT_1 => 0,
            _ => r.u64(filled + 8 * k) as i64,
        };
    }
    m
}

fn refused(why: core::fmt::Arguments<'_>, value: f64) -> Diag {
    diag!(InvalidIntent, SLOT_ANY, "snapshot refused: {why}").field(Field::Snapshot, value)
}

impl Kernel {
    /// Bytes of this kernel's snapshot.
    pub fn snapshot_size(&self) -> usize {
        snapshot_bytes(self.config.slot_count)
    }

    /// Writes the snapshot into `out` (exactly `snapshot_size()` bytes); returns the bytes written.
    pub fn write_snapshot(&self, out: &mut [u8]) -> usize {
        let n = self.config.slot_count;
        assert!(out.len() == snapshot_bytes(n), "Invariant: write_snapshot gets exactly snapshot_size bytes");
        out.fill(0);
        let mut w = Wr(out);
        let (c, l) = (&self.config, &self.config.limits);
        w.u32(CONTROLS, c.active_slot_limit);
        w.u32(CONTROLS + 4, l.trading_state.raw() as u32);
        w.u64(CONTROLS + 8, c.hung_order_ms);
        w.u64(CONTROLS + 16, l.max_notional_per_trade.to_bits());
        w.u64(CONTROLS + 24, l.max_gross_exposure.to_bits());
        w.u64(CONTROLS + 32, l.max_drawdown_ratio.to_bits());
        w.u32(CONTROLS + 40, l.max_orders_per_minute);
        w.u32(CONTROLS + 44, l.max_leverage);
        w.put(ACCOUNT, self.account.bytes());
        let o = &self.orders;
        w.u32(WINDOW, o.len);
        for k in 0..o.len {
            w.u64(WINDOW + 8 + 8 * k as usize, o.stamps[((o.head + k) % ORDERS_PER_MINUTE_MAX) as usize]);
        }
        let m = &self.marks;
        w.u32(MARKS, m.len);
        w.u32(MARKS + 4, m.next);
        for k in 0..m.len as usize {
            w.put(MARKS + 8 + 24 * k, &m.assets[k]);
            w.u64(MARKS + 8 + 24 * MARKS_MAX + 8 * k, m.prices[k].to_bits());
        }
        for (id, s) in self.slots.iter().enumerate() {
            w.put(SLOTS + id * SlotImage::SIZE, s.bytes());
        }
        for (id, mem) in self.memory.iter().enumerate() {
            write_memory(&mut w, memory_at(SNAPSHOT_FORMAT_VERSION, n, id as u32), mem);
        }
        let header = SnapshotHeader {
            magic: SNAPSHOT_MAGIC,
            format_version: SNAPSHOT_FORMAT_VERSION,
            abi_major: ABI_MAJOR as u32,
            abi_minor: ABI_MINOR as u32,
            slot_count: n,
            body_bytes: (snapshot_bytes(n) - HEADER) as u64,
            checksum: 0,
            state_hash: self.state_hash(),
            _reserved: [0; 16],
        };
        w.put(0, header.bytes());
        let sum = checksum(w.0);
        w.u64(32, sum);
        w.0.len()
    }

    /// `restore_snapshot` as a call with an outcome: the arena holds no record when it was
    /// installed (every slot and the account dirty), one diagnostic when it was refused.
    pub fn restore_snapshot_recorded(&mut self, buf: &[u8]) -> bool {
        self.arena.begin(false);
        let result = self.restore_snapshot(buf);
        self.record_restore(result)
    }

    /// A buffer length no slice can have (past `isize::MAX`), refused as `restore_snapshot_recorded`
    /// refuses a snapshot, without a slice ever being made of it. Changes nothing.
    pub fn refuse_snapshot_length(&mut self, len: u64) {
        self.arena.begin(false);
        let d = refused(format_args!("{len} bytes, past isize::MAX (no buffer is that long)"), len as f64);
        self.record_restore(Err(d));
    }

    /// The outcome of a restore: no record when installed, its one diagnostic when refused.
    fn record_restore(&mut self, result: Result<(), Diag>) -> bool {
        let step = Step { index: 0, kind: 0, now_ms: 0 };
        let restored = match result {
            Ok(()) => true,
            Err(d) => {
                self.arena.push_diag(step, d);
                false
            }
        };
        self.arena.finish_input(step, restored);
        restored
    }

    /// Checks `buf` completely, then installs it; `Err` (one diagnostic) changes nothing.
    pub fn restore_snapshot(&mut self, buf: &[u8]) -> Result<(), Diag> {
        let n = self.config.slot_count;
        self.check_envelope(buf)?;
        let r = Rd(buf);
        let config = check::config(&r, n)?;
        let (window, marks) = (check::window(&r)?, check::marks(&r)?);
        for id in 0..n {
            check::slot(&read_slot(&r, id), id, n)?;
            check::memory(&r, n, id, memory_at(format_of(&r), n, id))?;
        }
        check::trade_ids(&r, n)?;
        let open_booked = (0..n).map(|id| read_slot(&r, id)).filter(|s| s.is_open == 1);
        let unsettled = open_booked.fold(0.0, |t, s| t + (s.fees - s.realized_pnl));
        let account = check::account(&r, (0..n).map(|id| read_slot(&r, id).unrealized_pnl), unsettled)?;
        let slots = (0..n).map(|id| read_slot(&r, id));
        let hash = hash_state(&config, &window, &marks, &account, slots, (0..n).map(|id| read_memory(&r, n, id)));
        let expected = r.u64(40);
        if hash != expected {
            return Err(refused(
                format_args!("state hash {hash:016x} of its contents, header says {expected:016x}"),
                0.0,
            ));
        }
        self.install_snapshot(&r, config, &window, &marks, account);
        assert!(self.state_hash() == expected, "Invariant: an installed snapshot has its state hash");
        Ok(())
    }

    /// Length, magic, versions, slot count, reserved bytes and checksum.
    fn check_envelope(&self, buf: &[u8]) -> Result<(), Diag> {
        let n = self.config.slot_count;
        if buf.len() < HEADER {
            return Err(refused(
                format_args!("{} bytes, shorter than its 64-byte header", buf.len()),
                buf.len() as f64,
            ));
        }
        let h = SnapshotHeader::from_bytes(&buf[..HEADER]);
        if h.magic != SNAPSHOT_MAGIC {
            return Err(refused(format_args!("bad magic {:016x} (not a DITA kernel snapshot)", h.magic), 0.0));
        }
        if h.format_version != SNAPSHOT_FORMAT_VERSION && h.format_version != FORMAT_1 {
            let v = h.format_version;
            return Err(refused(
                format_args!("format version {v}, this kernel reads {FORMAT_1} and {SNAPSHOT_FORMAT_VERSION}"),
                v as f64,
            ));
        }
        let want = snapshot_bytes_in(h.format_version, n);
        if h.abi_major as u64 != ABI_MAJOR || h.abi_minor as u64 > ABI_MINOR {
            let (a, b) = (h.abi_major, h.abi_minor);
            return Err(refused(format_args!("ABI {a}.{b}, this kernel is {ABI_MAJOR}.{ABI_MINOR}"), a as f64));
        }
        if h.slot_count != n {
            return Err(refused(format_args!("{} slots, this kernel has {n}", h.slot_count), h.slot_count as f64));
        }
        if h.body_bytes != (want - HEADER) as u64 || buf.len() != want {
            let got = buf.len();
            return Err(refused(format_args!("{got} bytes, {n} slots need {want} (truncated or padded)"), got as f64));
        }
        if h._reserved != [0; 16] {
            return Err(refused(format_args!("reserved header bytes are not zero"), 0.0));
        }
        let sum = checksum(buf);
        if sum != h.checksum {
            return Err(refused(format_args!("checksum {sum:016x}, header says {:016x} (corrupt)", h.checksum), 0.0));
        }
        Ok(())
    }

    /// Installs a checked snapshot over the whole state; the slot index is re-derived.
    fn install_snapshot(
        &mut self,
        r: &Rd,
        config: Config,
        window: &OrderWindow,
        marks: &MarkBook,
        account: AccountImage,
    ) {
        let n = self.config.slot_count;
        assert!(config.slot_count == n && config.valid(), "Invariant: a checked snapshot has this kernel's slot count");
        self.config = config;
        *self.orders = window.clone();
        *self.marks = marks.clone();
        *self.account = account;
        for id in 0..n {
            self.slots[id as usize] = read_slot(r, id);
            self.memory[id as usize] = read_memory(r, n, id);
            self.changed(id);
            crate::slot::assert_slot(&self.slots[id as usize], id);
        }
        self.arena.mark_account_dirty();
    }
}

fn write_memory(w: &mut Wr, at: usize, m: &SlotMemory) {
    for k in 0..m.seen_len as usize {
        w.put(at + 64 * k, &m.seen_id[k]);
    }
    let seen = at + 64 * SEEN_EVENTS_PER_SLOT;
    w.u32(seen, m.seen_len);
    w.u32(seen + 4, m.seen_cursor);
    let fin = seen + 8;
    for k in 0..FINISHED_ORDERS_PER_SLOT {
        w.u64(fin + 8 * k, m.finished_client[k]);
        w.u64(fin + 8 * FINISHED_ORDERS_PER_SLOT + 8 * k, m.finished_venue[k]);
    }
    w.u32(fin + 16 * FINISHED_ORDERS_PER_SLOT, m.finished_len);
    w.u32(fin + 16 * FINISHED_ORDERS_PER_SLOT + 4, m.finished_cursor);
    let filled = fin + 16 * FINISHED_ORDERS_PER_SLOT + 8;
    for k in 0..FINISHED_ORDERS_PER_SLOT {
        w.u64(filled + 8 * k, m.finished_filled[k] as u64);
    }
}
