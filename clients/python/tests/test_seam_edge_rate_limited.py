"""The client and seam meet the edge's RATE_LIMITED refusal (as the TypeScript seam:
tests/unit/client_ts_seam_edge_rate_limited.test.ts, which takes its bytes from the launcher itself).

While the venue adapter knows it would not send an order (an IP ban, a retry hint longer than its
throttle waits), an ENTER or EXIT is refused before the kernel: an EDGE outcome (accepted 0) whose one
diagnostic is RATE_LIMITED, WARNING, field RETRY_AFTER, retryable, retry_after_ms the time left.
Nothing was sent, so no VENUE outcome ever follows: a decision refused this way is ok False,
rate_limited, the hint, retryable, origin EDGE, at once, never a wait for a venue answer; CloseAll
goes on with its other steps (a cancel is not held), as docs/strategy-guide.md says. The kernel
and its edge are a fake libzinc publishing the launcher's record bytes."""

import ctypes
import math
import struct
import unittest

from dita_v2_client import CloseAll, Exit, ScaleOut, Seam, StopLoss, open_long

from fake_zinc import DIAG, HEAD, FakeZinc, client

SLOT = struct.Struct("<IBBBBQQq")  # a slot image's slot_id, stage, side, ..., version, updated, size_e8
IDLE, ENTRY_WORKING, POSITION_OPEN, EXIT_WORKING = 1, 2, 3, 4
EDGE, KERNEL = 1, 2
RATE_LIMITED, WARNING, RETRY_AFTER = 13, 2, 25
HOLD_MS = 60_000


def image(slot_id, stage, size_e8):
    img = bytearray(448)
    SLOT.pack_into(img, 0, slot_id, stage, 1, 0, 0, 1, 1, size_e8)
    img[368:376] = b"BTC-USDT"
    img[392:394] = f"T{slot_id}".encode()
    return bytes(img)


def edge_rate_limited(position, cid, kind, slot, stage, hold_ms):
    """The record the launcher publishes for an ENTER (1) / EXIT (2) it refused while orders are held
    (src/launcher/_order_hold.ts, refusedOutcome, OutcomeBatch): origin EDGE, accepted 0, one
    diagnostic RATE_LIMITED / WARNING / RETRY_AFTER, retryable 1, retry_after_ms the hint, value NaN."""
    rec = bytearray(256)
    HEAD.pack_into(rec, 0, 2 * (position + 1), cid, 1, 1, slot, kind, EDGE, 0, stage, 1, 0, 0)
    DIAG.pack_into(rec, 48, RATE_LIMITED, WARNING, RETRY_AFTER, 1, hold_ms, math.nan)
    what = "ENTER" if kind == 1 else "EXIT"
    message = f"{what} not sent: the venue's rate limit holds orders {hold_ms} ms more; retry after that".encode()
    rec[120:120 + len(message)] = message
    return bytes(rec)


class HeldVenue(FakeZinc):
    """Slots 0 and 1 hold a position of 1 BTC, slot 2 works an entry. While ``hold_ms`` is set the
    edge refuses every ENTER and EXIT (RATE_LIMITED, that hint); a CANCEL, or anything once the hold
    is over, the kernel accepts. The venue never answers (no order is ever made while held)."""

    def __init__(self):
        super().__init__(3, slot_count=3)
        self.slot_images = [image(0, POSITION_OPEN, 100_000_000), image(1, POSITION_OPEN, 100_000_000),
                            image(2, ENTRY_WORKING, 0)]
        self.account_image = struct.pack("<8d", *[10_000.0] * 8) + struct.pack("<QQB15x", 0, 1, 1)
        self.hold_ms = HOLD_MS
        self.pushed = []

    def zinc_ring_push(self, h, ptr, size):
        rec = ctypes.string_at(ptr, size)
        kind, slot, cid = rec[0], struct.unpack_from("<I", rec, 4)[0], struct.unpack_from("<Q", rec, 304)[0]
        self.pushed.append((kind, slot))
        stage = SLOT.unpack_from(self.slot_images[slot], 0)[1]
        if kind in (1, 2) and self.hold_ms is not None:
            self.records[self.head] = edge_rate_limited(self.head, cid, kind, slot, stage, self.hold_ms)
        else:
            self.records[self.head] = HEAD.pack(2 * (self.head + 1), cid, 1, 1, slot, kind, KERNEL, 1,
                                                 EXIT_WORKING if kind == 2 else stage, 0, 0, 0) + bytes(208)
        self.head += 1
        return 0


def watched(lib):
    """A client on ``lib`` and the ids it waited on for a VENUE outcome."""
    c = client(lib, 1, 1)
    waits = []
    wait = c.next_venue_outcome

    def next_venue_outcome(cid, timeout=5.0):
        waits.append(cid)
        return wait(cid, timeout)

    c.next_venue_outcome = next_venue_outcome
    return c, waits


