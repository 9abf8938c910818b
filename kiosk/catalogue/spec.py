"""Typed form specs: what a service form is made of, validated with pydantic.

Forms are data (forms/*.yaml); this module only says what a valid form looks like.
Rule violations raise `PydanticCustomError` with a stable error type (e.g. `duplicate_field_id`,
`condition_field`) so the loader can attach a fix per kind without parsing messages.
The loader (`kiosk.catalogue.loader`) reads files into these models and turns pydantic
errors into `file: field: what is wrong: how to fix` problems for staff.
"""
from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError


class FieldType(str, Enum):
    """Every answer type a form field can ask for."""

    CHOICE = "choice"            # one of `choices`
    MULTI_CHOICE = "multi_choice"  # one or more of `choices`
    YES_NO = "yes_no"
    INTEGER = "integer"          # whole number within min/max
    PHONE = "phone"              # mainland mobile, 11 digits starting with 1
    ID_NUMBER = "id_number"      # GB 11643-1999 resident ID, 18 characters
    DATE = "date"                # calendar date within min/max
    NAME = "name"                # Chinese personal name
    ADDRESS = "address"          # building / unit / room from the site's own lists
    TEXT = "text"                # free text with a length bound
    CONSENT = "consent"          # an explicit yes to a plain statement


DIGIT_TYPES = {FieldType.PHONE, FieldType.ID_NUMBER}


class Choice(BaseModel):
    """One option of a choice field. `aliases` are other words residents use for it."""

    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=12)
    aliases: list[str] = Field(default_factory=list)


class Condition(BaseModel):
    """Show a field only when an earlier answer matches.

    `equals` compares with the earlier answer's value; `in_` with any of a list;
    for multi-choice answers, `contains` checks membership.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    field: str
    equals: str | int | bool | None = None
    in_: list[str | int] | None = Field(default=None, alias="in")
    contains: str | None = None

    @model_validator(mode="after")
    def _one_test(self) -> "Condition":
        given = [x for x in (self.equals, self.in_, self.contains) if x is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "condition_one_test", "a condition needs exactly one of equals / in / contains"
            )
        return self

    def holds(self, answers: dict) -> bool:
        """True when the earlier answer makes the guarded field relevant."""
        if self.field not in answers:
            return False
        got = answers[self.field]
        if self.equals is not None:
            return got == self.equals
        if self.in_ is not None:
            return got in self.in_
        return isinstance(got, (list, tuple)) and self.contains in got


_DATE_BOUND = re.compile(r"^(today|\d{4}-\d{2}-\d{2})([+-]\d+[dy])?$")


def resolve_date_bound(bound: str, today: dt.date | None = None) -> dt.date:
    """Turn 'today', 'today-60y', 'today+30d' or an ISO date into a date."""
    today = today or dt.date.today()
    m = _DATE_BOUND.match(bound)
    if not m:
        raise ValueError(f"bad date bound {bound!r}")
    base = today if m.group(1) == "today" else dt.date.fromisoformat(m.group(1))
    if m.group(2):
        n, unit = int(m.group(2)[:-1]), m.group(2)[-1]
        if unit == "d":
            base = base + dt.timedelta(days=n)
        else:
            year = base.year + n
            day = base.day if not (base.month == 2 and base.day == 29) else 28
            base = base.replace(year=year, day=day)
    return base


class FieldSpec(BaseModel):
    """One question on one screen."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: FieldType
    label: str = Field(min_length=1, max_length=10, description="short name shown on review")
    prompt: str = Field(min_length=2, description="spoken and shown question")
    help: str = Field(default="", description="said when the resident asks for help or fails")
    optional: bool = False
    personal: bool = Field(default=False, description="personal data: encrypted, masked")
    reuse: str | None = Field(default=None, description="fill-once key shared across forms in a visit")
    when: Condition | None = None
    choices: list[Choice] = Field(default_factory=list)
    min: int | None = None
    max: int | None = None
    unit: str = ""
    min_date: str | None = None
    max_date: str | None = None
    max_length: int | None = None
    min_selected: int = 1
    max_selected: int | None = None

    @field_validator("min_date", "max_date")
    @classmethod
    def _date_bound(cls, v: str | None) -> str | None:
        if v is not None and not _DATE_BOUND.match(v):
            raise PydanticCustomError(
                "date_bound", "date bounds are 'today', 'today-60y', 'today+30d' or YYYY-MM-DD"
            )
        return v

    @model_validator(mode="after")
    def _type_rules(self) -> "FieldSpec":
        t = self.type
        if t in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
            if len(self.choices) < 2:
                raise PydanticCustomError("too_few_choices", "a choice field needs at least 2 choices")
            values = [c.value for c in self.choices]
            if len(set(values)) != len(values):
                raise PydanticCustomError("duplicate_choice_value", "choice values must be unique")
            if len(self.choices) > 8:
                raise PydanticCustomError(
                    "too_many_choices", "at most 8 choices fit on one screen; split the question"
                )
        elif self.choices:
            raise PydanticCustomError(
                "choices_not_allowed", "only choice fields have choices, not {type}", {"type": t.value}
            )
        if t is FieldType.INTEGER:
            if self.min is None or self.max is None or self.min > self.max:
                raise PydanticCustomError("integer_bounds", "an integer field needs min <= max")
        if t is FieldType.TEXT and not self.max_length:
            raise PydanticCustomError("text_max_length", "a text field needs max_length")
        if t in (FieldType.NAME, FieldType.PHONE, FieldType.ID_NUMBER, FieldType.ADDRESS):
            self.personal = True
        return self


