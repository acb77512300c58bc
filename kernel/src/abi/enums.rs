//! The ABI enums of kernel/ABI.md, with their stable numeric values and spec names.
//!
//! Invariants: every enum starts at 1 (zeroed memory decodes as invalid), except `Field` whose
//! 0 is NONE; values are never reused. `from_raw` is the only decoder of caller bytes: it returns
//! `None` for anything out of range, so a bad byte becomes a diagnostic, never a panic.
//!
//! Entry points: the enums, `X::from_raw`, `X::name` (the spec spelling, e.g. `ENTRY_WORKING`),
//! `X::ALL`, `X::PREFIX` (for `const` lines of the ABI description).

macro_rules! abi_enum {
    ($(#[$m:meta])* $name:ident : $repr:ident, $prefix:literal {
        $($var:ident = $val:literal => $text:literal),* $(,)?
    }) => {
        $(#[$m])*
        #[repr($repr)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($var = $val),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            pub const PREFIX: &'static str = $prefix;

            /// Decodes a caller-supplied value; `None` when it is not one of the enum's values.
            pub const fn from_raw(raw: $repr) -> Option<Self> {
                match raw {
                    $($val => Some($name::$var),)*
                    _ => None,
                }
            }

            /// The spec spelling (`ENTRY_WORKING`, `FULL_FILL`, ...).
            pub const fn name(self) -> &'static str {
                match self { $($name::$var => $text),* }
            }

            pub const fn raw(self) -> $repr {
                self as $repr
            }
        }
    };
}

abi_enum!(
    /// The life-cycle stage of a slot.
    Stage: u8, "STAGE" {
    Idle = 1 => "IDLE",
    EntryWorking = 2 => "ENTRY_WORKING",
    PositionOpen = 3 => "POSITION_OPEN",
    ExitWorking = 4 => "EXIT_WORKING",
    Closed = 5 => "CLOSED",
    Stale = 6 => "STALE_STATE_RECONCILING",
});

impl Stage {
    /// A slot is idle in IDLE and CLOSED: it may take a new trade and does not count against
    /// `active_slot_limit`.
    pub const fn is_idle(self) -> bool {
        matches!(self, Stage::Idle | Stage::Closed)
    }
}

abi_enum!(Side: u8, "SIDE" { Long = 1 => "LONG", Short = 2 => "SHORT" });

impl Side {
    /// +1 for LONG, -1 for SHORT: the sign of PnL per unit of price increase.
    pub const fn dir(self) -> f64 {
        match self {
            Side::Long => 1.0,
            Side::Short => -1.0,
        }
    }
}

abi_enum!(OrderSide: u8, "ORDER_SIDE" { Buy = 1 => "BUY", Sell = 2 => "SELL" });
abi_enum!(OrderType: u8, "ORDER_TYPE" { Market = 1 => "MARKET", Limit = 2 => "LIMIT" });
abi_enum!(OrderRole: u8, "ORDER_ROLE" { Entry = 1 => "ENTRY", Exit = 2 => "EXIT" });

abi_enum!(OrderStatus: u8, "ORDER_STATUS" {
    PendingSubmit = 1 => "PENDING_SUBMIT",
    Acked = 2 => "ACKED",
    PartiallyFilled = 3 => "PARTIALLY_FILLED",
    Filled = 4 => "FILLED",
    CancelRequested = 5 => "CANCEL_REQUESTED",
    Cancelled = 6 => "CANCELLED",
    Rejected = 7 => "REJECTED",
});

impl OrderStatus {
    /// FILLED, CANCELLED and REJECTED end an order; the others are working.
    pub const fn is_terminal(self) -> bool {
        matches!(self, OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected)
    }
}

abi_enum!(ExitReason: u8, "EXIT_REASON" {
    Signal = 1 => "SIGNAL", Tp = 2 => "TP", Sl = 3 => "SL", Manual = 4 => "MANUAL",
});

abi_enum!(InputKind: u16, "INPUT_KIND" {
    Enter = 1 => "ENTER",
    Exit = 2 => "EXIT",
    Cancel = 3 => "CANCEL",
    MarkPrice = 4 => "MARK_PRICE",
    Tick = 5 => "TICK",
    Reconcile = 6 => "RECONCILE",
    VenueEvent = 7 => "VENUE_EVENT",
    SeedCapital = 8 => "SEED_CAPITAL",
    MarkStale = 9 => "MARK_STALE",
    Configure = 10 => "CONFIGURE",
    Flatten = 11 => "FLATTEN",
});

abi_enum!(
    /// Where an input may come from (docs/architecture.md, "Inputs by source"). The launcher
    /// refuses an input from any other source before the kernel sees it (INPUT_SOURCE_REFUSED).
    InputSource: u8, "INPUT_SOURCE" { Strategy = 1 => "STRATEGY", Venue = 2 => "VENUE", System = 3 => "SYSTEM" });

