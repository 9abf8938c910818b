"""Load forms/*.yaml into typed `FormSpec`s, in stages: read -> normalise -> build -> cross-check.

Every problem is collected as a `Problem(file, field, what, fix)` for staff; a broken file never
stops the others from loading (the kiosk shows what is good, `kiosk forms check` lists the rest).
Pydantic errors are translated per error kind into a plain fix, so staff editing YAML by hand
know what to change without reading a traceback.
"""
from __future__ import annotations

import datetime as dt
import difflib
import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml
from pydantic import BaseModel, ValidationError

from kiosk.catalogue.spec import Choice, Condition, FieldSpec, FieldType, FormSpec, resolve_date_bound
from kiosk.errors import KioskError
from kiosk.safeyaml import load_yaml

log = logging.getLogger(__name__)

FORM_SUFFIXES = (".yaml", ".yml", ".toml")

# Fill-once keys shared across forms in one visit, and the field type each key must have.
REUSE_KEYS: dict[str, FieldType] = {
    "name": FieldType.NAME,
    "id_number": FieldType.ID_NUMBER,
    "phone": FieldType.PHONE,
    "address": FieldType.ADDRESS,
    "birth_date": FieldType.DATE,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one form file, said so staff can fix it."""

    file: str
    field: str   # field id (with a sub-path), a form key, or "-" when the file itself is broken
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.what}: {self.fix}"


@dataclass
class Catalogue:
    """The loaded services: `forms` ordered by `order` (then id), and every problem found."""

    forms: dict[str, FormSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)   # form id -> file it came from

    @property
    def ok(self) -> bool:
        """True when no file had a problem."""
        return not self.problems

    def get(self, form_id: str) -> FormSpec:
        """The form with this id (KeyError when there is none)."""
        return self.forms[form_id]

    def __iter__(self) -> Iterator[FormSpec]:
        return iter(self.forms.values())

    def __len__(self) -> int:
        return len(self.forms)

    def __contains__(self, form_id: object) -> bool:
        return form_id in self.forms


# ---------------------------------------------------------------- read

class _FileBroken(KioskError):
    """The file cannot be read as a form at all (the problem names field "-")."""

    code = "form_file"

    def __init__(self, what: str, fix: str):
        super().__init__(what)
        self.what, self.fix = what, fix


def _read(path: Path) -> dict:
    """Parse one file into a plain mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise _FileBroken(f"not UTF-8 text (byte {err.start})", "save the file as UTF-8") from err
    except OSError as err:
        raise _FileBroken(f"cannot read the file ({err.strerror})", "check the path and permissions") from err
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise _FileBroken(f"TOML syntax error: {err}", "fix the syntax at that line") from err
    else:
        try:
            # libyaml's C loader (ten times faster: forms are read on the way to Home), with size
            # and alias-expansion limits (a 630-byte alias bomb took minutes and gigabytes)
            data = load_yaml(text)
        except yaml.YAMLError as err:
            raise _FileBroken(*_yaml_error(err)) from err
    if data is None:
        raise _FileBroken("the file is empty", "write the form (see forms/repair_request.yaml)")
    if not isinstance(data, dict):
        raise _FileBroken(
            f"the file holds a {type(data).__name__}, not a form",
            "start with 'id:', 'title:' ... at the left margin (see forms/repair_request.yaml)",
        )
    return data


def _yaml_error(err: yaml.YAMLError) -> tuple[str, str]:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    if mark is None:
        return f"YAML syntax error: {problem}", "check indentation and quoting"
    line, col = mark.line + 1, mark.column + 1
    return (
        f"YAML syntax error at line {line}, column {col}: {problem}",
        f"check indentation, colons and quotes on line {line} and the line before it",
    )


# ---------------------------------------------------------------- normalise

def _as_list(value: Any) -> Any:
    """A single string where a list is expected becomes a one-item list."""
    return [value] if isinstance(value, str) else value


def _normalise(data: dict, path: Path) -> dict:
    """Forgive harmless shorthand staff are likely to write, before strict validation."""
    data = dict(data)
    data.setdefault("id", path.stem)
    if "documents" in data:
        data["documents"] = _as_list(data["documents"]) or []
    fields = data.get("fields")
    if isinstance(fields, list):
        data["fields"] = [_normalise_field(f) for f in fields]
    return data


def _normalise_field(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    f = dict(raw)
    choices = f.get("choices")
    if isinstance(choices, list):
        f["choices"] = [_normalise_choice(c) for c in choices]
    return f


def _normalise_choice(raw: Any) -> Any:
    if isinstance(raw, str):   # "漏水" is short for {value: 漏水, label: 漏水}
        return {"value": raw, "label": raw}
    if isinstance(raw, dict) and "aliases" in raw:
        raw = dict(raw, aliases=_as_list(raw["aliases"]) or [])
    return raw


# ---------------------------------------------------------------- build: pydantic -> Problem

def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(loc: tuple) -> type[BaseModel]:
    """Which spec model owns the key at this error location."""
    parts = [p for p in loc if isinstance(p, str)]
    if "choices" in parts:
        return Choice
    if "when" in parts:
        return Condition
    if "fields" in parts:
        return FieldSpec
    return FormSpec


def _where(loc: tuple, data: dict) -> str:
    """Name the place of an error: a field's id plus a sub-path, or a form key."""
    if not loc:
        return "-"
    if loc[0] == "fields" and len(loc) > 1 and isinstance(loc[1], int):
        fields = data.get("fields") or []
        raw = fields[loc[1]] if loc[1] < len(fields) else None
        fid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        head = fid or f"fields[{loc[1]}]"
        rest = loc[2:]
    else:
        head, rest = str(loc[0]), loc[1:]
    for p in rest:
        head += f"[{p}]" if isinstance(p, int) else f".{p}"
    return head


def _fix_for(err: dict, data: dict) -> tuple[str, str, str]:
    """(where, what, fix) for one pydantic error dict."""
    kind, loc, ctx = err["type"], tuple(err["loc"]), err.get("ctx") or {}
    where = _where(loc, data)
    msg = err["msg"].removeprefix("Value error, ")
    key = loc[-1] if loc else ""

    if kind == "extra_forbidden":
        allowed = _allowed_keys(_model_at(loc))
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return where, f"unknown key '{key}'", f"remove it or check spelling{hint}: allowed keys are {', '.join(allowed)}"
    if kind == "missing":
        return where, f"'{key}' is missing", f"add '{key}:' (see forms/repair_request.yaml for an example)"
    if kind == "enum" and key == "type":
        return where, f"unknown field type {err['input']!r}", f"use one of: {', '.join(t.value for t in FieldType)}"
    if kind == "enum":
        return where, msg, f"use one of: {ctx.get('expected', '')}"
    if kind == "duplicate_field_id":
        return ctx["field"], "duplicate field id", "rename one of them: each field id must be unique in a form"
    if kind == "condition_field":
        earlier = ctx.get("earlier") or "(none: the first field cannot have a condition)"
        return (
            f"{ctx['field']}.when",
            f"condition names {ctx['names']!r}, which is not an earlier field",
            f"use the id of an earlier field: {earlier}",
        )
    if kind == "too_few_choices":
        return where, "a choice field needs at least 2 choices", "add 'choices:' with 2 to 8 items, each with value and label"
    if kind == "too_many_choices":
        return where, "more than 8 choices", "at most 8 fit on one screen: merge some, or split into two questions"
    if kind == "duplicate_choice_value":
        return where, "two choices share a value", "give each choice its own value"
    if kind == "choices_not_allowed":
        return where, f"a {ctx.get('type')} field cannot have choices", "remove 'choices:', or set type: choice / multi_choice"
    if kind == "integer_bounds":
        return where, "an integer field needs min and max with min <= max", "add 'min:' and 'max:' (e.g. min: 1, max: 30)"
    if kind == "text_max_length":
        return where, "a text field needs max_length", "add 'max_length:' (e.g. 60; keep spoken answers short)"
    if kind == "date_bound":
        return where, f"bad date bound {err['input']!r}", "write today, today-60y, today+30d or a date like \"1900-01-01\" (quoted)"
    if kind == "condition_one_test":
        return where, "a condition needs exactly one test", "write 'field:' and one of 'equals:', 'in:' or 'contains:'"
    if kind == "string_pattern_mismatch":
        return where, f"{err['input']!r} is not a valid id", "use lowercase letters, digits and _, starting with a letter (e.g. visit_date)"
    if kind == "string_too_long":
        return where, f"too long ({len(str(err['input']))} characters)", f"shorten it to at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return where, "too short or empty", f"write at least {ctx.get('min_length')} characters"
    if kind == "too_short":
        return where, "the list is empty", f"give at least {ctx.get('min_length')} item(s)"
    if kind == "string_type":
        return where, f"expected text, got {err['input']!r}", "put the value in quotes (YAML reads yes/no/on/off as true/false)"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return where, f"expected a whole number, got {err['input']!r}", "write a whole number such as 1 or 30"
    if kind in ("bool_type", "bool_parsing"):
        return where, f"expected true or false, got {err['input']!r}", "write true or false"
    if kind in ("list_type", "dict_type", "model_type"):
        shape = "a list (one '- item' per line)" if kind == "list_type" else "a mapping of key: value"
        return where, f"expected {shape}", f"write {shape} here"
    return where, msg, "see kiosk/catalogue/spec.py for what this key accepts"


def _build(data: dict, name: str) -> tuple[FormSpec | None, list[Problem]]:
    try:
        return FormSpec.model_validate(data), []
    except ValidationError as err:
        return None, [Problem(name, *_fix_for(dict(e), data)) for e in err.errors()]


# ---------------------------------------------------------------- cross-checks pydantic cannot do

def _check_form(form: FormSpec, name: str, today: dt.date) -> list[Problem]:
    out: list[Problem] = []
    reuse_seen: dict[str, str] = {}
    by_id = {f.id: f for f in form.fields}
    for f in form.fields:
        if f.reuse is not None:
            if f.reuse not in REUSE_KEYS:
                out.append(Problem(name, f"{f.id}.reuse", f"unknown reuse key {f.reuse!r}",
                                   f"use one of: {', '.join(REUSE_KEYS)}, or remove 'reuse:'"))
            elif REUSE_KEYS[f.reuse] is not f.type:
                out.append(Problem(name, f"{f.id}.reuse", f"reuse key {f.reuse!r} is for {REUSE_KEYS[f.reuse].value} fields, not {f.type.value}",
                                   f"set type: {REUSE_KEYS[f.reuse].value}, or remove 'reuse:'"))
            elif f.reuse in reuse_seen:
                out.append(Problem(name, f"{f.id}.reuse", f"reuse key {f.reuse!r} is already used by {reuse_seen[f.reuse]}",
                                   "remove 'reuse:' from one of them"))
            else:
                reuse_seen[f.reuse] = f.id
        if f.type is FieldType.DATE and f.min_date and f.max_date:
            lo, hi = resolve_date_bound(f.min_date, today), resolve_date_bound(f.max_date, today)
            if lo > hi:
                out.append(Problem(name, f"{f.id}.min_date", f"min_date {f.min_date} comes after max_date {f.max_date}",
                                   "swap them or correct one"))
        if f.when is not None:
            out.extend(_check_condition(f, by_id[f.when.field], name))
    return out


def _check_condition(f: FieldSpec, target: FieldSpec, name: str) -> list[Problem]:
    """The tested values must be answers the earlier field can actually give."""
    cond, where = f.when, f"{f.id}.when"
    assert cond is not None, "only called for a field with a condition"
    tests = [v for v in (cond.equals, cond.contains) if v is not None] + list(cond.in_ or [])
    t = target.type
    if t is FieldType.YES_NO:
        if cond.equals is None or not isinstance(cond.equals, bool):
            return [Problem(name, where, f"{target.id} is a yes_no field, so the condition must be equals: true or false",
                            "write 'equals: true' (answer yes) or 'equals: false' (answer no)")]
        return []
    if t in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        values = [c.value for c in target.choices]
        if t is FieldType.MULTI_CHOICE and cond.contains is None:
            return [Problem(name, where, f"{target.id} is a multi_choice field: its answer is a list",
                            f"write 'contains:' with one of: {', '.join(values)}")]
        if t is FieldType.CHOICE and cond.contains is not None:
            return [Problem(name, where, f"{target.id} is a single choice field, 'contains' never matches",
                            f"write 'equals:' or 'in:' with: {', '.join(values)}")]
        bad = [v for v in tests if v not in values]
        if bad:
            return [Problem(name, where, f"{', '.join(map(repr, bad))} is not a choice value of {target.id}",
                            f"use one of: {', '.join(values)}")]
        return []
    if t is FieldType.INTEGER:
        low, high = target.min or 0, target.max or 0     # the spec requires both on integers
        bad = [v for v in tests if isinstance(v, bool) or not isinstance(v, int) or not (low <= v <= high)]
        if cond.contains is not None or bad:
            return [Problem(name, where, f"{target.id} answers a whole number from {target.min} to {target.max}",
                            "write 'equals:' or 'in:' with whole numbers in that range")]
        return []
    return [Problem(name, where, f"conditions on a {t.value} field are not supported",
                    "make the condition test a choice, multi_choice, yes_no or integer field")]


# ---------------------------------------------------------------- public API

def load_form_file(path: str | os.PathLike, today: dt.date | None = None) -> tuple[FormSpec | None, list[Problem]]:
    """Load one form file; the form is None when any problem was found."""
    path = Path(path)
    name = path.name
    try:
        data = _read(path)
    except _FileBroken as err:
        return None, [Problem(name, "-", err.what, err.fix)]
    form, problems = _build(_normalise(data, path), name)
    if form is not None:
        problems = _check_form(form, name, today or dt.date.today())
    return (form if not problems else None), problems


def form_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand directories into their form files (sorted); plain files are kept as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix in FORM_SUFFIXES and q.is_file()))
        else:
            out.append(p)
    return out


