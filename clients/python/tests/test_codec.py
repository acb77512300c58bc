"""The Python client's codecs: intents land at kernel/ABI.md's offsets with every unused byte zero;
a field the record cannot carry raises InvalidIntent naming it and writes nothing; outcome, slot, account and control
images decode field by field (the control snapshot's trading state and risk limits too, each checked
against its range); and any bytes a hostile process leaves in shared memory decode to a
record or raise CorruptRegion, never another exception (seeded random bytes, 3000 draws each)."""

import math
import random
import struct
import unittest

from dita_v2_client import (Cancel, CorruptRegion, Enter, Exit, InvalidIntent, MarkPrice, decode_account,
                            decode_control, decode_outcome, decode_slot, encode_intent)

NOW = 1_700_000_000_123
CID = (1 << 48) | (2 << 32) | 5
# ffi/README.md section 6: version, updated_at_ms, active_slot_limit, mode, verbosity, backend, the four
# switches, trading_state (27), reserved, the risk limits (32..62), reserved
CONTROL = struct.Struct("<QQI8B4xdddIH2x")


def record(intent):
    out = bytearray(320)
    encode_intent(intent, NOW, CID, out)
    return bytes(out)


class IntentEncoding(unittest.TestCase):
    def test_enter_fields_sit_at_their_abi_offsets_and_nothing_else_is_written(self):
        r = record(Enter(3, "T-1_x", "BTC-USDT", "SHORT", 0.0123, 7))
        self.assertEqual(struct.unpack_from("<HHIQq", r, 0), (1, 0, 3, NOW, 1_230_000))
        self.assertEqual(struct.unpack_from("<d", r, 32)[0], 0.0)
        self.assertEqual(struct.unpack_from("<HBBB", r, 80), (7, 2, 1, 0))
        self.assertEqual(r[112:136].rstrip(b"\0"), b"BTC-USDT")
        self.assertEqual(r[136:168].rstrip(b"\0"), b"T-1_x")
        self.assertEqual(struct.unpack_from("<Q", r, 304)[0], CID)
        written = set(range(0, 24)) | set(range(32, 40)) | set(range(80, 85)) | set(range(112, 168)) | set(range(304, 312))
        self.assertTrue(all(r[i] == 0 for i in range(320) if i not in written))

    def test_a_limit_enter_and_exit_carry_price_order_type_and_reason(self):
        r = record(Enter(0, "L", "ETH-USDT", "LONG", 1, 1, price=3499.5))
        self.assertEqual((struct.unpack_from("<d", r, 32)[0], r[83]), (3499.5, 2))
        e = record(Exit(2, 0.25, "SL", price=70000))
        self.assertEqual(struct.unpack_from("<HHIQq", e, 0), (2, 0, 2, NOW, 25_000_000))
        self.assertEqual((struct.unpack_from("<d", e, 32)[0], e[83], e[84]), (70000.0, 2, 3))

    def test_cancel_and_mark_price(self):
        self.assertEqual(struct.unpack_from("<HHIQq", record(Cancel(5)), 0), (3, 0, 5, NOW, 0))
        m = record(MarkPrice("TRX-USDT", 0.2512))
        self.assertEqual(struct.unpack_from("<HHI", m, 0), (4, 0, 0xFFFF_FFFF))
        self.assertEqual((struct.unpack_from("<d", m, 32)[0], m[112:120]), (0.2512, b"TRX-USDT"))

    def test_a_field_the_record_cannot_carry_is_refused_naming_it_and_nothing_is_written(self):
        cases = [
            ("KIND", "TICK"),
            ("SLOT_ID", Cancel(-1)),
            ("SIZE", Exit(0, 0.123456789, "TP")),
            ("SIZE", Exit(0, math.nan, "TP")),
            ("EXIT_REASON", Exit(0, 1, "PANIC")),
            ("TRADE_ID", Enter(0, "x" * 33, "A", "LONG", 1, 1)),
            ("ASSET", Enter(0, "x", "A" * 25, "LONG", 1, 1)),
            ("SIDE", Enter(0, "x", "A", "UP", 1, 1)),
            ("LEVERAGE", Enter(0, "x", "A", "LONG", 1, 1.5)),
            # A NUL would be read back without it ("T1\0" as "T1"); a lone surrogate has no UTF-8.
            ("TRADE_ID", Enter(0, "T1\0", "A", "LONG", 1, 1)),
            ("ASSET", Enter(0, "x", "BTC-USDT\0", "LONG", 1, 1)),
            ("TRADE_ID", Enter(0, "T\ud800", "A", "LONG", 1, 1)),
        ]
        for field, intent in cases:
            out = bytearray(b"\xaa" * 320)
            with self.assertRaises(InvalidIntent) as e:
                encode_intent(intent, NOW, CID, out)
            self.assertEqual(e.exception.field, field)
            self.assertEqual(out, bytearray(b"\xaa" * 320), f"a refused {field} wrote into the record")
        record(Enter(0, "x", "A", "LONG", 0, 0))  # values the kernel judges are encoded as given

    def test_a_size_is_converted_exactly_up_to_the_kernel_bound_and_a_ninth_decimal_is_refused(self):
        for size, e8 in ((0.29, 29_000_000), (8234.532, 823_453_200_000), (2_000_000.00000001, 200_000_000_000_001),
                         (123_456_789.12345678, 12_345_678_912_345_678), (500_000_000.0, 5 * 10**16),
                         (10**9, 10**17), (1, 10**8)):
            self.assertEqual(struct.unpack_from("<q", record(Exit(0, size)), 16)[0], e8, size)
        for size, said in ((2_000_000.000000001, "more than 8 decimals"), (0.100000000001, "more than 8 decimals"),
                           (0.1 + 0.2, "more than 8 decimals"), (1e-9, "more than 8 decimals"),
                           (1_000_000_000.00001, "out of range"), (10**9 + 1, "out of range"),
                           (-2e9, "out of range"), (1e300, "out of range")):
            out = bytearray(b"\xaa" * 320)
            with self.assertRaises(InvalidIntent) as e:
                encode_intent(Exit(0, size), NOW, CID, out)
            self.assertEqual(e.exception.field, "SIZE")
            self.assertIn(said, str(e.exception))
            self.assertEqual(out, bytearray(b"\xaa" * 320))