impl InputKind {
    /// The one source of each input kind: strategies send intents and marks, the venue adapter
    /// sends venue events, the launcher sends everything else.
    pub const fn source(self) -> InputSource {
        match self {
            InputKind::Enter | InputKind::Exit | InputKind::Cancel | InputKind::MarkPrice => InputSource::Strategy,
            InputKind::VenueEvent => InputSource::Venue,
            InputKind::Tick
            | InputKind::Reconcile
            | InputKind::SeedCapital
            | InputKind::MarkStale
            | InputKind::Configure
            | InputKind::Flatten => InputSource::System,
        }
    }
}

abi_enum!(EventKind: u8, "EVENT_KIND" {
    Ack = 1 => "ACK",
    PartialFill = 2 => "PARTIAL_FILL",
    FullFill = 3 => "FULL_FILL",
    CancelAck = 4 => "CANCEL_ACK",
    CancelReject = 5 => "CANCEL_REJECT",
    Reject = 6 => "REJECT",
});

abi_enum!(RejectReason: u8, "REJECT_REASON" { Venue = 1 => "VENUE", RateLimited = 2 => "RATE_LIMITED" });

abi_enum!(StaleReason: u8, "STALE_REASON" {
    Restart = 1 => "RESTART",
    Divergence = 2 => "DIVERGENCE",
    Operator = 3 => "OPERATOR",
    Overfill = 4 => "OVERFILL",
    ForeignOrder = 5 => "FOREIGN_ORDER",
});

abi_enum!(
    /// What CONFIGURE sets. Integer keys take `value`, money and ratio keys take `amount`; for
    /// every risk limit 0 means off.
    ConfigKey: u8, "CONFIG_KEY" {
    ActiveSlotLimit = 1 => "ACTIVE_SLOT_LIMIT",
    HungOrderMs = 2 => "HUNG_ORDER_MS",
    TradingState = 3 => "TRADING_STATE",
    MaxNotionalPerTrade = 4 => "MAX_NOTIONAL_PER_TRADE",
    MaxGrossExposure = 5 => "MAX_GROSS_EXPOSURE",
    MaxOrdersPerMinute = 6 => "MAX_ORDERS_PER_MINUTE",
    MaxLeverage = 7 => "MAX_LEVERAGE",
    MaxDrawdownRatio = 8 => "MAX_DRAWDOWN_RATIO",
});

abi_enum!(
    /// What the kernel lets through: ACTIVE everything; REDUCING exits and cancels only; HALTED
    /// cancels only (and the launcher's FLATTEN).
    TradingState: u8, "TRADING_STATE" { Active = 1 => "ACTIVE", Reducing = 2 => "REDUCING", Halted = 3 => "HALTED" });

abi_enum!(
    /// What caused a transition; also the input column of the transition table.
    Trigger: u8, "TRIGGER" {
    Enter = 1 => "ENTER",
    Exit = 2 => "EXIT",
    Cancel = 3 => "CANCEL",
    MarkPrice = 4 => "MARK_PRICE",
    Tick = 5 => "TICK",
    Reconcile = 6 => "RECONCILE",
    Ack = 7 => "ACK",
    PartialFill = 8 => "PARTIAL_FILL",
    FullFill = 9 => "FULL_FILL",
    CancelAck = 10 => "CANCEL_ACK",
    CancelReject = 11 => "CANCEL_REJECT",
    Reject = 12 => "REJECT",
    MarkStale = 13 => "MARK_STALE",
    Overfill = 14 => "OVERFILL",
    ForeignOrder = 15 => "FOREIGN_ORDER",
    Restore = 16 => "RESTORE",
    Flatten = 17 => "FLATTEN",
});

impl Trigger {
    /// The trigger of a venue event kind.
    pub const fn of_event(kind: EventKind) -> Trigger {
        match kind {
            EventKind::Ack => Trigger::Ack,
            EventKind::PartialFill => Trigger::PartialFill,
            EventKind::FullFill => Trigger::FullFill,
            EventKind::CancelAck => Trigger::CancelAck,
            EventKind::CancelReject => Trigger::CancelReject,
            EventKind::Reject => Trigger::Reject,
        }
    }
}

abi_enum!(Severity: u8, "SEVERITY" { Info = 1 => "INFO", Warning = 2 => "WARNING", Error = 3 => "ERROR", Critical = 4 => "CRITICAL" });