class EdgeRateLimited(unittest.TestCase):
    def test_the_client_reads_an_edge_rate_limited_exit_as_edge_not_accepted_warning_retry_after_retryable_hint(self):
        o = client(HeldVenue(), 1, 1).submit(Exit(0, 1.0, "SL"))
        self.assertEqual((o.origin, o.accepted, o.input_kind, o.slot_id, o.stage),
                         ("EDGE", False, "EXIT", 0, "POSITION_OPEN"))
        d = o.diagnostics[0]
        self.assertEqual((d.code, d.severity, d.field, d.retryable, d.retry_after_ms, d.value),
                         ("RATE_LIMITED", "WARNING", "RETRY_AFTER", True, HOLD_MS, None))
        self.assertTrue(o.message.startswith("EXIT not sent"))

    def test_a_stop_loss_refused_rate_limited_at_the_edge_is_not_ok_rate_limited_with_the_hint_and_waits_for_no_venue(self):
        lib = HeldVenue()
        c, waits = watched(lib)
        # a wait for the venue would last the whole minute
        r = Seam(c, venue_timeout=60.0).execute(StopLoss(0), await_venue=True)
        self.assertFalse(r.ok)
        self.assertTrue(r.rate_limited)
        self.assertEqual(r.retry_after_ms, HOLD_MS)
        self.assertEqual([(x.origin, x.code, x.slot_id, x.retryable, x.retry_after_ms) for x in r.refusals],
                         [("EDGE", "RATE_LIMITED", 0, True, HOLD_MS)])
        self.assertIn("not sent", r.refusals[0].message)
        self.assertEqual((r.steps[0].outcome.origin, r.steps[0].venue), ("EDGE", None))
        self.assertEqual((waits, r.venue_pending, r.restarted), ([], [], False))

    def test_a_scale_out_refused_rate_limited_at_the_edge_is_one_refused_step_with_the_hint(self):
        c, waits = watched(HeldVenue())
        r = Seam(c, venue_timeout=60.0).execute(ScaleOut(0, fraction=0.5), await_venue=True)
        self.assertEqual([(s.intent.type, s.intent.slot_id) for s in r.steps], [("EXIT", 0)])
        self.assertEqual((r.ok, r.rate_limited, r.retry_after_ms, waits), (False, True, HOLD_MS, []))

    def test_an_open_refused_rate_limited_at_the_edge_opens_nothing_and_no_trade_is_believed(self):
        lib = HeldVenue()
        lib.slot_images[1] = image(1, IDLE, 0)
        c, waits = watched(lib)
        seam = Seam(c, venue_timeout=60.0)
        r = seam.execute(open_long("BTC-USDT", 2, size=0.01, slot_id=1, trade_id="H1"), await_venue=True)
        self.assertEqual((r.steps[0].outcome.origin, r.steps[0].outcome.accepted, r.steps[0].outcome.input_kind),
                         ("EDGE", False, "ENTER"))
        self.assertEqual((r.ok, r.rate_limited, r.retry_after_ms, r.venue_pending), (False, True, HOLD_MS, []))
        self.assertEqual([(x.origin, x.code, x.retryable) for x in r.refusals], [("EDGE", "RATE_LIMITED", True)])
        self.assertEqual((seam.belief, waits), ({}, []))

    def test_close_all_while_orders_are_held_goes_on_past_each_refused_exit_and_still_sends_the_cancel(self):
        lib = HeldVenue()
        c, waits = watched(lib)
        r = Seam(c, venue_timeout=0.0).execute(CloseAll("SL"), await_venue=True)
        self.assertEqual(lib.pushed, [(2, 0), (2, 1), (3, 2)])
        self.assertEqual([(s.outcome.origin, s.outcome.accepted) for s in r.steps],
                         [("EDGE", False), ("EDGE", False), ("KERNEL", True)])
        self.assertEqual([(x.origin, x.code, x.slot_id, x.retry_after_ms) for x in r.refusals],
                         [("EDGE", "RATE_LIMITED", 0, HOLD_MS), ("EDGE", "RATE_LIMITED", 1, HOLD_MS)])
        self.assertEqual((r.ok, r.rate_limited, r.retry_after_ms, r.restarted), (False, True, HOLD_MS, False))
        self.assertEqual(waits, [r.steps[2].client_intent_id])  # only the cancel made an order to hear about
        self.assertEqual(r.venue_pending, [2])
        self.assertEqual(r.remaining, [(0, "POSITION_OPEN"), (1, "POSITION_OPEN"), (2, "ENTRY_WORKING")])

    def test_the_same_stop_loss_re_sent_after_the_hint_passed_is_accepted(self):
        lib = HeldVenue()
        seam = Seam(client(lib, 1, 1))
        self.assertTrue(seam.execute(StopLoss(0)).rate_limited)
        lib.hold_ms = None
        r = seam.execute(StopLoss(0))
        self.assertEqual((r.ok, r.rate_limited, r.retry_after_ms), (True, False, None))
        self.assertEqual((r.steps[0].outcome.origin, r.steps[0].outcome.accepted), ("KERNEL", True))


if __name__ == "__main__":
    unittest.main()
