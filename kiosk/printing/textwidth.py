"""Display width on a thermal printer and wrapping at character boundaries.

Printer fonts are a fixed grid: an ASCII character takes one column (12 dots in font A), a
CJK or full-width character two (24 dots). 58 mm paper holds 32 columns, 80 mm 48. Wrapping
works on characters, never on encoded bytes, so a line can never end in half a GB18030 pair.
"""
from __future__ import annotations

import unicodedata

COLUMN_DOTS = 12          # font A half-width cell
LINE_DOTS = 24            # font A height
PAPER_DOTS = {58: 384, 80: 576}
NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…,.;:?!)]}%")


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


def char_width(ch: str) -> int:
    """Columns one character takes: 2 for wide/full-width, 0 for combining marks, else 1."""
    # Combining marks and variation selectors sit on the previous character's cell.
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    """Columns a string takes."""
    return sum(char_width(ch) for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Split text into lines of at most `columns`, breaking only between characters.

    A combining mark stays with its base character. Empty text gives one empty line.
    """
    lines: list[str] = []
    line, used = "", 0
    for ch in text:
        w = char_width(ch)
        if used + w > columns and line:
            carry = ""
            # Chinese line-breaking rule: closing punctuation never starts a line, so take the
            # character before it down too (the line gets shorter, never longer).
            if ch in NO_LINE_START and len(line) > 1 and line[-1] not in NO_LINE_START:
                line, carry = line[:-1], line[-1]
            lines.append(line)
            line, used = carry, text_width(carry)
        line += ch
        used += w
    lines.append(line)
    return lines
