"""Printer columns and wrapping on the printer's own grid.

Printer fonts are a fixed grid: a character the printer encodes in one byte (ASCII) takes one
column (12 dots in font A); one it encodes in two bytes (GB18030/GBK: Chinese, full-width
punctuation and symbols such as “ ” — … ·) takes two (24 dots). Unicode's East Asian Width
is not that grid: it calls “ ” — … · "ambiguous" (one column), yet a GB18030 printer prints
them two columns wide. Four-byte GB18030 characters (rare characters, emoji) are not in the
printer font: the encoder sends such a line as an image, drawn on the same two-column cells.
58 mm paper holds 32 columns, 80 mm 48. Wrapping uses `kiosk.typeset.break_lines` (UAX #14
plus Chinese rules) measured in these columns, so no line is ever wider than the paper.
"""
from __future__ import annotations

import functools
import unicodedata

from kiosk.typeset import NO_LINE_START, break_lines

COLUMN_DOTS = 12          # font A half-width cell
LINE_DOTS = 24            # font A height
PAPER_DOTS = {58: 384, 80: 576}
GRID_CODEC = {"gb18030": "gb18030", "gbk": "gbk", "big5": "big5", "utf-8": "gb18030"}

__all__ = ["COLUMN_DOTS", "LINE_DOTS", "NO_LINE_START", "PAPER_DOTS", "char_width", "columns_for", "sanitize",
           "text_width", "wrap"]


def columns_for(paper_mm: int, width_mult: int = 1) -> int:
    """Columns per line on this paper at this character width multiplier."""
    return PAPER_DOTS[paper_mm] // (COLUMN_DOTS * width_mult)


def sanitize(text: str) -> str:
    """Drop control characters so resident text can never inject printer commands."""
    out = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            # Tabs and newlines inside an answer become a space; ZWJ, bidi marks etc. vanish.
            if ch in "\t\n\r\u2028\u2029":
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def char_width(ch: str, encoding: str = "gb18030") -> int:
    """Printer columns of one character: 1 for a single-byte code, 2 for a multi-byte one.

    Combining marks sit on the previous character's cell (0). Characters the code page cannot
    encode at all are drawn as an image on two-column cells.
    """
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
        return 0
    if ch < "\x80":
        return 1
    try:
        encoded = ch.encode(GRID_CODEC.get(encoding, "gb18030"))
    except UnicodeEncodeError:
        return 2
    return 1 if len(encoded) == 1 else 2


def text_width(text: str, encoding: str = "gb18030") -> int:
    """Printer columns a string takes."""
    return sum(char_width(ch, encoding) for ch in text)


def wrap(text: str, columns: int, encoding: str = "gb18030") -> list[str]:
    """Lines of at most `columns` printer columns (Chinese line-breaking rules; see kiosk.typeset)."""
    return break_lines(text, columns, lambda s: text_width(s, encoding))
