"""Second-generation resident ID card reader (居民身份证阅读器) speaking the GA 467 serial protocol.

`frames` encodes commands and decodes reader answers (preamble AA AA AA 96 69, 2-byte length,
XOR checksum, status word SW1 SW2 SW3); `card` parses the 256-byte UCS-2 text block into an
`IdCard` and refuses cards whose ID check digit or dates do not agree (GB 11643); `reader` drives
a real reader over pyserial; `twin` is an in-memory reader for tests and the demo kiosk;
`simulator` answers on a serial port (a socat pty) byte for byte as a reader would; `fill` maps
a card onto a form's fields. No Kivy here, and nothing read from a card is ever logged.
"""
from __future__ import annotations

from kiosk.idcard.card import IdCard
from kiosk.idcard.reader import CardReader, ReadFailed, make_reader

__all__ = ["CardReader", "IdCard", "ReadFailed", "make_reader"]
