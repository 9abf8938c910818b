"""Shared parts of the ID card tests: made-up cards as raw fields."""
from __future__ import annotations

import datetime as dt

from kiosk.idcard.card import card_fields
from kiosk.idcard.twin import demo_card, make_id

TODAY = dt.date(2026, 6, 1)


def raw_card(**changes) -> dict[str, str]:
    """The demo card's raw text fields with some changed."""
    fields = card_fields(demo_card())
    fields.update(changes)
    return fields


def wrong_check_digit() -> dict[str, str]:
    """The demo card with its ID's last character changed."""
    good = card_fields(demo_card())["id_number"]
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    return raw_card(id_number=wrong)


def expired() -> dict[str, str]:
    """A card whose validity ended before TODAY."""
    return raw_card(valid_from="20060301", valid_until="20260301")


def other_birth() -> dict[str, str]:
    """Printed birth date differs from the one in the ID number."""
    return raw_card(birth="19550811")


def helper_card() -> dict[str, str]:
    """A made-up younger male helper."""
    birth = dt.date(1985, 4, 2)
    return raw_card(name="李建国", sex="1", birth=birth.strftime("%Y%m%d"),
                    id_number=make_id("330106", birth, "013"))
