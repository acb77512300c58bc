"""What CloseAll leaves, what an unanswered venue is, and where trade ids come from (the same as the
TypeScript seam: tests/unit/client_ts_seam_close_all.test.ts).

(1) With ``await_venue``, an entry that had partly filled keeps that part open after its cancel
(the kernel then holds POSITION_OPEN with the filled size): once the venue answered the cancels,
the seam re-reads those slots and exits any that now hold a position, in the same result;
``remaining`` names every slot not flat when the result returns (an EXIT_WORKING slot it skipped
counts). Without ``await_venue`` nothing is followed up and ``remaining`` says so: every slot the
close planned on that was not flat. (2) A venue that does not answer within the venue timeout is
``venue_pending`` (its slot ids), never an unexplained ``venue`` None; ``ok`` stays True (nothing
was refused). (3) A generated trade id is ``<prefix>-<ms in base 36>-<n>`` from the client's clock
(or the seam's ``now_ms``): deterministic under an injected clock; a clock that answers no time is
a CLIENT INVALID_INTENT refusal with nothing pushed. (4) A fill racing a cancel is its first venue
answer; with ``await_venue`` the seam waits, until one deadline ``venue_timeout`` away, for the
cancel's final answer (CANCEL_ACK, FULL_FILL, or a CANCEL_REJECT: a VENUE refusal), taking the fills
on the way, then re-reads and exits what the slot holds; no final answer in time is
``venue_pending``. The kernel and venue are a fake libzinc."""

import ctypes
import math
import struct
import unittest

from dita_v2_client import CloseAll, DitaClient, Seam, StopLoss, open_long
from dita_v2_client.client import ClientInfo

from fake_zinc import WRITER_PID, FakeZinc, TickClock, record

SLOT = struct.Struct("<IBBBBQQq")  # a slot image's slot_id, stage, side, ..., version, updated, size_e8
IDLE, ENTRY_WORKING, POSITION_OPEN, EXIT_WORKING, CLOSED = 1, 2, 3, 4, 5
KINDS = {1: "ENTER", 2: "EXIT", 3: "CANCEL"}
ACK, PARTIAL_FILL, FULL_FILL, CANCEL_ACK, CANCEL_REJECT = 1, 2, 3, 4, 5
KERNEL, VENUE = 2, 3


def image(slot_id, stage, size_e8):
    img = bytearray(448)
    SLOT.pack_into(img, 0, slot_id, stage, 1, 0, 0, 1, 1, size_e8)
    img[368:376] = b"BTC-USDT"
    img[392:394] = f"T{slot_id}".encode()
    return bytes(img)


class Venue(FakeZinc):
    """Slot 0 works an entry of 0.01 of which 0.005 filled, slot 1 holds 0.05, slot 2 works a
    scale-out's exit. The kernel accepts every intent; unless ``silent`` the venue answers at once:
    a CANCEL with CANCEL_ACK (the filled part stays open: POSITION_OPEN), an EXIT with FULL_FILL
    (CLOSED), an ENTER with ACK. Each slot change is mirrored before its outcome is published, as
    the kernel mirrors inside its apply and the launcher publishes after it."""

    def __init__(self, silent=False):
        super().__init__(3, slot_count=3)
        self.held = [500_000, 5_000_000, 2_000_000]
        self.slot_images = [image(0, ENTRY_WORKING, 500_000), image(1, POSITION_OPEN, 5_000_000),
                            image(2, EXIT_WORKING, 2_000_000)]
        self.account_image = struct.pack("<8d", *[10_000.0] * 8) + struct.pack("<QQB15x", 0, 1, 1)
        self.silent = silent
        self.pushed = []  # (kind, slot, size_e8)

    def _publish(self, cid, slot, stage, **kw):
        self.records[self.head] = record(self.head, cid, slot_id=slot, stage=stage, **kw)
        self.head += 1

    def _mirror(self, slot, stage, size_e8):
        self.held[slot] = size_e8
        self.slot_images[slot] = image(slot, stage, size_e8)
        self.seq += 1

    def zinc_ring_push(self, h, ptr, size):
        rec = ctypes.string_at(ptr, size)
        kind, slot, qty, cid = rec[0], struct.unpack_from("<I", rec, 4)[0], struct.unpack_from("<q", rec, 16)[0], \
            struct.unpack_from("<Q", rec, 304)[0]
        self.pushed.append((KINDS[kind], slot, qty))
        stage = EXIT_WORKING if kind == 2 else ENTRY_WORKING
        self._mirror(slot, stage, self.held[slot] if kind != 1 else 0)
        self._publish(cid, slot, stage, origin=KERNEL, kind=kind)
        if self.silent:
            return 0
        if kind == 3:  # the cancel is acknowledged: what filled stays open
            stage, event = (POSITION_OPEN if self.held[slot] else IDLE), CANCEL_ACK
            self._mirror(slot, stage, self.held[slot])
        elif kind == 2:
            stage, event = CLOSED, FULL_FILL
            self._mirror(slot, stage, 0)
        else:
            event = ACK
        self._publish(cid, slot, stage, origin=VENUE, kind=7, event_kind=event)
        return 0


