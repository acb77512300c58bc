"""Baseline for bench/kernel.ts: the same input stream driven through the same kernel library
from Python ctypes, one call per input, encoding each input from a dict the way the original
Python reference's wrapper did. Prints one JSON line: {"inputs": n, "seconds": s, "accepted": a}.

usage: python3 bench/kernel_ctypes.py LIB STREAM.jsonl SLOTS
"""
import ctypes, json, sys, time

QTY_NOT_FINITE = -(2**63)
KINDS = {k: i + 1 for i, k in enumerate(["ENTER", "EXIT", "CANCEL", "MARK_PRICE", "TICK", "RECONCILE", "VENUE_EVENT", "SEED_CAPITAL", "MARK_STALE", "CONFIGURE"])}
EVENTS = {k: i + 1 for i, k in enumerate(["ACK", "PARTIAL_FILL", "FULL_FILL", "CANCEL_ACK", "CANCEL_REJECT", "REJECT"])}
SIDES = {"LONG": 1, "SHORT": 2}
REASONS = {"SIGNAL": 1, "TP": 2, "SL": 3, "MANUAL": 4}


class InputRecord(ctypes.Structure):
    _pack_ = 8
    _fields_ = [
        ("kind", ctypes.c_uint16), ("_r0", ctypes.c_uint16), ("slot_id", ctypes.c_uint32), ("now_ms", ctypes.c_uint64),
        ("qty_e8", ctypes.c_int64), ("last_qty_e8", ctypes.c_int64), ("price", ctypes.c_double), ("last_price", ctypes.c_double),
        ("fee", ctypes.c_double), ("amount", ctypes.c_double), ("retry_after_ms", ctypes.c_int64), ("value", ctypes.c_uint64),
        ("leverage", ctypes.c_uint16), ("side", ctypes.c_uint8), ("order_type", ctypes.c_uint8), ("exit_reason", ctypes.c_uint8),
        ("event_kind", ctypes.c_uint8), ("reject_reason", ctypes.c_uint8), ("stale_reason", ctypes.c_uint8), ("config_key", ctypes.c_uint8),
        ("order_role", ctypes.c_uint8), ("_r1", ctypes.c_uint8 * 6), ("order_qty_e8", ctypes.c_int64), ("order_filled_e8", ctypes.c_int64),
        ("asset", ctypes.c_char * 24), ("trade_id", ctypes.c_char * 32), ("venue_order_id", ctypes.c_char * 32),
        ("client_order_id", ctypes.c_char * 40), ("event_id", ctypes.c_char * 64), ("_r2", ctypes.c_uint8 * 16),
    ]


assert ctypes.sizeof(InputRecord) == 320, ctypes.sizeof(InputRecord)


def qty(x):
    return int(round(x * 1e8)) if isinstance(x, (int, float)) and x == x else QTY_NOT_FINITE


def encode(d, rec):
    ctypes.memset(ctypes.byref(rec), 0, 320)
    t = d["type"]
    rec.kind = KINDS[t]
    rec.now_ms = d["now_ms"]
    if t == "ENTER":
        rec.slot_id = d["slot_id"]; rec.trade_id = d["trade_id"].encode(); rec.asset = d["asset"].encode()
        rec.side = SIDES[d["side"]]; rec.qty_e8 = qty(d["size"]); rec.leverage = d["leverage"]; rec.order_type = 1
    elif t == "EXIT":
        rec.slot_id = d["slot_id"]; rec.qty_e8 = qty(d["size"]); rec.exit_reason = REASONS[d["reason"]]; rec.order_type = 1
    elif t == "MARK_PRICE":
        rec.asset = d["asset"].encode(); rec.price = d["price"]
    elif t == "SEED_CAPITAL":
        rec.amount = d["capital"]
    elif t == "VENUE_EVENT":
        e = d["event"]
        rec.slot_id = 0xFFFFFFFF; rec.event_kind = EVENTS[e["kind"]]; rec.event_id = e["event_id"].encode()
        rec.venue_order_id = e["venue_order_id"].encode(); rec.client_order_id = e["client_order_id"].encode()
        rec.qty_e8 = qty(e["filled_size_cumulative"]); rec.price = e["avg_price"]; rec.fee = e["fee_cumulative"]
        rec.retry_after_ms = -1


def main():
    lib = ctypes.CDLL(sys.argv[1])
    lib.dita_kernel_new.restype = ctypes.c_void_p
    lib.dita_kernel_new.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint64]
    lib.dita_kernel_apply.restype = ctypes.c_uint32
    lib.dita_kernel_apply.argtypes = [ctypes.c_void_p, ctypes.POINTER(InputRecord)]
    lib.dita_kernel_accepted.restype = ctypes.POINTER(ctypes.c_uint8)
    lib.dita_kernel_accepted.argtypes = [ctypes.c_void_p]
    lib.dita_kernel_free.argtypes = [ctypes.c_void_p]
    stream = [json.loads(line) for line in open(sys.argv[2])]
    slots = int(sys.argv[3])
    k = lib.dita_kernel_new(slots, slots, 30000)
    accepted_ptr = lib.dita_kernel_accepted(k)
    rec = InputRecord()
    accepted = 0
    start = time.perf_counter()
    for d in stream:
        encode(d, rec)
        lib.dita_kernel_apply(k, ctypes.byref(rec))
        accepted += accepted_ptr[0]
    seconds = time.perf_counter() - start
    lib.dita_kernel_free(k)
    print(json.dumps({"inputs": len(stream), "seconds": seconds, "accepted": accepted}))


main()
