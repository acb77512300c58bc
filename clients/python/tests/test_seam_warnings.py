"""The seam surfaces the warnings the kernel gives with an ACCEPTED step (as the TypeScript seam:
tests/unit/client_ts_seam_warnings.test.ts, which takes its bytes from the launcher and a real kernel).

``SeamResult.warnings`` holds every WARNING or CRITICAL diagnostic of an accepted step's KERNEL
outcome and, with ``await_venue``, of its VENUE outcomes that are not refusals (not a REJECT or
CANCEL_REJECT), as ``WarningReport(origin, code, severity, message, slot_id, value)``; ``ok`` is
unchanged by them. A refused step's diagnostics are its refusal only, never also a warning. The
kernel's EXIT_LEGS_LOW (code 28, WARNING, ``value`` the exit legs left) comes with the EXIT that
opens exit leg 65 280, 65 285, ... 65 520 and each of 65 525..65 535. The kernel and the venue
are a fake libzinc publishing OutcomeRecord bytes as the launcher writes them (src/zinc/outcome_record.ts)."""

import ctypes
import math
import struct
import unittest

from dita_v2_client import CloseAll, ScaleOut, Seam, StopLoss

from fake_zinc import DIAG, HEAD, FakeZinc, client

SLOT = struct.Struct("<IBBBBQQq")  # a slot image's slot_id, stage, side, ..., version, updated, size_e8
ENTRY_WORKING, POSITION_OPEN, EXIT_WORKING, CLOSED = 2, 3, 4, 5
EDGE, KERNEL, VENUE = 1, 2, 3
EXIT, CANCEL, VENUE_EVENT = 2, 3, 7
PARTIAL_FILL, FULL_FILL, CANCEL_REJECT, REJECT = 2, 3, 5, 6
WARNING, CRITICAL = 2, 4
RATE_LIMITED, VENUE_REJECTED, CANCEL_REJECTED, OVERFILL, STALE_EVENT, EXIT_LEGS_LOW = 13, 12, 14, 10, 15, 28
INFO = 1
LEGS_LOW_55 = "exit leg 65480 of 65535: 55 left, then EXIT and FLATTEN are refused; close the position whole"


def image(stage, size_e8):
    img = bytearray(448)
    SLOT.pack_into(img, 0, 0, stage, 1, 0, 0, 1, 1, size_e8)
    img[368:376] = b"BTC-USDT"
    img[392:394] = b"T0"
    return bytes(img)


def outcome(origin, accepted, kind, stage, *, event_kind=0, diags=(), message=""):
    """A maker of the outcome record for slot 0 at a lane position for an intent; ``diags`` are
    (code, severity, retry_after_ms or -1, value or None), the message the first one's."""

    def make(position, cid):
        rec = bytearray(256)
        HEAD.pack_into(rec, 0, 2 * (position + 1), cid, 1, 1, 0, kind, origin, accepted, stage, len(diags),
                       event_kind, 0)
        for i, (code, severity, after, value) in enumerate(diags):
            DIAG.pack_into(rec, 48 + 24 * i, code, severity, 0, 1 if after >= 0 else 0, after,
                           math.nan if value is None else value)
        m = message.encode()
        rec[120:120 + len(m)] = m
        return bytes(rec)

    return make


LEGS_LOW = outcome(KERNEL, 1, EXIT, EXIT_WORKING, diags=[(EXIT_LEGS_LOW, WARNING, -1, 55.0)], message=LEGS_LOW_55)