class RacingVenue(Venue):
    """As Venue, but slot 0's CANCEL is answered with the events of ``race`` instead, in order (a fill
    racing the cancel: PARTIAL_FILL fills 0.001 more and the entry still works; FULL_FILL fills all
    0.01; CANCEL_ACK leaves what filled open; CANCEL_REJECT leaves the entry working): the first at
    once, each next one (mirrored, then published) only when the client polls a lane holding nothing
    unread, as a venue answering later would; past the last, nothing more comes."""

    def __init__(self, race):
        super().__init__()
        self.race, self.later = list(race), []

    def _answer(self, cid, event):
        if event == PARTIAL_FILL:
            self._mirror(0, ENTRY_WORKING, self.held[0] + 100_000)
        elif event == FULL_FILL:
            self._mirror(0, POSITION_OPEN, 1_000_000)
        elif event == CANCEL_ACK:
            self._mirror(0, POSITION_OPEN, self.held[0])
        stage = ENTRY_WORKING if event in (PARTIAL_FILL, CANCEL_REJECT) else POSITION_OPEN
        self._publish(cid, 0, stage, origin=VENUE, kind=7, event_kind=event)

    def zinc_ring_push(self, h, ptr, size):
        rec = ctypes.string_at(ptr, size)
        if rec[0] != 3:
            return super().zinc_ring_push(h, ptr, size)
        cid = struct.unpack_from("<Q", rec, 304)[0]
        self.pushed.append(("CANCEL", 0, 0))
        self._publish(cid, 0, ENTRY_WORKING, origin=KERNEL, kind=3)
        self._answer(cid, self.race[0])
        self.later = [(cid, event) for event in self.race[1:]]
        return 0

    def zinc_outcome_poll(self, h, lane, out, most, lost_ref):
        if self.read == self.head and self.later:
            self._answer(*self.later.pop(0))
        return super().zinc_outcome_poll(h, lane, out, most, lost_ref)


def client(lib, clock=lambda: 1_700_000_000.5):
    info = ClientInfo("fake", "pink", 1, 1, len(lib.slot_images), WRITER_PID, lib.kernel_generation)
    return DitaClient(lib, {"intents": 1, "state": 2, "outcomes": 3}, info, 0, clock)


def base36(n):
    digits = ""
    while True:
        n, d = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + digits
        if n == 0:
            return digits


