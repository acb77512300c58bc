"""A client belongs to the process that connected it. A forked child (``multiprocessing``'s default on
Linux) holds a copy with the parent's lane and id sequence: found by an audit, the child's ENTER was
pushed and executed under an id the parent then used again, so the parent's next outcome was the
child's. In the child every call is ClientForked with nothing pushed or read, and its ``close``
releases nothing of the parent's; the parent goes on as before. The fake libzinc counts pushes and
releases per process (each process has its own copy of it)."""

import json
import os
import unittest

from dita_v2_client import ClientForked, Enter
from fake_zinc import FakeZinc, client


class Counting(FakeZinc):
    def __init__(self, generation):
        super().__init__(generation)
        self.pushes = self.releases = 0

    def zinc_ring_push(self, h, ptr, size):
        self.pushes += 1
        return 0

    def zinc_outcome_release(self, h, lane, generation):
        self.releases += 1
        return 0


def in_child(body):
    """Runs ``body()`` in a forked child; returns what it returned (JSON through a pipe)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running the parent's cleanup
        os.close(r)
        try:
            out = body()
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            out = {"unexpected": repr(e)}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data)


class Fork(unittest.TestCase):
    def test_a_forked_child_cannot_push_read_or_release_the_parents_lane_and_the_parent_goes_on(self):
        lib = Counting(7)
        c = client(lib, 2, 5)
        first = c.push(Enter(0, "P1", "BTC-USDT", "LONG", 0.01, 2))

        def child():
            refused = {}
            for name, call in (("push", lambda: c.push(Enter(1, "C1", "BTC-USDT", "LONG", 0.01, 2))),
                               ("push_many", lambda: c.push_many([Enter(1, "C1", "BTC-USDT", "LONG", 0.01, 2)])),
                               ("submit", lambda: c.submit(Enter(1, "C1", "BTC-USDT", "LONG", 0.01, 2), 0.01)),
                               ("slots", c.slots), ("account", c.account), ("ring_depth", c.ring_depth)):
                try:
                    call()
                    refused[name] = "answered"
                except ClientForked as e:
                    refused[name] = e.code
            pushes_before_close = lib.pushes
            c.close()
            return {"refused": refused, "pushes": pushes_before_close, "releases": lib.releases}

        seen = in_child(child)
        self.assertEqual(seen["refused"], {k: "FORKED" for k in
                                           ("push", "push_many", "submit", "slots", "account", "ring_depth")})
        self.assertEqual(seen["pushes"], 1)  # the parent's one push, copied: the child pushed nothing
        self.assertEqual(seen["releases"], 0)  # the child's close left the parent's lane alone
        second = c.push(Enter(0, "P2", "BTC-USDT", "LONG", 0.01, 2))
        self.assertEqual(second, first + 1)  # the parent's ids go on, unshared
        c.close()
        self.assertEqual(lib.releases, 1)


if __name__ == "__main__":
    unittest.main()