abi_enum!(
    /// The input field a diagnostic is about.
    Field: u8, "FIELD" {
    None = 0 => "NONE",
    SlotId = 1 => "SLOT_ID",
    NowMs = 2 => "NOW_MS",
    Size = 3 => "SIZE",
    Price = 4 => "PRICE",
    Leverage = 5 => "LEVERAGE",
    Side = 6 => "SIDE",
    OrderType = 7 => "ORDER_TYPE",
    ExitReason = 8 => "EXIT_REASON",
    EventKind = 9 => "EVENT_KIND",
    RejectReason = 10 => "REJECT_REASON",
    Asset = 11 => "ASSET",
    TradeId = 12 => "TRADE_ID",
    VenueOrderId = 13 => "VENUE_ORDER_ID",
    ClientOrderId = 14 => "CLIENT_ORDER_ID",
    EventId = 15 => "EVENT_ID",
    Fee = 16 => "FEE",
    Amount = 17 => "AMOUNT",
    StaleReason = 18 => "STALE_REASON",
    ConfigKey = 19 => "CONFIG_KEY",
    Value = 20 => "VALUE",
    Kind = 21 => "KIND",
    OrderRole = 22 => "ORDER_ROLE",
    LastSize = 23 => "LAST_SIZE",
    LastPrice = 24 => "LAST_PRICE",
    RetryAfter = 25 => "RETRY_AFTER",
    Image = 26 => "IMAGE",
    TradingState = 27 => "TRADING_STATE",
    MaxNotionalPerTrade = 28 => "MAX_NOTIONAL_PER_TRADE",
    MaxGrossExposure = 29 => "MAX_GROSS_EXPOSURE",
    MaxOrdersPerMinute = 30 => "MAX_ORDERS_PER_MINUTE",
    MaxLeverage = 31 => "MAX_LEVERAGE",
    MaxDrawdownRatio = 32 => "MAX_DRAWDOWN_RATIO",
    Snapshot = 33 => "SNAPSHOT",
});

abi_enum!(
    /// Diagnostic codes: stable, never reused.
    DiagCode: u16, "DIAG" {
    InvalidSlotId = 1 => "INVALID_SLOT_ID",
    SlotBusy = 2 => "SLOT_BUSY",
    SlotLimitReached = 3 => "SLOT_LIMIT_REACHED",
    InvalidIntent = 4 => "INVALID_INTENT",
    NoActiveExitOrder = 5 => "NO_ACTIVE_EXIT_ORDER",
    InvalidTransition = 6 => "INVALID_TRANSITION",
    StaleStateReconcile = 7 => "STALE_STATE_RECONCILE",
    DuplicateEvent = 8 => "DUPLICATE_EVENT",
    UnknownOrder = 9 => "UNKNOWN_ORDER",
    Overfill = 10 => "OVERFILL",
    HungOrder = 11 => "HUNG_ORDER",
    VenueRejected = 12 => "VENUE_REJECTED",
    RateLimited = 13 => "RATE_LIMITED",
    CancelRejected = 14 => "CANCEL_REJECTED",
    StaleEvent = 15 => "STALE_EVENT",
    Reconciled = 16 => "RECONCILED",
    KernelFault = 17 => "KERNEL_FAULT",
    CapitalSeeded = 18 => "CAPITAL_SEEDED",
    // Issued by the launcher, numbered here so that every code has one stable value:
    InputSourceRefused = 19 => "INPUT_SOURCE_REFUSED",
    OrphanPosition = 20 => "ORPHAN_POSITION",
    ZincRegionCorrupt = 21 => "ZINC_REGION_CORRUPT",
    TradingHalted = 22 => "TRADING_HALTED",
    ReduceOnly = 23 => "REDUCE_ONLY",
    RiskLimit = 24 => "RISK_LIMIT",
    DrawdownLimit = 25 => "DRAWDOWN_LIMIT",
    // Issued by the launcher (live reconciliation):
    VenueMismatch = 26 => "VENUE_MISMATCH",
    OrphanOrder = 27 => "ORPHAN_ORDER",
    // Issued by the kernel with an accepted EXIT or FLATTEN:
    ExitLegsLow = 28 => "EXIT_LEGS_LOW",
});

impl DiagCode {
    /// The fixed severity of each code (kernel/ABI.md).
    pub const fn severity(self) -> Severity {
        match self {
            DiagCode::DuplicateEvent | DiagCode::StaleEvent | DiagCode::Reconciled | DiagCode::CapitalSeeded => {
                Severity::Info
            }
            DiagCode::InvalidSlotId
            | DiagCode::InvalidIntent
            | DiagCode::UnknownOrder
            | DiagCode::InputSourceRefused => Severity::Error,
            DiagCode::Overfill
            | DiagCode::KernelFault
            | DiagCode::OrphanPosition
            | DiagCode::ZincRegionCorrupt
            | DiagCode::DrawdownLimit => Severity::Critical,
            _ => Severity::Warning,
        }
    }
}
