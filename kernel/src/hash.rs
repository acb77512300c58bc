//! FNV-1a over 64-bit words: the state hash and the id hashes of the bounded sets.
//!
//! Job: a tiny, dependency-free, platform-independent hash. It is FNV-1a with 8-byte
//! little-endian words as the unit (a trailing partial word byte by byte) and one xor-shift
//! after each multiply so high input bits reach the low output bits: eight times fewer
//! multiplies than byte-wise FNV, which matters because the state hash is published with every
//! mirrored mutation. The state hash covers the configuration `(slot_count, active_slot_limit,
//! hung_order_ms)` as little-endian integers, the account image bytes, every slot image's bytes,
//! and every slot's memory (seen-event ring: the stored id hashes, length and cursor; finished-
//! order ring: hashes, length and cursor), in slot order. The seen ring's id bytes are covered
//! through their hashes. Two kernels fed the same inputs in the same order have the same hash; a
//! replay of a journal reproduces it. It is not a cryptographic hash: ids are compared in full
//! wherever a hash match decides anything.
//!
//! Invariants: records are padding-free (`abi::Record`), so their bytes are fully determined by
//! their fields; integers are hashed little-endian.
//!
//! Entry points: `Fnv`, `id_hash`, `IdHasher`, `same_words`, `word`.

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Streaming FNV-1a 64.
#[derive(Clone, Copy, Debug)]
pub struct Fnv(u64);

impl Fnv {
    pub const fn new() -> Self {
        Fnv(FNV_OFFSET)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let word = u64::from_le_bytes(w.try_into().expect("Invariant: chunks_exact yields 8 bytes"));
            self.0 = (self.0 ^ word).wrapping_mul(FNV_PRIME);
            self.0 ^= self.0 >> 29;
        }
        for &b in words.remainder() {
            self.0 = (self.0 ^ b as u64).wrapping_mul(FNV_PRIME);
        }
    }

    pub fn write_u32(&mut self, v: u32) {
        self.write(&v.to_le_bytes());
    }

    pub fn write_u64(&mut self, v: u64) {
        self.write(&v.to_le_bytes());
    }

    pub const fn finish(&self) -> u64 {
        self.0
    }
}

/// Word `i` (little-endian) of a fixed-width field whose width is a multiple of 8.
#[inline(always)]
pub fn word(field: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(field[i * 8..i * 8 + 8].try_into().expect("Invariant: a word is 8 bytes"))
}

/// Hash of the content of a NUL-padded id field; 0 for an empty one, so "no id" is never
/// confused with an id. It mixes the field's words up to its first all-zero word: the padding
/// after the content is zero (validated on input, checked in restored images), so equal contents
/// hash equally in fields of any width, and a short id costs one or two multiplies.
pub fn id_hash(field: &[u8]) -> u64 {
    assert!(field.len().is_multiple_of(8), "Invariant: id fields are whole words wide");
    let mut h = IdHasher::new();
    for i in 0..field.len() / 8 {
        let w = word(field, i);
        if w == 0 {
            break;
        }
        h.mix(w);
    }
    h.finish(if field[0] == 0 { 0 } else { 1 })
}

/// `id_hash` fed word by word (validation computes it while checking padding).
pub struct IdHasher(Fnv);

impl IdHasher {
    pub const fn new() -> Self {
        IdHasher(Fnv::new())
    }

    /// Mixes one content word (a word before the field's first all-zero word).
    #[inline(always)]
    pub fn mix(&mut self, w: u64) {
        self.0.write_u64(w);
    }

    /// The hash of an id of `len` content bytes: 0 when empty, never 0 otherwise.
    pub fn finish(&self, len: usize) -> u64 {
        match (len, self.0.finish()) {
            (0, _) => 0,
            // An id hashing to 0 would read as "no id"; fold it onto another value.
            (_, 0) => FNV_OFFSET,
            (_, x) => x,
        }
    }
}

/// Equality of two fixed-width fields of one width, word by word (no library call; the first
/// differing word ends it, which for ids is almost always the first).
#[inline(always)]
pub fn same_words(a: &[u8], b: &[u8]) -> bool {
    assert!(a.len() == b.len() && a.len().is_multiple_of(8), "Invariant: fields of one whole-word width");
    (0..a.len() / 8).all(|i| word(a, i) == word(b, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The state hash's algorithm over one byte string (what the pinned values below pin).
    fn fnv64(bytes: &[u8]) -> u64 {
        let mut h = Fnv::new();
        h.write(bytes);
        h.finish()
    }

    const PINNED: u64 = 3_159_613_956_329_487_033;

    #[test]
    fn short_inputs_hash_like_byte_wise_fnv1a() {
        // Below one word the hash is plain FNV-1a: its published vectors hold.
        assert_eq!(fnv64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn every_single_bit_flip_of_a_64_byte_id_changes_the_hash() {
        let base = [0x5au8; 64];
        let h = fnv64(&base);
        for byte in 0..64 {
            for bit in 0..8 {
                let mut x = base;
                x[byte] ^= 1 << bit;
                assert_ne!(fnv64(&x), h, "flip of byte {byte} bit {bit}");
            }
        }
    }

    #[test]
    fn the_word_hash_is_pinned() {
        // A change of algorithm changes every state hash and journal comparison: make it deliberate.
        assert_eq!(fnv64(b"0123456789abcdef-event"), PINNED);
    }

    #[test]
    fn id_hash_depends_on_content_only_and_maps_empty_to_zero() {
        let (mut a, mut b, mut c) = ([0u8; 40], [0u8; 64], [0u8; 40]);
        a[..4].copy_from_slice(b"T1-E");
        b[..4].copy_from_slice(b"T1-E");
        c[..5].copy_from_slice(b"T1-X1");
        assert_eq!(id_hash(&a), id_hash(&b), "same content, different widths");
        assert_ne!(id_hash(&a), id_hash(&c));
        assert_ne!(id_hash(&a), 0);
        assert_eq!(id_hash(&[0u8; 40]), 0);
        let long = [b'z'; 64];
        let mut shorter = long;
        shorter[63] = 0;
        assert_ne!(id_hash(&long), id_hash(&shorter), "every content word counts");
    }

    #[test]
    fn same_words_compares_every_word() {
        let a = [7u8; 40];
        for at in 0..40 {
            let mut b = a;
            b[at] = 8;
            assert!(!same_words(&a, &b), "difference at byte {at}");
        }
        assert!(same_words(&a, &a.clone()));
    }
}
