"""Chinese line breaking shared by the receipts and the screens: one `break_lines` for both.

Break opportunities come from Unicode UAX #14 (the `uniseg` library), then Chinese 禁则 are
laid on top, because UAX #14 alone allows breaks a Chinese reader stumbles over:
- no closing punctuation (，。、；：？！）》」”…) at the start of a line and no opening
  punctuation (（《「“) at the end of one (UAX #14 treats “ ” as ambiguous quotes);
- never inside a number, clock time (11:00), date (2026-11-23, 2026年11月23日 stays whole per
  number), phone, ID or receipt number (20261123-K01-0007): UAX #14 breaks after a hyphen;
- never inside a short word from a small protected list (家属, 身份证, 上午 ...), because a
  word split across lines ("家/属") reads as two words, nor inside a short quoted name (“办完了”).

The caller measures: receipts count printer columns, the screens measure with Kivy text
extents, so both lay out text by the same rules. Only a piece that cannot fit a line on its
own is cut between characters (an emergency break, after a hyphen where there is one): the
width is a hard limit, 禁则 are kept wherever the width allows.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from uniseg.linebreak import line_break_units  # type: ignore[import-untyped]

# Closing punctuation and marks that must not start a line (Chinese, full-width and ASCII).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉〗｝”’…‥·～%％,.;:?!)]}>、ー々〜")
# Opening punctuation that must not end a line.
NO_LINE_END = frozenset("（《「『【〔〈〖｛“‘([{<")

# A number-like token: digits/letters joined by - : . / (times, dates, phones, IDs, receipt
# numbers such as 20261123-K01-0007), at least one digit in it.
_NUMBER = re.compile(r"[0-9A-Za-z０-９]+(?:[-:：./／][0-9A-Za-z０-９]+)*")

# Short words that must never be split. Kept small on purpose: names of things a resident
# must recognise on a receipt or a screen, not a dictionary.
PROTECTED_WORDS: tuple[str, ...] = (
    "家属", "代办", "本人", "老人", "老年人", "补打", "打印", "原件", "复印件", "身份证", "户口本", "社保卡", "银行卡", "医保卡",
    "受理号", "回执", "窗口", "上午", "下午", "中午", "晚上", "周一", "周二", "周三", "周四", "周五",
    "周六", "周日", "星期", "工作人员", "二维码", "电话", "手机", "办理", "申请", "服务", "助餐",
    "上门", "津贴", "补贴", "优待证", "屏幕", "首页", "一会儿", "居住证明", "材料", "地址", "姓名", "号码", "女儿", "儿子",
    "配偶", "孙子", "孙女", "亲属", "朋友", "邻居", "社区", "中心", "午餐", "晚餐", "早餐",
)
_UNIT = re.compile(r"[0-9０-９][年月日号点分时秒岁元位个次周天号楼层室]")
_DAYTIME = re.compile(r"(?:上午|下午|中午|晚上|早上|凌晨|周[一二三四五六日天])[0-9０-９]")
_QUOTED = re.compile(r"“[^”]{1,6}”|「[^」]{1,6}」|《[^》]{1,8}》")
_WORDS = re.compile("|".join(sorted(map(re.escape, PROTECTED_WORDS), key=len, reverse=True)))


def _glued(text: str) -> set[int]:
    """Positions i where a break between text[i-1] and text[i] is forbidden by our rules."""
    glued: set[int] = set()
    for m in _NUMBER.finditer(text):
        if any(ch.isdigit() for ch in m.group()):
            glued.update(range(m.start() + 1, m.end()))
    for m in _WORDS.finditer(text):
        glued.update(range(m.start() + 1, m.end()))
    for m in _QUOTED.finditer(text):               # a short quoted name: “办完了” stays whole
        glued.update(range(m.start() + 1, m.end()))
    for i in range(1, len(text)):
        if text[i] in NO_LINE_START or text[i - 1] in NO_LINE_END:
            glued.add(i)
    # A number keeps its unit (11月, 23日, 5点, 80岁) and a time of day its number (下午1:30).
    for m in _UNIT.finditer(text):
        glued.add(m.start() + 1)
    for m in _DAYTIME.finditer(text):
        glued.add(m.end() - 1)
    return glued


@functools.lru_cache(maxsize=2048)
def _pieces(text: str) -> tuple[str, ...]:
    """Unbreakable pieces of one paragraph: UAX #14 units merged wherever 禁则 forbid a break.

    Cached: uniseg is pure Python (about 1 ms per short paragraph) and screens lay the same
    texts out again at every size change.
    """
    glued = _glued(text)
    pieces: list[str] = []
    pos = 0
    for unit in line_break_units(text):
        if pieces and pos in glued:
            pieces[-1] += unit
        else:
            pieces.append(unit)
        pos += len(unit)
    return tuple(pieces)


def _emergency(piece: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Cut a piece wider than a line between characters, keeping closing marks attached."""
    out: list[str] = []
    line = ""
    for ch in piece:
        if line and measure(line + ch) > width:
            # Prefer the last separator inside a long number (20261123-K01- / 0007); a closing
            # mark takes the character before it down; the width always wins over 禁则.
            cut = max(line.rfind("-"), line.rfind(" "), line.rfind("/")) + 1
            if not 0 < cut < len(line) or measure(line[cut:] + ch) > width:
                cut = len(line)
                if ch in NO_LINE_START and len(line) > 1 and measure(line[-1] + ch) <= width:
                    cut = len(line) - 1
            if line[:cut].strip(" "):
                out.append(line[:cut].rstrip(" "))
            line = line[cut:]
        line += ch
    if line:
        out.append(line)
    return out


def _fill(pieces: Iterable[str], width: float, measure: Callable[[str], float]) -> list[str]:
    lines: list[str] = []
    line = ""
    for piece in pieces:
        candidate = line + piece
        if not line or measure(candidate.rstrip(" ")) <= width:
            line = candidate
            if measure(line.rstrip(" ")) > width:      # one piece alone is wider than a line
                *done, line = _emergency(line, width, measure)
                lines += done
            continue
        lines.append(line.rstrip(" "))
        line = piece
        if measure(line.rstrip(" ")) > width:
            *done, line = _emergency(line, width, measure)
            lines += done
    lines.append(line.rstrip(" "))
    return lines


def overlong(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Pieces of `text` that may not be broken yet are wider than `width` (they would be cut).

    A form checker refuses such text (a long number, URL or word on narrow paper), because
    `break_lines` would have to cut it between characters.
    """
    out: list[str] = []
    for paragraph in text.replace("\r", "\n").split("\n"):
        out += [p.rstrip(" ") for p in _pieces(paragraph) if measure(p.rstrip(" ")) > width]
    return out


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break `text` into lines no wider than `width` as measured by `measure`.

    Newlines in the text are kept as line breaks; trailing spaces are dropped from each line.
    Empty text gives one empty line. A single character wider than `width` still gets a line.
    """
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not paragraph:
            lines.append("")
        elif measure(paragraph.rstrip(" ")) <= width:      # fits: no break to look for
            lines.append(paragraph.rstrip(" "))
        else:
            lines += _fill(_pieces(paragraph), width, measure)
    return lines
