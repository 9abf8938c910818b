"""Checking answers: one rule set for touch and speech, kind Mandarin when an answer is refused.

`validate(field, value, site)` takes the structured value a screen or `understand()` produced
and returns it normalised, or raises `Invalid` whose key names a wording in
voices/text/answers.yaml (the resident hears `Invalid.message()`).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from kiosk.errors import Refusal
from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec, resolve_date_bound
from kiosk.voices import say

# GB 11643-1999 / GB/T 2260: first two digits are the province (incl. 71 Taiwan, 81/82 HK/Macau).
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]
)
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_ID_CHECK = "10X98765432"
EARLIEST_BIRTH = dt.date(1900, 1, 1)
MIDDLE_DOT = "·"
# Dots people or keyboards type for the name separator in ethnic-minority names.
_DOT_VARIANTS = str.maketrans({c: MIDDLE_DOT for c in "•・‧∙⋅．."})


class Invalid(Refusal):
    """An answer that cannot be accepted; key is a voices catalogue key, params format it."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        """Plain Mandarin for the resident."""
        return say(self.key, **self.params)

    def __repr__(self) -> str:
        # Only the key: params can hold what the resident said (personal data).
        return f"Invalid({self.key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Invalid) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) for 17 digits: '0'-'9' or 'X'."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def date_words(d: dt.date) -> str:
    """'1950年3月5日' - how dates appear on screen and inside messages."""
    return f"{d.year}年{d.month}月{d.day}日"


def validate(field: FieldSpec, value, site: SiteSpec, today: dt.date | None = None):
    """Check a structured answer (from touch or from understand()) and return it normalised, or raise Invalid."""
    today = today or dt.date.today()
    return _CHECKS[field.type](field, value, site, today)


def _choice(field, value, site, today):
    values = [c.value for c in field.choices]
    if not isinstance(value, str) or value not in values:
        raise Invalid("answer.choice_unknown", options=_labels(field))
    return value


def _multi_choice(field, value, site, today):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise Invalid("answer.choice_unknown", options=_labels(field))
    picked = set(value)
    known = [c.value for c in field.choices]
    if any(not isinstance(v, str) or v not in known for v in picked):
        raise Invalid("answer.choice_unknown", options=_labels(field))
    result = [v for v in known if v in picked]  # screen order, duplicates gone
    if len(result) < field.min_selected:
        key = "answer.multi_too_few_one" if field.min_selected == 1 else "answer.multi_too_few"
        raise Invalid(key, least=field.min_selected)
    if field.max_selected is not None and len(result) > field.max_selected:
        raise Invalid("answer.multi_too_many", most=field.max_selected, count=len(result))
    return result


def _labels(field: FieldSpec) -> str:
    return "、".join(c.label for c in field.choices)


def _yes_no(field, value, site, today):
    if not isinstance(value, bool):
        raise Invalid("answer.yes_no_needed")
    return value


def _integer(field, value, site, today):
    if isinstance(value, bool):
        raise Invalid("answer.integer_needed", low=field.min, high=field.max, unit=field.unit)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise Invalid("answer.integer_needed", low=field.min, high=field.max, unit=field.unit)
    if not field.min <= value <= field.max:
        raise Invalid(
            "answer.integer_range",
            label=field.label, low=field.min, high=field.max, unit=field.unit, value=value,
        )
    return value


def _digits_only(value) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return re.sub(r"[\s\-]", "", value).upper()


def _phone(field, value, site, today):
    phone = _digits_only(value)
    if not phone:
        raise Invalid("answer.phone_empty")
    if phone is None or not phone.isascii() or not phone.isdigit():
        raise Invalid("answer.phone_digits")
    if len(phone) != 11:
        raise Invalid("answer.phone_length", count=len(phone))
    if phone[0] != "1" or phone[1] not in "3456789":
        raise Invalid("answer.phone_not_mobile")
    return phone


def _id_number(field, value, site, today):
    idn = _digits_only(value)
    if not idn:
        raise Invalid("answer.id_empty")
    if idn is None or not idn.isascii() or not re.fullmatch(r"[0-9X]*", idn):
        raise Invalid("answer.id_characters")
    if len(idn) != 18:
        raise Invalid("answer.id_length", count=len(idn))
    if not idn[:17].isdigit():
        raise Invalid("answer.id_x_only_last")
    if int(idn[:2]) not in PROVINCE_CODES:
        raise Invalid("answer.id_region")
    try:
        born = dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
    except ValueError:
        raise Invalid("answer.id_birth_date") from None
    if born > today:
        raise Invalid("answer.birth_in_future")
    if born < EARLIEST_BIRTH:
        raise Invalid("answer.id_birth_date")
    if id_check_digit(idn[:17]) != idn[17]:
        raise Invalid("answer.id_check_digit")
    return idn


def _date(field, value, site, today):
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid("answer.date_needed") from None
    if not isinstance(value, dt.date):
        raise Invalid("answer.date_needed")
    if field.min_date:
        low = resolve_date_bound(field.min_date, today)
        if value < low:
            if low == today:
                raise Invalid("answer.date_before_today", label=field.label)
            raise Invalid("answer.date_too_early", label=field.label, bound=date_words(low))
    if field.max_date:
        high = resolve_date_bound(field.max_date, today)
        if value > high:
            if high == today:
                raise Invalid("answer.date_after_today", label=field.label)
            raise Invalid("answer.date_too_late", label=field.label, bound=date_words(high))
    return value.isoformat()


def _is_han(ch: str) -> bool:
    return unicodedata.category(ch) == "Lo" and "CJK" in unicodedata.name(ch, "")


def _name(field, value, site, today):
    if not isinstance(value, str):
        raise Invalid("answer.name_needed")
    name = re.sub(r"\s+", "", value).translate(_DOT_VARIANTS)
    if not name:
        raise Invalid("answer.name_needed")
    if any(not (_is_han(c) or c == MIDDLE_DOT) for c in name):
        raise Invalid("answer.name_characters")
    if name.startswith(MIDDLE_DOT) or name.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in name:
        raise Invalid("answer.name_characters")
    count = len(name.replace(MIDDLE_DOT, ""))
    if count < 2:
        raise Invalid("answer.name_too_short")
    if count > 20:
        raise Invalid("answer.name_too_long")
    return name


def _address(field, value, site, today):
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


def _site_item(given: str, known: list[str], suffix: str) -> str:
    """'3' or '3号楼' -> the site's own spelling when it has one."""
    given = re.sub(r"\s+", "", given)
    if given in known:
        return given
    if given.isdigit() and given + suffix in known:
        return given + suffix
    return given if not given.isdigit() else given + suffix


