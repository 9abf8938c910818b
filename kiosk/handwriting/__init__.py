"""Offline handwriting recognition (手写) for names and free text; no Kivy here.

`HandwritingRecognizer` wraps the zinnia engine (Debian libzinnia0, through ctypes) with the
Simplified Chinese model from Debian tegaki-zinnia-simplified-chinese. `probe()` reports
whether it works (for `kiosk doctor`); `shared()` gives the one instance the kiosk uses, or
None when the library or model is missing (the kiosk then hides the 手写 key).
"""
from kiosk.handwriting.recognizer import (
    DEFAULT_MODEL,
    Candidate,
    HandwritingRecognizer,
    HandwritingStatus,
    HandwritingUnavailable,
    probe,
    shared,
)

__all__ = ["DEFAULT_MODEL", "Candidate", "HandwritingRecognizer", "HandwritingStatus",
           "HandwritingUnavailable", "probe", "shared"]
