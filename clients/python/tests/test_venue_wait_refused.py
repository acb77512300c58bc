"""A refused intent (its EDGE or KERNEL outcome not accepted: an edge RATE_LIMITED while the venue
adapter would not send an order, a kernel refusal) made no order, so no VENUE outcome will ever come:
``next_venue_outcome`` for it raises IntentRefused (INTENT_REFUSED) at once, naming the intent, the
origin, the first diagnostic's code and message and the retry hint, carrying the refused outcome,
whether that outcome was taken already, is still untaken, or arrives while the wait is pending. It
is never OutcomeTimeout after the whole timeout ("it may still be applied": it was not). An accepted
intent's venue wait is unchanged. As the TypeScript client
(tests/unit/client_ts_venue_wait_refused.test.ts). The lane is a fake libzinc whose kernel answers
each pushed intent with the record the test sets; ``waits`` counts the client's waits on the lane, so
"at once" is exact, not timed."""

import ctypes
import math
import struct
import unittest

from dita_v2_client import DitaClientError, Exit, IntentRefused, OutcomeTimeout

from fake_zinc import DIAG, HEAD, FakeZinc, client, record

HOLD_MS = 60_000
EDGE, KERNEL, VENUE = 1, 2, 3
EXIT_KIND, POSITION_OPEN = 2, 3


def exit_outcome(position, cid, how):
    """An EXIT's outcome at ``position``: EDGE RATE_LIMITED (WARNING, RETRY_AFTER, retryable, the hint) as the
    launcher publishes it while orders are held, KERNEL SLOT_BUSY (ERROR, SLOT_ID, no hint), or a KERNEL acceptance."""
    rec = bytearray(256)
    edge, accepted = how == "EDGE_RATE_LIMITED", how == "ACCEPTED"
    HEAD.pack_into(rec, 0, 2 * (position + 1), cid, 1, 1, 0, EXIT_KIND, EDGE if edge else KERNEL, int(accepted),
                   POSITION_OPEN, 0 if accepted else 1, 0, 0)
    if accepted:
        return bytes(rec)
    # RATE_LIMITED WARNING RETRY_AFTER retryable the hint / SLOT_BUSY ERROR SLOT_ID not retryable no hint
    DIAG.pack_into(rec, 48, *((13, 2, 25, 1, HOLD_MS) if edge else (2, 3, 1, 0, -1)), math.nan)
    message = f"EXIT not sent: the venue's rate limit holds orders {HOLD_MS} ms more" if edge else "slot 0 is busy"
    rec[120:120 + len(message)] = message.encode()
    return bytes(rec)


class RefusingLane(FakeZinc):
    """A kernel that answers each pushed intent with ``answer`` (at once, or on the client's first wait
    when ``on_wait``); ``waits`` counts the client's waits on the lane's head."""

    def __init__(self, answer="EDGE_RATE_LIMITED", on_wait=False):
        super().__init__(3)
        self.answer, self.on_wait, self.waits, self.pending = answer, on_wait, 0, []

    def publish(self, cid):
        self.records[self.head] = exit_outcome(self.head, cid, self.answer)
        self.head += 1

    def zinc_ring_push(self, h, ptr, size):
        cid = struct.unpack_from("<Q", ctypes.string_at(ptr, size), 304)[0]
        if self.on_wait:
            self.pending.append(cid)
        else:
            self.publish(cid)
        return 0

    def zinc_outcome_wait(self, h, lane, last_head, spin_us, timeout_ms):
        self.waits += 1
        for cid in self.pending:
            self.publish(cid)
        self.pending = []
        return super().zinc_outcome_wait(h, lane, last_head, spin_us, timeout_ms)


EXIT = Exit(0, 1.0, "SL")


class VenueWaitRefused(unittest.TestCase):
    def test_a_venue_wait_for_an_edge_rate_limited_refusal_already_taken_raises_intent_refused_at_once(self):
        lib = RefusingLane()
        c = client(lib, 1, 1)
        o = c.submit(EXIT)
        self.assertEqual((o.origin, o.accepted), ("EDGE", False))
        with self.assertRaises(IntentRefused) as e:
            c.next_venue_outcome(o.client_intent_id, timeout=0.3)
        self.assertEqual(lib.waits, 0)  # never slept on the lane
        self.assertIsInstance(e.exception, DitaClientError)
        self.assertEqual(e.exception.code, "INTENT_REFUSED")
        self.assertEqual(e.exception.outcome, o)
        self.assertEqual(e.exception.client_intent_id, o.client_intent_id)
        self.assertEqual(str(e.exception),
                         f"intent {o.client_intent_id} was refused (EDGE RATE_LIMITED: EXIT not sent: the venue's rate "
                         "limit holds orders 60000 ms more; retry after 60000 ms): it made no order, so no VENUE "
                         "outcome will come")
        with self.assertRaises(IntentRefused):  # and again at every retry
            c.next_venue_outcome(o.client_intent_id, timeout=0.3)

    def test_a_venue_wait_for_an_untaken_kernel_refusal_raises_intent_refused_and_leaves_the_intents_outcome(self):
        lib = RefusingLane("KERNEL_SLOT_BUSY")
        c = client(lib, 1, 1)
        cid = c.push(EXIT)
        with self.assertRaises(IntentRefused) as e:
            c.next_venue_outcome(cid, timeout=0.3)
        self.assertEqual(lib.waits, 0)
        self.assertEqual(str(e.exception), f"intent {cid} was refused (KERNEL SLOT_BUSY: slot 0 is busy): it made no "
                                           "order, so no VENUE outcome will come")
        self.assertEqual(c.outcome(cid, timeout=0.3), e.exception.outcome)  # not taken by the venue wait

    def test_a_refusal_that_arrives_while_the_venue_wait_is_pending_ends_it_at_once(self):
        lib = RefusingLane(on_wait=True)
        c = client(lib, 1, 1)
        cid = c.push(EXIT)
        with self.assertRaises(IntentRefused) as e:
            c.next_venue_outcome(cid, timeout=0.3)
        self.assertEqual(lib.waits, 1)  # the one wait the refusal answered
        self.assertEqual((e.exception.outcome.client_intent_id, e.exception.outcome.origin,
                          e.exception.outcome.accepted), (cid, "EDGE", False))

    def test_an_accepted_intents_venue_wait_is_unchanged_its_venue_outcome_else_outcome_timeout(self):
        lib = RefusingLane("ACCEPTED")
        c = client(lib, 1, 1)
        o = c.submit(EXIT)
        self.assertEqual((o.origin, o.accepted), ("KERNEL", True))
        lib.records[lib.head] = record(lib.head, o.client_intent_id, origin=VENUE)
        lib.head += 1
        self.assertEqual(c.next_venue_outcome(o.client_intent_id, timeout=0.3).origin, "VENUE")
        with self.assertRaises(OutcomeTimeout):
            c.next_venue_outcome(o.client_intent_id, timeout=0.02)


if __name__ == "__main__":
    unittest.main()