# Emoji and pictographs: the printer font and the staff screen cannot show them.
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U00002B00-\U00002BFF"
    "\U0000FE00-\U0000FE0F\U0000200D\U000020E3\U000E0000-\U000E007F]"
)


def _text(field, value, site, today):
    if not isinstance(value, str):
        raise Invalid("answer.text_empty")
    # Line breaks and tabs from an on-screen keyboard are harmless: fold them to spaces.
    text = re.sub(r"[\t\r\n]+", " ", value).strip()
    if not text:
        raise Invalid("answer.text_empty")
    if _EMOJI.search(text) or any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")
                                  for c in text):
        raise Invalid("answer.text_symbols")
    limit = field.max_length or 0
    if len(text) > limit:
        raise Invalid("answer.text_too_long", most=limit, count=len(text))
    return text


def _consent(field, value, site, today):
    if value is True:
        return True
    raise Invalid("answer.consent_needed")


_CHECKS = {
    FieldType.CHOICE: _choice,
    FieldType.MULTI_CHOICE: _multi_choice,
    FieldType.YES_NO: _yes_no,
    FieldType.INTEGER: _integer,
    FieldType.PHONE: _phone,
    FieldType.ID_NUMBER: _id_number,
    FieldType.DATE: _date,
    FieldType.NAME: _name,
    FieldType.ADDRESS: _address,
    FieldType.TEXT: _text,
    FieldType.CONSENT: _consent,
}
