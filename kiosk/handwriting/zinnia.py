"""ctypes binding for the zinnia handwriting engine (Debian libzinnia0), only what we call.

The venv is not the system Python, so Debian's python3-zinnia cannot be imported; the C API
(zinnia.h) is small and stable, so the shared library is loaded directly. Every function gets
its argtypes/restype: a pointer passed as a default int is truncated on 64-bit and crashes.
"""
from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Sequence

from kiosk.errors import KioskError

LIBRARY_NAMES = ("libzinnia.so.0", "libzinnia.so")

_P = ctypes.c_void_p
_SIGNATURES: dict[str, tuple[list[object], object]] = {
    "zinnia_version": ([], ctypes.c_char_p),
    "zinnia_recognizer_new": ([], _P),
    "zinnia_recognizer_destroy": ([_P], None),
    "zinnia_recognizer_open": ([_P, ctypes.c_char_p], ctypes.c_int),
    "zinnia_recognizer_strerror": ([_P], ctypes.c_char_p),
    "zinnia_recognizer_size": ([_P], ctypes.c_size_t),
    "zinnia_recognizer_value": ([_P, ctypes.c_size_t], ctypes.c_char_p),
    "zinnia_recognizer_classify": ([_P, _P, ctypes.c_size_t], _P),
    "zinnia_character_new": ([], _P),
    "zinnia_character_destroy": ([_P], None),
    "zinnia_character_set_width": ([_P, ctypes.c_size_t], None),
    "zinnia_character_set_height": ([_P, ctypes.c_size_t], None),
    "zinnia_character_add": ([_P, ctypes.c_size_t, ctypes.c_int, ctypes.c_int], ctypes.c_int),
    "zinnia_character_parse": ([_P, ctypes.c_char_p], ctypes.c_int),
    "zinnia_result_size": ([_P], ctypes.c_size_t),
    "zinnia_result_value": ([_P, ctypes.c_size_t], ctypes.c_char_p),
    "zinnia_result_score": ([_P, ctypes.c_size_t], ctypes.c_float),
    "zinnia_result_destroy": ([_P], None),
}


class ZinniaError(KioskError):
    """The library or a model could not be loaded, or a call failed."""

    code = "zinnia"


def load_library() -> tuple[ctypes.CDLL, str]:
    """The zinnia shared library with typed functions, and the name it was found by."""
    names = list(LIBRARY_NAMES)
    found = ctypes.util.find_library("zinnia")
    if found and found not in names:
        names.append(found)
    errors = []
    for name in names:
        try:
            lib = ctypes.CDLL(name)
        except OSError as err:
            errors.append(str(err))
            continue
        try:
            for func, (args, res) in _SIGNATURES.items():
                f = getattr(lib, func)
                f.argtypes = args
                f.restype = res
        except AttributeError as err:
            raise ZinniaError(f"{name} is not a usable zinnia library: {err}") from err
        return lib, name
    raise ZinniaError("libzinnia not found (" + "; ".join(errors) + ")")


class ZinniaModel:
    """One opened zinnia model: classify a character given as strokes of integer points."""

    def __init__(self, lib: ctypes.CDLL, path: str):
        self._lib = lib
        self._rec = lib.zinnia_recognizer_new()
        if not self._rec:
            raise ZinniaError("zinnia_recognizer_new failed")
        if not lib.zinnia_recognizer_open(self._rec, path.encode()):
            why = (lib.zinnia_recognizer_strerror(self._rec) or b"").decode(errors="replace")
            lib.zinnia_recognizer_destroy(self._rec)
            self._rec = None
            raise ZinniaError(f"cannot open model {path}: {why or 'unknown error'}")

    def size(self) -> int:
        """How many characters the model knows."""
        return int(self._lib.zinnia_recognizer_size(self._rec))

    def value(self, i: int) -> str:
        """The i-th character the model knows."""
        return (self._lib.zinnia_recognizer_value(self._rec, i) or b"").decode()

    def classify(self, strokes: Sequence[Sequence[tuple[int, int]]], width: int, height: int,
                 nbest: int) -> list[tuple[str, float]]:
        """(character, score) best first; the points are in a width x height box, y down."""
        lib = self._lib
        ch = lib.zinnia_character_new()
        try:
            # One parse call, not one call per point: every ctypes call gives up the GIL and
            # must win it back, and beside a busy UI thread each win can cost a 5 ms switch.
            text = "(character (width %d)(height %d)(strokes %s))" % (width, height, " ".join(
                "(" + " ".join(f"({int(x)} {int(y)})" for x, y in stroke) + ")" for stroke in strokes if stroke))
            if not lib.zinnia_character_parse(ch, text.encode()):
                raise ZinniaError("zinnia could not parse the strokes")
            res = lib.zinnia_recognizer_classify(self._rec, ch, nbest)
            if not res:
                why = (lib.zinnia_recognizer_strerror(self._rec) or b"").decode(errors="replace")
                raise ZinniaError(f"classify failed: {why}")
            try:
                return [((lib.zinnia_result_value(res, i) or b"").decode(),
                         float(lib.zinnia_result_score(res, i)))
                        for i in range(lib.zinnia_result_size(res))]
            finally:
                lib.zinnia_result_destroy(res)
        finally:
            lib.zinnia_character_destroy(ch)

    def close(self) -> None:
        """Free the model (idempotent)."""
        if self._rec:
            self._lib.zinnia_recognizer_destroy(self._rec)
            self._rec = None

    def __del__(self) -> None:
        self.close()