def load_files(paths: Iterable[str | os.PathLike], today: dt.date | None = None) -> Catalogue:
    """Load forms from files and/or directories into one catalogue."""
    cat = Catalogue()
    loaded: list[FormSpec] = []
    for path in form_files(paths):
        if not path.exists():
            cat.problems.append(Problem(path.name, "-", f"no such file or directory ({path})", "check the path"))
            continue
        form, problems = load_form_file(path, today)
        cat.problems.extend(problems)
        if form is None:
            continue
        if form.id in cat.sources:
            first = cat.sources[form.id].name
            cat.problems.append(Problem(path.name, "id", f"form id {form.id!r} is already used by {first}",
                                        "give each form its own id (usually the file name)"))
            continue
        cat.sources[form.id] = path
        loaded.append(form)
    for form in sorted(loaded, key=lambda f: (f.order, f.id)):
        cat.forms[form.id] = form
    for p in cat.problems:
        log.warning("form problem: %s", p)   # form files hold no personal data
    return cat


def load_catalogue(forms_dir: str | os.PathLike, today: dt.date | None = None) -> Catalogue:
    """Load every form in `forms_dir` (*.yaml, *.yml, *.toml); broken files become problems."""
    forms_dir = Path(forms_dir)
    if not forms_dir.is_dir():
        return Catalogue(problems=[Problem(str(forms_dir), "-", "the forms directory does not exist",
                                           "set forms_dir in kiosk.toml or create the directory")])
    return load_files([forms_dir], today)