class Venue(FakeZinc):
    """Slot 0 holds 1 BTC (or ``stage``). Each push is answered by the next entry of ``script``: the
    outcome makers published at once for the pushed intent, and the slot image after it (or None)."""

    def __init__(self, script, stage=POSITION_OPEN, size_e8=100_000_000):
        super().__init__(3, slot_count=1)
        self.slot_images = [image(stage, size_e8)]
        self.account_image = struct.pack("<8d", *[10_000.0] * 8) + struct.pack("<QQB15x", 0, 1, 1)
        self.script = list(script)
        self.pushed = []

    def zinc_ring_push(self, h, ptr, size):
        rec = ctypes.string_at(ptr, size)
        self.pushed.append(rec[0])
        makers, after = self.script.pop(0)
        for make in makers:
            self.records[self.head] = make(self.head, struct.unpack_from("<Q", rec, 304)[0])
            self.head += 1
        if after is not None:
            self.slot_images = [after]
        return 0


def run(lib, decision, **kw):
    return Seam(client(lib, 1, 1), venue_timeout=0.0).execute(decision, **kw)


class SeamWarnings(unittest.TestCase):
    def test_a_scale_out_whose_exit_opens_exit_leg_65480_is_ok_with_exit_legs_low_55_left_in_warnings(self):
        r = run(Venue([([LEGS_LOW], None)]), ScaleOut(0, fraction=0.5))
        self.assertTrue(r.ok)
        self.assertEqual(r.refusals, [])
        self.assertEqual([(w.origin, w.code, w.severity, w.message, w.slot_id, w.value) for w in r.warnings],
                         [("KERNEL", "EXIT_LEGS_LOW", "WARNING", LEGS_LOW_55, 0, 55.0)])

    def test_a_stop_loss_whose_exit_opens_exit_leg_250_is_ok_with_exit_legs_low_5_left_in_warnings(self):
        legs_low_5 = outcome(KERNEL, 1, EXIT, EXIT_WORKING, diags=[(EXIT_LEGS_LOW, WARNING, -1, 5.0)],
                             message="exit leg 65530 of 65535: 5 left")
        r = run(Venue([([legs_low_5], None)]), StopLoss(0))
        self.assertEqual((r.ok, [(w.origin, w.code, w.value) for w in r.warnings]),
                         (True, [("KERNEL", "EXIT_LEGS_LOW", 5.0)]))

    def test_an_accepted_exit_with_no_warning_leaves_warnings_empty_and_an_info_is_no_warning(self):
        info = outcome(KERNEL, 1, EXIT, EXIT_WORKING, diags=[(STALE_EVENT, INFO, -1, None)], message="old")
        r = run(Venue([([info], None)]), StopLoss(0))
        self.assertEqual((r.ok, r.refusals, r.warnings), (True, [], []))

    def test_a_step_refused_rate_limited_at_the_edge_a_warning_diagnostic_is_a_refusal_only_never_a_warning(self):
        held = outcome(EDGE, 0, EXIT, POSITION_OPEN, diags=[(RATE_LIMITED, WARNING, 60_000, None)],
                       message="EXIT not sent")
        r = run(Venue([([held], None)]), StopLoss(0), await_venue=True)
        self.assertEqual(r.steps[0].outcome.diagnostics[0].severity, "WARNING")
        self.assertEqual([(x.origin, x.code) for x in r.refusals], [("EDGE", "RATE_LIMITED")])
        self.assertEqual((r.ok, r.rate_limited, r.warnings), (False, True, []))

    def test_the_venues_reject_a_warning_diagnostic_is_a_refusal_only_the_kernels_exit_legs_low_stays_a_warning(self):
        reject = outcome(VENUE, 1, VENUE_EVENT, POSITION_OPEN, event_kind=REJECT,
                         diags=[(VENUE_REJECTED, WARNING, -1, 1.0)], message="EXIT order T0-X65480 rejected")
        r = run(Venue([([LEGS_LOW, reject], None)]), StopLoss(0), await_venue=True)
        self.assertEqual(r.steps[0].venue.event_kind, "REJECT")
        self.assertEqual([(x.origin, x.code) for x in r.refusals], [("VENUE", "VENUE_REJECTED")])
        self.assertEqual([(w.origin, w.code, w.value) for w in r.warnings], [("KERNEL", "EXIT_LEGS_LOW", 55.0)])
        self.assertFalse(r.ok)

    def test_with_await_venue_a_venue_answer_that_is_no_refusal_brings_its_warnings_an_overfill_critical(self):
        overfill = outcome(VENUE, 1, VENUE_EVENT, EXIT_WORKING, event_kind=FULL_FILL,
                           diags=[(OVERFILL, CRITICAL, -1, 0.6)], message="filled 0.6 exceeds the order size 0.5")
        r = run(Venue([([LEGS_LOW, overfill], None)]), ScaleOut(0, fraction=0.5), await_venue=True)
        self.assertEqual((r.ok, r.refusals), (True, []))
        self.assertEqual([(w.origin, w.code, w.severity, w.message, w.slot_id, w.value) for w in r.warnings],
                         [("KERNEL", "EXIT_LEGS_LOW", "WARNING", LEGS_LOW_55, 0, 55.0),
                          ("VENUE", "OVERFILL", "CRITICAL", "filled 0.6 exceeds the order size 0.5", 0, 0.6)])

    def test_close_all_takes_the_warnings_of_the_fills_a_cancel_waits_past_and_of_its_second_steps_exit(self):
        cancel = outcome(KERNEL, 1, CANCEL, ENTRY_WORKING)
        partial = outcome(VENUE, 1, VENUE_EVENT, ENTRY_WORKING, event_kind=PARTIAL_FILL)
        full = outcome(VENUE, 1, VENUE_EVENT, POSITION_OPEN, event_kind=FULL_FILL,
                       diags=[(OVERFILL, CRITICAL, -1, 0.02)], message="filled 0.02")
        closed = outcome(VENUE, 1, VENUE_EVENT, CLOSED, event_kind=FULL_FILL)
        lib = Venue([([cancel, partial, full], image(POSITION_OPEN, 1_000_000)),
                     ([LEGS_LOW, closed], image(CLOSED, 0))], stage=ENTRY_WORKING, size_e8=500_000)
        r = run(lib, CloseAll("SL"), await_venue=True)
        self.assertEqual(lib.pushed, [CANCEL, EXIT])
        self.assertEqual((r.ok, r.refusals), (True, []))
        self.assertEqual([(w.origin, w.code, w.severity, w.message, w.value) for w in r.warnings],
                         [("VENUE", "OVERFILL", "CRITICAL", "filled 0.02", 0.02),
                          ("KERNEL", "EXIT_LEGS_LOW", "WARNING", LEGS_LOW_55, 55.0)])

    def test_close_alls_cancel_answered_cancel_reject_after_a_racing_fill_is_a_refusal_only(self):
        cancel = outcome(KERNEL, 1, CANCEL, ENTRY_WORKING)
        partial = outcome(VENUE, 1, VENUE_EVENT, ENTRY_WORKING, event_kind=PARTIAL_FILL)
        rejected = outcome(VENUE, 1, VENUE_EVENT, ENTRY_WORKING, event_kind=CANCEL_REJECT,
                           diags=[(CANCEL_REJECTED, WARNING, -1, None)], message="no")
        r = run(Venue([([cancel, partial, rejected], None)], stage=ENTRY_WORKING, size_e8=500_000), CloseAll("SL"),
                await_venue=True)
        self.assertEqual([(x.origin, x.code) for x in r.refusals], [("VENUE", "CANCEL_REJECTED")])
        self.assertEqual(r.warnings, [])

    def test_a_warning_past_the_records_first_diagnostic_has_its_code_as_message(self):
        two = outcome(KERNEL, 1, EXIT, EXIT_WORKING, diags=[(STALE_EVENT, INFO, -1, None),
                                                            (EXIT_LEGS_LOW, WARNING, -1, 50.0)], message="old")
        r = run(Venue([([two], None)]), StopLoss(0))
        self.assertEqual([(w.code, w.message, w.value) for w in r.warnings], [("EXIT_LEGS_LOW", "EXIT_LEGS_LOW", 50.0)])


if __name__ == "__main__":
    unittest.main()
