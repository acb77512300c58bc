//! The slot index: what the hot paths need to know about every slot without walking the images.
//!
//! Job: for each slot, whether a MARK_PRICE can move it (its stage has a mark row and it has an
//! asset), and the id hashes of its entry and exit orders' client order ids (0 = no order). Marks
//! then visit only markable slots, and venue events compare one word per order before comparing
//! whole ids.
//!
//! Invariants: the index is derived — a pure function of the slot images — and is rebuilt for a
//! slot after every change of that slot's stage, asset or orders (`Kernel::changed`); nothing else
//! writes it. It is never hashed or published. `matches` recomputes it from the images, and the
//! kernel checks it after every input in debug builds and in the property-style cargo tests.
//!
//! Entry points: `SlotIndex::new`, `SlotIndex::update`, `SlotIndex::update_stage`, `SlotIndex::markable`, `SlotIndex::matches`.

use super::table;
use crate::abi::*;
use crate::hash::id_hash;
use crate::slot::stage_of;

const MASK_WORDS: usize = (SLOT_COUNT_MAX as usize).div_ceil(64);

pub struct SlotIndex {
    /// Bit `id` set: a MARK_PRICE for this slot's asset reaches it.
    markable: [u64; MASK_WORDS],
    /// Per slot: `[entry, exit]` client order id hashes, 0 when the order is absent.
    pub client_hash: Box<[[u64; 2]]>,
}

impl SlotIndex {
    pub fn new(slots: &[SlotImage]) -> Self {
        let mut index =
            SlotIndex { markable: [0; MASK_WORDS], client_hash: vec![[0; 2]; slots.len()].into_boxed_slice() };
        for (id, s) in slots.iter().enumerate() {
            index.update(id as u32, s);
        }
        index
    }

    fn is_markable(slot: &SlotImage) -> bool {
        slot.asset[0] != 0 && table::has_pair(stage_of(slot), Trigger::MarkPrice)
    }

    fn client_hashes(slot: &SlotImage) -> [u64; 2] {
        let hash = |o: &OrderImage| if o.present == 1 { id_hash(&o.client_order_id) } else { 0 };
        [hash(&slot.entry_order), hash(&slot.exit_order)]
    }

    /// Re-derives slot `id`'s entry from its image.
    pub fn update(&mut self, id: u32, slot: &SlotImage) {
        self.update_stage(id, slot);
        self.client_hash[id as usize] = Self::client_hashes(slot);
    }

    /// Re-derives slot `id`'s markable bit only: for changes that keep its orders' client ids.
    pub fn update_stage(&mut self, id: u32, slot: &SlotImage) {
        let (word, bit) = ((id / 64) as usize, 1u64 << (id % 64));
        if Self::is_markable(slot) {
            self.markable[word] |= bit;
        } else {
            self.markable[word] &= !bit;
        }
    }

    /// The markable slots, in slot order: an iterator over a copy of the mask's words that hold
    /// slots (one word up to 64 slots).
    pub fn markable(&self) -> MarkableSlots {
        let words = self.client_hash.len().div_ceil(64);
        MarkableSlots { mask: self.markable, words, word: 0, bits: self.markable[0] }
    }

    /// True when the index equals one rebuilt from `slots` (the derivation invariant).
    pub fn matches(&self, slots: &[SlotImage]) -> bool {
        slots.iter().enumerate().all(|(id, s)| {
            let bit = self.markable[id / 64] >> (id % 64) & 1 == 1;
            bit == Self::is_markable(s) && self.client_hash[id] == Self::client_hashes(s)
        }) && self.markable().all(|id| (id as usize) < slots.len())
    }
}

/// Iterator over set bits of a copied mask, lowest first.
pub struct MarkableSlots {
    mask: [u64; MASK_WORDS],
    words: usize,
    word: usize,
    bits: u64,
}

impl Iterator for MarkableSlots {
    type Item = u32;

    #[inline(always)]
    fn next(&mut self) -> Option<u32> {
        while self.bits == 0 {
            self.word += 1;
            if self.word >= self.words {
                return None;
            }
            self.bits = self.mask[self.word];
        }
        let bit = self.bits.trailing_zeros();
        self.bits &= self.bits - 1;
        Some(self.word as u32 * 64 + bit)
    }
}
