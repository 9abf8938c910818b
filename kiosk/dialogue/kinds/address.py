"""ADDRESS: building / unit / room from the site's own lists (3号楼2单元1203室)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import DEFAULT_SITE, FieldKind, read_digits
from kiosk.dialogue.refusal import Invalid
from kiosk.privacy import mask_address
from kiosk.voices import say

MAX_SAID = 60


def parts(value: Any) -> dict[str, str]:
    """building / unit / room as text ('' for missing parts)."""
    if not isinstance(value, dict):
        return {"building": "", "unit": "", "room": ""}
    return {k: str(value.get(k, "")) for k in ("building", "unit", "room")}


def _site_item(given: str, known: list[str], suffix: str) -> str:
    """'3' or '3号楼' -> the site's own spelling when it has one."""
    given = re.sub(r"\s+", "", given)
    if given in known:
        return given
    if given.isdigit() and given + suffix in known:
        return given + suffix
    return given if not given.isdigit() else given + suffix


def _address_part(text: str, names: list[str], markers: str, suffix: str) -> tuple[str | None, str]:
    """Find a building/unit at the start of text: the site's own name, or number + marker."""
    for name in sorted(names, key=len, reverse=True):
        for said in (w.squash(name), w.squash(w.spoken_numbers(name))):
            if said and text.startswith(said):
                return name, text[len(said):]
    m = re.match(rf"(.+?)(?:{markers})", text)
    if not m:
        return None, text
    number = w.spoken_number(m[1])
    if number is None:
        return None, text
    for name in names:
        if re.fullmatch(rf"0*{number}\D*", name):
            return name, text[m.end():]
    return f"{number}{suffix}", text[m.end():]  # validate() says the site has no such one


class AddressKind(FieldKind):
    """Where in the community."""

    type: ClassVar[FieldType] = FieldType.ADDRESS
    touch_widget: ClassVar[str] = "address"
    unclear_key: ClassVar[str] = "answer.unclear_address"
    # 三零一不对三零二 would lose the building: the read-back shows it all and 不对 re-asks
    takes_corrections: ClassVar[bool] = False

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        found = self._parts(" ".join(words), site)
        if found is None:
            raise Invalid("answer.address_incomplete")
        building, unit, rest = found
        room_words = re.sub(r"(室|号|房间|房)$", "", rest)
        digits = w.spoken_digits(room_words)
        if digits is None or not digits.isdigit():
            number = w.spoken_number(room_words)
            digits = str(number) if number is not None else None
        if digits is None:
            raise self.unclear(field)
        return {"building": building, "unit": unit, "room": digits}

    @staticmethod
    def _parts(said: str, site: SiteSpec) -> tuple[str, str, str] | None:
        text = w.squash(said)[:MAX_SAID]
        # 我家住在… / 我们家是… / 地址是…: the carrier words before the building
        text = re.sub(r"^(嗯|那个|就是|我们家|我家|我|家里|家|地址|就)*(是|住在|住|在)*", "", text)
        building, rest = _address_part(text, site.buildings, r"号楼|栋|幢|座|号|楼", "号楼")
        unit, rest = _address_part(rest, site.units, r"单元|门", "单元")
        if building is None or unit is None or not rest:
            return None
        return building, unit, rest

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        if not isinstance(value, dict):
            raise Invalid("answer.address_incomplete")
        building, unit, room = (value.get(k) for k in ("building", "unit", "room"))
        if not building or not unit or room in (None, ""):
            raise Invalid("answer.address_incomplete")
        building = _site_item(str(building), site.buildings, "号楼")
        if building not in site.buildings:
            raise Invalid("answer.address_building", building=building)
        unit = _site_item(str(unit), site.units, "单元")
        if unit not in site.units:
            raise Invalid("answer.address_unit", unit=unit)
        room = re.sub(r"\s+", "", str(room))
        room = re.sub(r"(室|号|房)$", "", room)
        if not re.fullmatch(r"\d{3,4}", room):
            raise Invalid("answer.address_room_form")
        floor, on_floor = int(room[:-2]), int(room[-2:])
        if not 1 <= floor <= site.floors:
            raise Invalid("answer.address_floor", floors=site.floors, room=room)
        if not 1 <= on_floor <= site.rooms_per_floor:
            raise Invalid("answer.address_room_number", rooms=site.rooms_per_floor, room=room)
        return {"building": building, "unit": unit, "room": room}

    def bounds(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> dict[str, Any]:
        return {"buildings": site.buildings, "units": site.units,
                "floors": site.floors, "rooms_per_floor": site.rooms_per_floor}

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        # Complete once building, unit and a room of the site's length are heard (or 室 said).
        found = self._parts(partial_transcript, DEFAULT_SITE)
        if found is None:
            return False
        rest = found[2]
        if rest.endswith(("室", "房", "号")):
            return True
        digits = w.spoken_digits(rest)
        if digits is None or not digits.isdigit() or len(digits) < 3:
            return False
        # 302 cannot grow into a room (floor 30 is above the top floor); 120 may become 1203.
        return len(digits) >= 4 or int(digits[:2]) > DEFAULT_SITE.floors

    def display(self, value: Any, field: FieldSpec) -> str:
        return "" if value is None else say("answer.show_address", **parts(value))

    def spoken(self, value: Any, field: FieldSpec, private_audio: bool = True) -> str:
        if value is None:
            return ""
        p = parts(value)
        return say("answer.show_address", building=w.spoken_numbers(p["building"]),
                   unit=w.spoken_numbers(p["unit"]), room=read_digits(p["room"]).replace(" ", ""))

    def mask(self, value: Any, field: FieldSpec) -> str:
        return mask_address(value)

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        site = site or DEFAULT_SITE
        return ([w.spoken_numbers(b) for b in site.buildings] + [w.spoken_numbers(u) for u in site.units]
                + [k for k, d in w.DIGIT_WORDS.items() if d.isdigit()]
                + ["十", "百", "千", "号", "楼", "单元", "室"])

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        room = f"{min(3, site.floors)}0{min(2, site.rooms_per_floor)}"
        return f"{site.buildings[0]} {site.units[0]} {read_digits(room)}"


KIND = AddressKind()
