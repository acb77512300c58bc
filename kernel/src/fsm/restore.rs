//! `restore_slot`: installing a slot image directly (restart adoption).
//!
//! Job: validate a caller-supplied image completely (`validate::check_image`) and install it at
//! the index its `slot_id` names. The installed slot gets `version = max(image, current) + 1`
//! and `updated_at_ms = now_ms`; its derived money fields are recomputed from its own figures;
//! its seen-event ring is cleared and its finished-order ring is seeded with the image's ended
//! orders. The account's unrealized PnL is recomputed. The outcome arena holds one transition
//! (trigger RESTORE, row 255) or one INVALID_INTENT diagnostic with field IMAGE — or field
//! TRADE_ID when another slot holds the image's trade id.
//!
//! Invariants: a refused image changes nothing; an installed image satisfies
//! `slot::assert_slot` (the validation is at least as strict as the assertion); no two slots
//! hold one non-empty trade id (as ENTER keeps it, and as a snapshot must have it), in any stage:
//! recovery restores one consistent state region in slot order into an empty kernel, whose trade
//! ids are already distinct, so only an inconsistent belief is refused.
//!
//! Entry points: `Kernel::restore_slot`.

use super::Kernel;
use crate::abi::*;
use crate::diagnostics::{diag, Step, Text};
use crate::slot::{self, recompute_pnl, same_id, status_of, SlotMemory};
use crate::validate::check_image;

impl Kernel {
    /// Validates and installs `image`. Returns whether it was installed.
    pub fn restore_slot(&mut self, image: &SlotImage, now_ms: u64) -> bool {
        self.arena.begin(false);
        let step = Step { index: 0, kind: 0, now_ms };
        let installed = self.install(step, image);
        self.arena.finish_input(step, installed);
        installed
    }

    fn install(&mut self, step: Step, image: &SlotImage) -> bool {
        if step.now_ms > NOW_MS_MAX {
            let d = diag!(InvalidIntent, SLOT_ANY, "now_ms {} exceeds 2^53-1", step.now_ms);
            return self.refuse(step, d.field(Field::NowMs, step.now_ms as f64));
        }
        if let Err(d) = check_image(image, self.config.slot_count) {
            return self.refuse(step, d);
        }
        let id = image.slot_id;
        if let Some(holder) = self.trade_id_holder(image) {
            let d = diag!(InvalidIntent, id, "image.trade_id {} is held by slot {holder}", Text(&image.trade_id));
            return self.refuse(step, d.field(Field::TradeId, f64::NAN));
        }
        let i = id as usize;
        let current = self.slots[i];
        let version = image.version.max(current.version) + 1;
        if version > NOW_MS_MAX {
            let d = diag!(InvalidIntent, id, "image.version {} leaves no version below 2^53-1", image.version);
            return self.refuse(step, d.field(Field::Image, image.version as f64));
        }
        let mut s = *image;
        s.version = version;
        s.updated_at_ms = step.now_ms;
        recompute_pnl(&mut s);
        slot::assert_slot(&s, id);
        let mut mem = SlotMemory::new();
        for o in [&s.entry_order, &s.exit_order] {
            if status_of(o).is_some_and(OrderStatus::is_terminal) {
                mem.remember_finished(o);
            }
        }
        self.slots[i] = s;
        self.memory[i] = mem;
        self.changed(id);
        self.arena.push_transition(TransitionRecord {
            input_index: step.index,
            slot_id: id,
            version: s.version,
            now_ms: step.now_ms,
            from: current.stage,
            to: s.stage,
            trigger: Trigger::Restore.raw(),
            row: ROW_NONE,
            _reserved: 0,
        });
        self.refresh_account();
        true
    }

    /// Another slot holding the image's (non-empty) trade id, in any stage: client order ids
    /// derive from it, and routing matches the first slot in slot order holding the order, a
    /// finished one included, so the venue's fills would go to one slot of the two.
    fn trade_id_holder(&self, image: &SlotImage) -> Option<u32> {
        let mut others = self.slots.iter().enumerate().filter(|&(n, _)| n != image.slot_id as usize);
        others.find(|(_, s)| same_id(&s.trade_id, &image.trade_id)).map(|(n, _)| n as u32)
    }
}