class CloseAllRemaining(unittest.TestCase):
    def test_close_all_with_await_venue_exits_the_part_a_cancelled_entry_had_filled_and_names_what_is_not_flat(self):
        kernel = Venue()
        r = Seam(client(kernel), venue_timeout=0.0).execute(CloseAll("SL"), await_venue=True)
        self.assertEqual(kernel.pushed, [("CANCEL", 0, 0), ("EXIT", 1, 5_000_000), ("EXIT", 0, 500_000)])
        self.assertEqual([(s.intent.type, s.intent.slot_id, getattr(s.intent, "reason", None)) for s in r.steps],
                         [("CANCEL", 0, None), ("EXIT", 1, "SL"), ("EXIT", 0, "SL")])
        self.assertEqual([s.venue.event_kind for s in r.steps], ["CANCEL_ACK", "FULL_FILL", "FULL_FILL"])
        self.assertEqual(r.skipped, [(2, "EXIT_WORKING")])
        self.assertEqual(r.remaining, [(2, "EXIT_WORKING")])  # the scale-out still working is not flat
        self.assertEqual(r.venue_pending, [])
        self.assertTrue(r.ok)

    def test_close_all_without_await_venue_follows_nothing_up_and_names_every_slot_not_flat(self):
        kernel = Venue()
        r = Seam(client(kernel)).execute(CloseAll())
        self.assertEqual(kernel.pushed, [("CANCEL", 0, 0), ("EXIT", 1, 5_000_000)])
        self.assertEqual(r.remaining, [(0, "ENTRY_WORKING"), (1, "POSITION_OPEN"), (2, "EXIT_WORKING")])
        self.assertTrue(r.ok)

    def test_close_all_whose_cancel_the_venue_has_not_answered_exits_nothing_more_and_says_so(self):
        kernel = Venue(silent=True)
        r = Seam(client(kernel), venue_timeout=0.0).execute(CloseAll(), await_venue=True)
        self.assertEqual(kernel.pushed, [("CANCEL", 0, 0), ("EXIT", 1, 5_000_000)])
        self.assertEqual(r.venue_pending, [0, 1])
        self.assertEqual(r.remaining, [(0, "ENTRY_WORKING"), (1, "EXIT_WORKING"), (2, "EXIT_WORKING")])

    def test_other_decisions_judge_no_remaining(self):
        r = Seam(client(Venue()), venue_timeout=0.0).execute(StopLoss(1), await_venue=True)
        self.assertIsNone(r.remaining)


class CancelRacedByFill(unittest.TestCase):
    """(4) A fill can race CloseAll's cancel: the cancel's first venue answer is then a fill and the
    entry still works. With ``await_venue`` the seam waits (within the venue timeout) for the
    cancel's final answer, taking the fills on the way, then re-reads and exits what the slot holds."""

    def test_close_all_waits_past_a_fill_that_raced_the_cancel_for_its_answer_then_exits_what_the_entry_filled(self):
        kernel = RacingVenue([PARTIAL_FILL, CANCEL_ACK])
        r = Seam(client(kernel), venue_timeout=0.0).execute(CloseAll("SL"), await_venue=True)
        # the 0.005 filled before the close and the 0.001 that raced the cancel
        self.assertEqual(kernel.pushed, [("CANCEL", 0, 0), ("EXIT", 1, 5_000_000), ("EXIT", 0, 600_000)])
        self.assertEqual([s.venue.event_kind for s in r.steps], ["CANCEL_ACK", "FULL_FILL", "FULL_FILL"])
        self.assertEqual(r.remaining, [(2, "EXIT_WORKING")])
        self.assertEqual((r.ok, r.venue_pending), (True, []))

    def test_close_all_exits_an_entry_a_racing_fill_filled_whole_before_its_cancel_landed(self):
        kernel = RacingVenue([PARTIAL_FILL, FULL_FILL])
        r = Seam(client(kernel), venue_timeout=0.0).execute(CloseAll(), await_venue=True)
        self.assertEqual(kernel.pushed, [("CANCEL", 0, 0), ("EXIT", 1, 5_000_000), ("EXIT", 0, 1_000_000)])
        self.assertEqual(r.remaining, [(2, "EXIT_WORKING")])

    def test_close_all_whose_cancel_the_venue_refused_after_a_racing_fill_reports_the_cancel_reject(self):
        kernel = RacingVenue([PARTIAL_FILL, CANCEL_REJECT])
        r = Seam(client(kernel), venue_timeout=0.0).execute(CloseAll(), await_venue=True)
        self.assertEqual(kernel.pushed, [("CANCEL", 0, 0), ("EXIT", 1, 5_000_000)])
        self.assertEqual([(x.origin, x.code, x.slot_id) for x in r.refusals], [("VENUE", "CANCEL_REJECT", 0)])
        self.assertEqual(r.steps[0].venue.event_kind, "CANCEL_REJECT")
        self.assertEqual(r.remaining, [(0, "ENTRY_WORKING"), (2, "EXIT_WORKING")])
        self.assertFalse(r.ok)

    def test_close_all_whose_cancel_has_only_a_racing_fill_within_the_venue_timeout_is_venue_pending(self):
        kernel = RacingVenue([PARTIAL_FILL])
        r = Seam(client(kernel), venue_timeout=0.0).execute(CloseAll(), await_venue=True)
        self.assertEqual(kernel.pushed, [("CANCEL", 0, 0), ("EXIT", 1, 5_000_000)])
        self.assertEqual(r.steps[0].venue.event_kind, "PARTIAL_FILL")  # its last answer is kept
        self.assertEqual(r.venue_pending, [0])
        self.assertEqual(r.remaining, [(0, "ENTRY_WORKING"), (2, "EXIT_WORKING")])
        self.assertTrue(r.ok)

    def test_the_wait_for_a_cancels_final_answer_ends_at_one_deadline_however_many_fills_keep_coming(self):
        kernel = RacingVenue([PARTIAL_FILL] * 4)
        r = Seam(client(kernel), venue_timeout=3.0, monotonic=TickClock(1.0)).execute(CloseAll(), await_venue=True)
        # the deadline is read at 1 (due at 4): answers are taken at 2 and 3, and at 4 the wait ends
        self.assertEqual(len(kernel.later), 1)
        self.assertEqual((r.steps[0].venue.event_kind, r.venue_pending), ("PARTIAL_FILL", [0]))
        self.assertEqual(r.remaining, [(0, "ENTRY_WORKING"), (2, "EXIT_WORKING")])