def outcome_bytes(**over):
    rec = bytearray(256)
    f = {"lock": 2 * 11, "cid": CID, "now": NOW, "version": 9, "slot": 4, "kind": 7, "origin": 3, "accepted": 1,
         "stage": 1, "count": 1, "event": 6, "status": 7}
    f.update(over)
    struct.pack_into("<QQQQIHBBBBBB4x", rec, 0, f["lock"], f["cid"], f["now"], f["version"], f["slot"], f["kind"],
                     f["origin"], f["accepted"], f["stage"], f["count"], f["event"], f["status"])
    struct.pack_into("<HBBB3xqd", rec, 48, 13, 2, 0, 1, 1500, math.nan)
    rec[120:132] = b"rate limited"
    return bytes(rec)


class ImageDecoding(unittest.TestCase):
    def test_an_outcome_decodes_field_by_field(self):
        o = decode_outcome(outcome_bytes())
        self.assertEqual((o.client_intent_id, o.lane_position, o.origin, o.accepted, o.input_kind, o.slot_id),
                         (CID, 10, "VENUE", True, "VENUE_EVENT", 4))
        self.assertEqual((o.stage, o.event_kind, o.order_status, o.message, o.code), ("IDLE", "REJECT", "REJECTED",
                                                                                    "rate limited", "RATE_LIMITED"))
        d = o.diagnostics[0]
        self.assertEqual((d.severity, d.field, d.retryable, d.retry_after_ms, d.value), ("WARNING", "NONE", True, 1500, None))

    def test_an_unknown_diagnostic_code_of_a_newer_kernel_decodes_as_code_n(self):
        rec = bytearray(outcome_bytes())
        struct.pack_into("<H", rec, 48, 99)
        self.assertEqual(decode_outcome(bytes(rec)).code, "CODE_99")

    def test_a_risk_limit_refusal_names_the_limit_and_an_unknown_field_decodes_as_field_n(self):
        for code, field, want in ((24, 31, ("RISK_LIMIT", "MAX_LEVERAGE")), (22, 0, ("TRADING_HALTED", "NONE")),
                                  (23, 28, ("REDUCE_ONLY", "MAX_NOTIONAL_PER_TRADE")),
                                  (26, 33, ("VENUE_MISMATCH", "SNAPSHOT")), (24, 200, ("RISK_LIMIT", "FIELD_200"))):
            rec = bytearray(outcome_bytes(origin=2, accepted=0, event=0, status=0))
            struct.pack_into("<HBBB3xqd", rec, 48, code, 2, field, 0, -1, 10.0)
            d = decode_outcome(bytes(rec)).diagnostics[0]
            self.assertEqual((d.code, d.field, d.value, d.retry_after_ms), (*want, 10.0, None))

    def test_a_never_written_slot_is_idle_and_a_written_one_decodes(self):
        self.assertEqual(decode_slot(bytes(448), 3).stage, "IDLE")
        img = bytearray(448)
        struct.pack_into("<IBBBBQQqdHBB", img, 0, 2, 3, 1, 0, 0, 7, NOW, 5_000_000, 65000.0, 5, 1, 0)
        struct.pack_into("<8Bqq", img, 80, 1, 1, 4, 1, 1, 0, 0, 0, 5_000_000, 5_000_000)
        img[368:376], img[392:394] = b"BTC-USDT", b"T9"
        s = decode_slot(bytes(img), 2)
        self.assertEqual((s.stage, s.side, s.size, s.entry_price, s.leverage, s.trade_id, s.asset, s.version),
                         ("POSITION_OPEN", "LONG", 0.05, 65000.0, 5, "T9", "BTC-USDT", 7))
        self.assertEqual((s.entry_order.status, s.entry_order.role, s.entry_order.filled_size), ("FILLED", "ENTRY", 0.05))
        with self.assertRaises(CorruptRegion):
            decode_slot(bytes(img), 1)  # the image says slot 2

    def test_an_exit_leg_past_255_is_leg_lo_plus_256_times_leg_hi_in_the_slot_and_its_exit_order(self):
        img = bytearray(448)
        struct.pack_into("<IBBBBQQqdHBBB", img, 0, 2, 3, 1, 0, 0, 7, NOW, 5_000_000, 65000.0, 5, 1, 0x34, 0x12)
        struct.pack_into("<8Bqq", img, 80, 1, 1, 4, 1, 1, 0, 0, 0, 5_000_000, 5_000_000)
        struct.pack_into("<8Bqq", img, 224, 1, 2, 5, 1, 2, 0x34, 0, 0, 1_000_000, 0)
        img[224 + 136] = 0x12
        img[368:376], img[392:394] = b"BTC-USDT", b"T9"
        s = decode_slot(bytes(img), 2)
        self.assertEqual((s.leg, s.exit_order.leg, s.entry_order.leg), (0x1234, 0x1234, 0))

    def test_account_and_control_decode(self):
        acc = struct.pack("<ddddddddQQB15x", 100.0, 110.0, 10.0, 10 / 110, 1.0, -9.0, 2.0, 102.0, 3, 8, 1)
        a = decode_account(acc)
        self.assertEqual((a.capital, a.equity, a.trade_seq, a.seeded), (100.0, 102.0, 3, True))
        self.assertIsNone(decode_control(bytes(64)))
        c = decode_control(CONTROL.pack(2, NOW, 4, 2, 3, 1, 1, 0, 0, 1, 2, 5000.0, 20000.0, 0.25, 60, 10))
        self.assertEqual((c.version, c.mode, c.verbosity, c.backend, c.active_slot_limit, c.reconcile_on_restart),
                         (2, "DEBUG", "TRACE", "MOCK", 4, True))
        self.assertEqual((c.trading_state, c.max_notional_per_trade, c.max_gross_exposure, c.max_drawdown_ratio,
                          c.max_orders_per_minute, c.max_leverage), ("REDUCING", 5000.0, 20000.0, 0.25, 60, 10))

    def test_a_control_trading_state_or_risk_limit_out_of_range_is_corrupt_region_naming_it(self):
        good = (2, NOW, 4, 1, 1, 1, 0, 0, 0, 0, 3, 0.0, 0.0, 0.0, 0, 0)
        self.assertEqual(decode_control(CONTROL.pack(*good)).trading_state, "HALTED")
        for at, value, name in ((10, 0, "trading_state"), (10, 4, "trading_state"), (10, 0xFF, "trading_state"),
                                (11, math.nan, "max_notional_per_trade"), (12, -1.0, "max_gross_exposure"),
                                (13, 1.5, "max_drawdown_ratio"), (14, 1201, "max_orders_per_minute"),
                                (15, 126, "max_leverage")):
            bad = list(good)
            bad[at] = value
            with self.assertRaisesRegex(CorruptRegion, f"control {name} = "):
                decode_control(CONTROL.pack(*bad))

    def test_a_boolean_byte_other_than_0_or_1_is_corrupt_region_naming_it_never_a_wrong_boolean(self):
        acc = bytearray(struct.pack("<ddddddddQQB15x", 100.0, 100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0, 0, 1, 0))
        self.assertFalse(decode_account(bytes(acc)).seeded)
        img = bytearray(448)
        struct.pack_into("<IBBBBQQqdHBB", img, 0, 2, 3, 1, 0, 0, 7, NOW, 5_000_000, 65000.0, 5, 1, 0)
        struct.pack_into("<8Bqq", img, 80, 1, 1, 4, 1, 1, 0, 0, 0, 5_000_000, 5_000_000)
        for byte in (2, 0x7F, 0xFF):
            acc[80] = byte
            with self.assertRaisesRegex(CorruptRegion, "seeded"):
                decode_account(bytes(acc))
            bad = bytearray(img)
            bad[42] = byte
            with self.assertRaisesRegex(CorruptRegion, "is_open"):
                decode_slot(bytes(bad), 2)
            bad = bytearray(img)
            bad[86] = byte
            with self.assertRaisesRegex(CorruptRegion, "hung"):
                decode_slot(bytes(bad), 2)

    def test_hostile_bytes_decode_to_a_record_or_corrupt_region_never_another_exception(self):
        rng = random.Random(20240507)
        for i in range(3000):
            raw = bytearray(rng.getrandbits(8) for _ in range(256))
            if i % 2:
                struct.pack_into("<Q", raw, 0, 2 * (1 + rng.randrange(1000)))
            for decode in (decode_outcome,):
                try:
                    decode(bytes(raw))
                except CorruptRegion:
                    pass
            img = bytes(rng.getrandbits(8) for _ in range(448))
            try:
                decode_slot(img, img[0])
            except CorruptRegion:
                pass
            try:
                decode_control(bytes(rng.getrandbits(8) for _ in range(64)))
            except CorruptRegion:
                pass


if __name__ == "__main__":
    unittest.main()