class FormSpec(BaseModel):
    """A whole service: its tile, its questions and what the receipt tells the resident."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=2, max_length=20)
    short_name: str = Field(min_length=2, max_length=6, description="tile text, 2-6 characters")
    sentence_name: str = Field(default="", max_length=20,
                               description="the service inside a sentence (办理老年人优待证); from the title when empty")
    pictogram: str = Field(min_length=1, description="icon name in kiosk/ui/icons")
    intro: str = Field(min_length=2, description="spoken when the service is chosen")
    department: str = Field(min_length=2, description="window / department on the receipt")
    opening_hours: str = Field(min_length=2)
    documents: list[str] = Field(default_factory=list)
    allow_proxy: bool = True
    retention_days: int = Field(default=365, ge=1, le=3650)
    order: int = 100
    fields: list[FieldSpec] = Field(min_length=1)
    booking: list[str] = Field(default_factory=list, description="field ids printed under 预约内容 on the receipt")

    @model_validator(mode="after")
    def _references(self) -> "FormSpec":
        seen: dict[str, FieldSpec] = {}
        for f in self.fields:
            if f.id in seen:
                raise PydanticCustomError(
                    "duplicate_field_id", "field {field}: duplicate field id", {"field": f.id}
                )
            if f.when is not None and f.when.field not in seen:
                raise PydanticCustomError(
                    "condition_field",
                    "field {field}: condition names {names!r}, which is not an earlier field",
                    {"field": f.id, "names": f.when.field, "earlier": ", ".join(seen)},
                )
            seen[f.id] = f
        for field_id in self.booking:
            if field_id not in seen:
                raise PydanticCustomError("booking_field", "booking names {names!r}, which is not a field",
                                          {"names": field_id})
        return self

    def field(self, field_id: str) -> FieldSpec:
        """The field with this id (KeyError when there is none)."""
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


class SiteSpec(BaseModel):
    """The community's own address lists (configured per site in kiosk.toml)."""

    model_config = ConfigDict(extra="forbid")

    centre_name: str = "幸福里社区服务中心"
    kiosk_id: str = Field(default="K01", pattern=r"^[A-Z0-9]{2,6}$")
    help_line: str = "0571-12345"
    buildings: list[str] = Field(default_factory=lambda: [f"{i}号楼" for i in range(1, 13)])
    units: list[str] = Field(default_factory=lambda: ["1单元", "2单元", "3单元"])
    floors: int = Field(default=18, ge=1, le=99)
    rooms_per_floor: int = Field(default=4, ge=1, le=20)


Kind = Literal["resident", "staff"]