class VenuePending(unittest.TestCase):
    def test_a_venue_that_does_not_answer_in_time_is_venue_pending_and_ok_stays_true(self):
        kernel = Venue(silent=True)
        r = Seam(client(kernel), venue_timeout=0.0).execute(StopLoss(1), await_venue=True)
        self.assertEqual((r.ok, r.steps[0].venue, r.venue_pending), (True, None, [1]))
        answered = Seam(client(Venue()), venue_timeout=0.0).execute(StopLoss(1), await_venue=True)
        self.assertEqual((answered.ok, answered.steps[0].venue.event_kind, answered.venue_pending),
                         (True, "FULL_FILL", []))
        self.assertEqual(Seam(client(Venue(silent=True))).execute(StopLoss(1)).venue_pending, [])


class TradeIds(unittest.TestCase):
    def kernel(self):
        kernel = Venue()
        kernel.slot_images[2], kernel.held[2] = bytes(448), 0  # slot 2 idle
        return kernel

    def test_a_generated_trade_id_comes_from_the_client_clock_or_the_seam_clock_deterministically(self):
        seam = Seam(client(self.kernel()))  # the client's clock: 1_700_000_000.5 s
        ids = [seam.execute(open_long("BTC-USDT", 2, size=0.01, slot_id=2)).steps[0].intent.trade_id for _ in range(2)]
        self.assertEqual(ids, [f"seam-{base36(1_700_000_000_500)}-1", f"seam-{base36(1_700_000_000_500)}-2"])
        seam = Seam(client(self.kernel()), trade_id_prefix="s7", now_ms=lambda: 42)
        self.assertEqual(seam.execute(open_long("BTC-USDT", 2, size=0.01)).steps[0].intent.trade_id, "s7-16-1")

    def test_a_clock_that_answers_no_time_is_a_client_refusal_and_nothing_is_pushed(self):
        for bad in (math.nan, -1, None, math.inf):
            kernel = self.kernel()
            r = Seam(client(kernel), now_ms=lambda: bad).execute(open_long("BTC-USDT", 2, size=0.01))
            self.assertEqual([(x.origin, x.code) for x in r.refusals], [("CLIENT", "INVALID_INTENT")], bad)
            self.assertIn("now_ms", r.refusals[0].message)
            self.assertEqual(kernel.pushed, [], bad)


if __name__ == "__main__":
    unittest.main()
