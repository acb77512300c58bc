//! The account: capital, settlement, unrealized PnL, peak and drawdown.
//!
//! Job: the only code that writes `AccountImage`.
//!
//! Invariants:
//! - `capital` changes only by SEED_CAPITAL and by `settle` (once per trade, when its slot
//!   reaches CLOSED: the slot's `is_open` flag is cleared in the same step, so a trade cannot
//!   settle twice);
//! - marks touch only `unrealized_pnl` and `equity`;
//! - `equity == capital - unsettled(slots) + unrealized_pnl` (`equity_of`): what the venue's
//!   wallet plus unrealized PnL shows, since the wallet already booked the fees paid and the PnL
//!   realized by trades still open (partial exits), which settle into `capital` only at CLOSED;
//!   `drawdown == peak_capital - capital >= 0`,
//!   `drawdown_ratio == drawdown / peak_capital` (0 when the peak is 0);
//! - `version` grows by one for every call of `bump` (once per input that changed the account).
//!
//! Entry points: `seed`, `unsettled`, `settle`, `refresh`.

use crate::abi::*;

/// Re-derives peak and drawdown from capital (equity follows at the input's `refresh`).
fn derive(a: &mut AccountImage) {
    if a.capital > a.peak_capital {
        a.peak_capital = a.capital;
    }
    a.drawdown = a.peak_capital - a.capital;
    a.drawdown_ratio = if a.peak_capital > 0.0 { a.drawdown / a.peak_capital } else { 0.0 };
    assert!(a.drawdown >= 0.0, "Invariant: drawdown is never negative");
}

/// Equity: capital, plus what open trades already booked at the venue (realized PnL of partial
/// exits, minus fees paid: `-unsettled`), plus unrealized PnL. The snapshot check uses the same
/// expression, so a restored account compares bit for bit.
pub fn equity_of(capital: f64, unsettled: f64, unrealized: f64) -> f64 {
    capital - unsettled + unrealized
}

/// Sets capital from the venue balance. A first seed also sets the peak; a recovery re-seed
/// raises the peak only when capital exceeds it.
pub fn seed(a: &mut AccountImage, capital: f64) {
    assert!(capital.is_finite() && capital >= 0.0, "Invariant: seed capital validated");
    if a.seeded == 0 {
        a.peak_capital = capital;
    }
    a.capital = capital;
    a.seeded = 1;
    derive(a);
}

/// What the venue wallet already booked for trades that have not settled here yet: the fees
/// paid and the PnL realized by every slot holding an open trade (`is_open`), summed in slot
/// order. Settlement later adds `realized_pnl - fees` once per trade, so a seed from the wallet
/// balance adds this back: `capital = wallet + unsettled` counts each trade exactly once.
pub fn unsettled(slots: &[SlotImage]) -> f64 {
    // A fold from +0.0, not `sum()` (which starts at -0.0 and would print "-0" with no trade open).
    let total = slots.iter().filter(|s| s.is_open == 1).fold(0.0, |t, s| t + (s.fees - s.realized_pnl));
    assert!(total.is_finite(), "Invariant: unsettled money stays finite");
    total
}

/// Settles one closed trade: `capital += realized_pnl - fees`, exactly once per trade.
pub fn settle(a: &mut AccountImage, realized_pnl: f64, fees: f64) {
    assert!(realized_pnl.is_finite() && fees.is_finite(), "Invariant: settled money is finite");
    let net = realized_pnl - fees;
    a.capital += net;
    a.trade_seq += 1;
    a.fees_paid += fees;
    a.realized_pnl_total += net;
    derive(a);
}

/// Recomputes unrealized PnL as the sum over slots (in slot order, so the float sum is
/// deterministic) and equity (`equity_of`), and re-derives peak and drawdown when the capital
/// moved (`touched`). Returns true when the unrealized PnL or the equity changed.
pub fn refresh(a: &mut AccountImage, slots: &[SlotImage], touched: bool) -> bool {
    let unrealized: f64 = slots.iter().map(|s| s.unrealized_pnl).sum();
    assert!(unrealized.is_finite(), "Invariant: unrealized PnL stays finite");
    let equity = equity_of(a.capital, unsettled(slots), unrealized);
    assert!(equity.is_finite(), "Invariant: equity stays finite");
    let changed = unrealized.to_bits() != a.unrealized_pnl.to_bits() || equity.to_bits() != a.equity.to_bits();
    if changed || touched {
        a.unrealized_pnl = unrealized;
        a.equity = equity;
        derive(a);
    }
    changed
}

/// Counts one change of the account.
pub fn bump(a: &mut AccountImage) {
    a.version += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settle_moves_capital_by_net_pnl_and_tracks_drawdown() {
        let mut a = AccountImage::ZERO;
        seed(&mut a, 1000.0);
        settle(&mut a, -50.0, 2.0);
        assert_eq!(a.capital, 948.0);
        assert_eq!(a.peak_capital, 1000.0);
        assert_eq!(a.drawdown, 52.0);
        assert_eq!(a.drawdown_ratio, 0.052);
        assert_eq!(a.trade_seq, 1);
        assert_eq!(a.fees_paid, 2.0);
        assert_eq!(a.realized_pnl_total, -52.0);
        settle(&mut a, 100.0, 0.0);
        assert_eq!(a.capital, 1048.0);
        assert_eq!(a.peak_capital, 1048.0);
        assert_eq!(a.drawdown, 0.0);
    }

    #[test]
    fn recovery_reseed_raises_peak_only_upward() {
        let mut a = AccountImage::ZERO;
        seed(&mut a, 1000.0);
        seed(&mut a, 900.0);
        assert_eq!((a.capital, a.peak_capital, a.drawdown), (900.0, 1000.0, 100.0));
        seed(&mut a, 1200.0);
        assert_eq!((a.capital, a.peak_capital, a.drawdown), (1200.0, 1200.0, 0.0));
    }
}
