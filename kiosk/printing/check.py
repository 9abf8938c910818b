"""Will a form's and the site's text print well on the receipt? (`kiosk forms check` calls this.)

`break_lines` keeps every line inside the paper by construction; what it cannot do well is a
piece that must not be broken (a number, time, phone, URL, protected word with its glued
punctuation) yet is wider than its line: it would be cut between characters. Such text is
refused with the field it is in and the fix. Checked on 58 mm paper, the narrowest supported.
"""
from __future__ import annotations

from collections.abc import Iterator

from kiosk.catalogue.loader import Problem
from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.printing.textwidth import columns_for, text_width
from kiosk.typeset import overlong
from kiosk.voices import say

PAPER_MM = 58


def _texts(form: FormSpec, site: SiteSpec) -> Iterator[tuple[str, str, str]]:
    """(where, label printed before the text or '', text) for everything the receipt prints from data."""
    yield "title", "", form.title
    yield "department", say("receipt_department_label"), form.department
    yield "opening_hours", say("receipt_hours_label"), form.opening_hours
    for i, doc in enumerate(form.documents):
        yield f"documents[{i}]", f"{i + 1}.", doc
    for field_id in form.booking:
        f = form.field(field_id)
        yield f"booking.{field_id}", f.label, f.label
        for c in f.choices:
            yield f"booking.{field_id}.{c.value}", f.label, c.label
    yield "site.centre_name", "", site.centre_name
    yield "site.help_line", say("receipt_help_label"), site.help_line


def receipt_problems(form: FormSpec, site: SiteSpec, file: str = "", paper_mm: int = PAPER_MM) -> list[Problem]:
    """Text this form (or the site) would print cut inside a word or number on `paper_mm` paper."""
    cols = columns_for(paper_mm)
    problems = []
    for where, label, text in _texts(form, site):
        head = text_width(f"{label}：") if label else 0
        width = cols - head if head <= cols // 2 else cols     # the layout's hanging indent
        for piece in overlong(text, width, text_width):
            problems.append(Problem(
                file or form.id, where,
                f"{piece!r} is {text_width(piece)} printer columns and may not be broken, but a "
                f"{paper_mm} mm receipt line has {width}",
                "shorten it, or put a space or a Chinese character where it may break"))
    return problems
