"""libzinc through ctypes (ffi/zinc.h): the library's location, its symbols, and opening one region
with the C refusal turned into the client exception that names the case.

The library comes from the ``lib_path`` argument, else ``DITA_V2_ZINC_LIB``; ``dita-v2 zinc-lib``
writes it out of the executable and prints its path. ctypes releases the GIL around every call,
so a wait in C never stalls the strategy's other threads.
"""

from __future__ import annotations

import ctypes
import os
import re
import struct
from typing import Callable, Optional

from .errors import CorruptRegion, DitaClientError, LayoutMismatch, LibraryError, PermissionDenied, RegionMissing

KINDS = {"intents": 1, "state": 2, "control": 3, "outcomes": 4}
_I32, _U32, _U64, _I64, _P = ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_int64, ctypes.c_void_p
_SIGNATURES = {
    "zinc_open": (_I32, [ctypes.c_char_p, _U32, _U32, _U32, ctypes.c_char_p, _U32]),
    "zinc_close": (_I32, [_I32]),
    "zinc_header": (_I32, [_I32, _P]),
    "zinc_check": (_I32, [_I32, ctypes.c_char_p, _U32]),
    "zinc_seq": (_I64, [_I32]),
    "zinc_wait": (_I64, [_I32, _U64, _I32]),
    "zinc_ring_push": (_I32, [_I32, _P, _U32]),
    "zinc_ring_push_batch": (_I32, [_I32, _P, _U32]),
    "zinc_ring_stats": (_I32, [_I32, _P]),
    "zinc_state_read_slot": (_I32, [_I32, _U32, _P]),
    "zinc_state_read_account": (_I32, [_I32, _P, _P]),
    "zinc_control_read": (_I32, [_I32, _U32, _P, _U32]),
    "zinc_outcome_claim": (_I32, [_I32, _P]),
    "zinc_outcome_release": (_I32, [_I32, _U32, _U32]),
    "zinc_outcome_poll": (_I32, [_I32, _U32, _P, _U32, _P]),
    "zinc_outcome_head": (_I64, [_I32, _U32]),
    "zinc_outcome_wait": (_I64, [_I32, _U32, _U64, _U32, _I32]),
    "zinc_outcome_namespace": (_I32, [_I32, _P]),
    "zinc_outcome_lane_header": (_I32, [_I32, _U32, _P]),
    "zinc_writer_alive": (_I32, [_I32]),
    "zinc_mono_ns": (_I64, []),
}
_HEADER = struct.Struct("<IHHIIQIIIIQQQ")
_LIBS: dict[str, ctypes.CDLL] = {}


def resolve_lib_path(explicit: Optional[str] = None) -> str:
    path = explicit or os.environ.get("DITA_V2_ZINC_LIB", "")
    if not path:
        raise LibraryError("libzinc not given: pass lib_path or set DITA_V2_ZINC_LIB "
                           "(`dita-v2 zinc-lib` writes it out of the executable and prints its path)")
    if not os.path.isfile(path):
        raise LibraryError(f"libzinc not found at {path} (`dita-v2 zinc-lib` writes it out)")
    return path


def load(path: str) -> ctypes.CDLL:
    lib = _LIBS.get(path)
    if lib is None:
        try:
            lib = ctypes.CDLL(path)
            for name, (restype, argtypes) in _SIGNATURES.items():
                fn = getattr(lib, name)
                fn.restype, fn.argtypes = restype, argtypes
        except (OSError, AttributeError) as e:
            raise LibraryError(f"cannot load libzinc from {path}: {e}") from e
        _LIBS[path] = lib
    return lib


def _refusal(message: str, prefix: str) -> DitaClientError:
    if "No such file or directory" in message:
        path = message.split(":", 1)[0]
        return RegionMissing(f"{path} does not exist: no kernel serves prefix '{prefix}' with real Zinc "
                             f"(dita-v2 serve with DITA_V2_ZINC=REAL and DITA_V2_ZINC_PREFIX={prefix})")
    if "Permission denied" in message or "Operation not permitted" in message:
        return PermissionDenied(f"{message} (the regions are mode 0600: run as the kernel's user)")
    if re.search(r"magic|layout version|region kind|record size|record count|file size|truncated|lane depth", message):
        return LayoutMismatch(message)
    return DitaClientError(message)


def open_region(lib: ctypes.CDLL, prefix: str, kind: str) -> int:
    err = ctypes.create_string_buffer(512)
    h = lib.zinc_open(prefix.encode("utf-8"), KINDS[kind], 0, 0, err, len(err))
    if h > 0:
        return h
    raise _refusal(err.value.decode("utf-8", "replace") or f"zinc_open {kind} failed ({h})", prefix)


def header(lib: ctypes.CDLL, h: int) -> dict[str, int]:
    buf = ctypes.create_string_buffer(64)
    lib.zinc_header(h, buf)
    (_magic, _version, _kind, writer_pid, _futex, seq, _rsize, count, _waiters, flags, _start, generation,
     _bytes) = _HEADER.unpack_from(buf.raw, 0)
    return {"writer_pid": writer_pid, "seq": seq, "record_count": count, "flags": flags, "generation": generation}


def sequence(raw: int, what: str, word: Callable[[], int]) -> int:
    """A sequence or lane head libzinc answered as int64 (ffi/README.md section 9); a negative answer
    is never one: -6 is a word >= 2^63 (``word`` reads it for the message), another ZINC_E_* code is
    named, and any other negative is such a word read as signed (an older libzinc). Each is
    CorruptRegion."""
    if raw >= 0:
        return raw
    if raw == -6:
        raise CorruptRegion(f"{what}: sequence word >= 2^63 ({word()}): corrupt region")
    if raw >= -11:
        raise CorruptRegion(f"{what}: zinc error {raw}")
    raise CorruptRegion(f"{what}: libzinc answered {raw}, no ZINC_E_* code: sequence word >= 2^63 "
                        f"({raw & 0xFFFF_FFFF_FFFF_FFFF}) read as signed: corrupt region")


def state_seq(lib: ctypes.CDLL, h: int, prefix: str) -> int:
    """The state region's sequence (zinc_seq); CorruptRegion for a word >= 2^63."""
    return sequence(lib.zinc_seq(h), f"/dev/shm/{prefix}.state: sequence", lambda: header(lib, h)["seq"])


def lane_head(lib: ctypes.CDLL, h: int, lane: int, prefix: str, raw: int) -> int:
    """An outcome lane's head as a lane wait answered it (``raw``); CorruptRegion for a word >= 2^63."""
    def word() -> int:
        buf = ctypes.create_string_buffer(64)
        lib.zinc_outcome_lane_header(h, lane, buf)
        return struct.unpack_from("<Q", buf.raw, 0)[0]
    return sequence(raw, f"/dev/shm/{prefix}.outcomes: lane {lane} head", word)
