"""The form loader and `kiosk forms check`: broken forms written inline become exact problems."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

import kiosk.cli
from kiosk.catalogue import Catalogue, Problem, load_catalogue, load_files, load_form_file

TODAY = dt.date(2026, 3, 1)


def form(form_id: str = "repair", **over) -> dict:
    """A small valid form; `over` replaces top-level keys."""
    data = {
        "id": form_id,
        "title": "报事报修",
        "short_name": "报修",
        "pictogram": "wrench",
        "intro": "您要报修。",
        "department": "物业窗口",
        "opening_hours": "周一到周五",
        "fields": [
            {"id": "problem", "type": "choice", "label": "报修什么", "prompt": "什么坏了？",
             "choices": [{"value": "leak", "label": "漏水", "aliases": ["渗水", "滴水"]},
                         {"value": "other", "label": "其他"}]},
            {"id": "needs_visit", "type": "yes_no", "label": "需要上门", "prompt": "要上门吗？"},
            {"id": "visit_date", "type": "date", "label": "上门日期", "prompt": "哪天来？",
             "min_date": "today", "max_date": "today+14d",
             "when": {"field": "needs_visit", "equals": True}},
        ],
    }
    data.update(over)
    return data


def write(dir_: Path, name: str, data) -> Path:
    path = dir_ / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def with_field(index: int, **changes) -> dict:
    data = form()
    data["fields"][index].update(changes)
    return data


def problems_of(tmp_path: Path, data, name: str = "bad.yaml") -> list[str]:
    """Write one broken form beside a good one; the good one must still load."""
    write(tmp_path, "good.yaml", form("good_form"))
    write(tmp_path, name, data)
    cat = load_catalogue(tmp_path, today=TODAY)
    assert list(cat.forms) == ["good_form"]
    assert all(p.file == name for p in cat.problems)
    return [str(p) for p in cat.problems]


def test_valid_form_loads(tmp_path):
    write(tmp_path, "repair.yaml", form())
    cat = load_catalogue(tmp_path)
    assert cat.ok and list(cat.forms) == ["repair"] and len(cat) == 1 and "repair" in cat
    assert cat.get("repair").field("problem").choices[0].aliases == ["渗水", "滴水"]
    assert cat.sources["repair"] == tmp_path / "repair.yaml"


def test_problem_text_shape():
    assert str(Problem("a.yaml", "-", "what", "fix")) == "a.yaml: -: what: fix"


def test_duplicate_field_id(tmp_path):
    assert problems_of(tmp_path, with_field(1, id="problem", when=None) | {}) == [
        "bad.yaml: problem: duplicate field id: rename one of them: each field id must be unique in a form"
    ]


def test_condition_naming_a_missing_field(tmp_path):
    data = with_field(2, when={"field": "needs_vist", "equals": True})
    assert problems_of(tmp_path, data) == [
        "bad.yaml: visit_date.when: condition names 'needs_vist', which is not an earlier field: "
        "use the id of an earlier field: problem, needs_visit"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = "id: broken\ntitle: 报修\nfields:\n  - id: a\n   type: yes_no\n"
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith("bad.yaml: -: YAML syntax error at line 5, column 4: ")
    assert problem.endswith(": check indentation, colons and quotes on line 5 and the line before it")


def test_unknown_field_type_lists_allowed_types(tmp_path):
    assert problems_of(tmp_path, with_field(1, type="yesno")) == [
        "bad.yaml: needs_visit.type: unknown field type 'yesno': use one of: choice, multi_choice, "
        "yes_no, integer, phone, id_number, date, name, address, text, consent"
    ]


def test_choice_field_without_choices(tmp_path):
    data = form()
    del data["fields"][0]["choices"]
    assert problems_of(tmp_path, data) == [
        "bad.yaml: problem: a choice field needs at least 2 choices: "
        "add 'choices:' with 2 to 8 items, each with value and label"
    ]


def test_bad_date_bound(tmp_path):
    assert problems_of(tmp_path, with_field(2, min_date="yesterday")) == [
        "bad.yaml: visit_date.min_date: bad date bound 'yesterday': "
        "write today, today-60y, today+30d or a date like \"1900-01-01\" (quoted)"
    ]


def test_date_bounds_the_wrong_way_round(tmp_path):
    assert problems_of(tmp_path, with_field(2, min_date="today+30d", max_date="today")) == [
        "bad.yaml: visit_date.min_date: min_date today+30d comes after max_date today: swap them or correct one"
    ]


def test_unknown_key_suggests_spelling(tmp_path):
    data = form()
    data["fields"][1]["promt"] = data["fields"][1].pop("prompt")
    assert problems_of(tmp_path, data) == [
        "bad.yaml: needs_visit.prompt: 'prompt' is missing: add 'prompt:' (see forms/repair_request.yaml for an example)",
        "bad.yaml: needs_visit.promt: unknown key 'promt': remove it or check spelling (did you mean 'prompt'?): "
        "allowed keys are id, type, label, prompt, help, optional, personal, reuse, when, choices, min, max, "
        "unit, min_date, max_date, max_length, min_selected, max_selected",
    ]


def test_problems_inside_choices_name_the_choice(tmp_path):
    data = form()
    data["fields"][0]["choices"][0]["label"] = "水管漏水了一直在滴水滴个不停"
    assert problems_of(tmp_path, data) == [
        "bad.yaml: problem.choices[0].label: too long (14 characters): shorten it to at most 12 characters"
    ]


def test_duplicate_form_ids_keep_the_first_file(tmp_path):
    write(tmp_path, "a.yaml", form("repair"))
    write(tmp_path, "b.yaml", form("repair", title="另一个报修"))
    write(tmp_path, "c.yaml", form("other_form"))
    cat = load_catalogue(tmp_path)
    assert [str(p) for p in cat.problems] == [
        "b.yaml: id: form id 'repair' is already used by a.yaml: give each form its own id (usually the file name)"
    ]
    assert cat.get("repair").title == "报事报修" and "other_form" in cat


def test_condition_value_must_be_a_choice_value(tmp_path):
    data = form()
    data["fields"].append({"id": "where", "type": "text", "label": "哪里", "prompt": "哪里漏？",
                           "max_length": 20, "when": {"field": "problem", "equals": "漏水"}})
    assert problems_of(tmp_path, data) == [
        "bad.yaml: where.when: '漏水' is not a choice value of problem: use one of: leak, other"
    ]


def test_yes_no_condition_needs_a_bool(tmp_path):
    assert problems_of(tmp_path, with_field(2, when={"field": "needs_visit", "equals": "是"})) == [
        "bad.yaml: visit_date.when: needs_visit is a yes_no field, so the condition must be equals: true or false: "
        "write 'equals: true' (answer yes) or 'equals: false' (answer no)"
    ]


def test_reuse_key_outside_the_allowed_set(tmp_path):
    data = form()
    data["fields"].append({"id": "tel", "type": "phone", "label": "电话", "prompt": "您的电话？", "reuse": "mobile"})
    assert problems_of(tmp_path, data) == [
        "bad.yaml: tel.reuse: unknown reuse key 'mobile': use one of: name, id_number, phone, address, birth_date, "
        "or remove 'reuse:'"
    ]


def test_reuse_key_must_match_the_field_type(tmp_path):
    data = form()
    data["fields"].append({"id": "tel", "type": "text", "label": "电话", "prompt": "您的电话？",
                           "max_length": 11, "reuse": "phone"})
    assert problems_of(tmp_path, data) == [
        "bad.yaml: tel.reuse: reuse key 'phone' is for phone fields, not text: set type: phone, or remove 'reuse:'"
    ]


def test_multi_choice_condition_must_use_contains(tmp_path):
    data = with_field(0, type="multi_choice")
    data["fields"].append({"id": "where", "type": "text", "label": "哪里", "prompt": "哪里漏？",
                           "max_length": 20, "when": {"field": "problem", "equals": "leak"}})
    assert problems_of(tmp_path, data) == [
        "bad.yaml: where.when: problem is a multi_choice field: its answer is a list: "
        "write 'contains:' with one of: leak, other"
    ]


@pytest.mark.parametrize("text, what", [
    ("", "the file is empty"),
    ("- a\n- b\n", "the file holds a list, not a form"),
])
def test_files_that_are_not_forms(tmp_path, text, what):
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"bad.yaml: -: {what}: ")


def test_several_problems_in_one_file_are_all_reported(tmp_path):
    data = with_field(1, type="yesno")
    data["title"] = "报"
    assert problems_of(tmp_path, data) == [
        "bad.yaml: title: too short or empty: write at least 2 characters",
        "bad.yaml: needs_visit.type: unknown field type 'yesno': use one of: choice, multi_choice, "
        "yes_no, integer, phone, id_number, date, name, address, text, consent",
    ]


def test_shorthand_is_normalised(tmp_path):
    data = form()
    del data["id"]
    data["documents"] = "身份证"
    data["fields"][0]["choices"] = ["漏水", "其他"]
    path = write(tmp_path, "quick_repair.yaml", data)
    spec, problems = load_form_file(path)
    assert problems == []
    assert spec.id == "quick_repair" and spec.documents == ["身份证"]
    assert [(c.value, c.label) for c in spec.field("problem").choices] == [("漏水", "漏水"), ("其他", "其他")]


def test_forms_are_ordered_by_order_then_id(tmp_path):
    write(tmp_path, "a.yaml", form("zeta", order=5))
    write(tmp_path, "b.yaml", form("alpha", order=5))
    write(tmp_path, "c.yaml", form("first", order=1))
    write(tmp_path, "notes.txt", "not a form")
    assert list(load_catalogue(tmp_path).forms) == ["first", "alpha", "zeta"]


def test_toml_forms_load_too(tmp_path):
    (tmp_path / "t.toml").write_text(
        'id = "t"\ntitle = "测试表单"\nshort_name = "测试"\npictogram = "x"\nintro = "您好。"\n'
        'department = "一号窗口"\nopening_hours = "全天"\n'
        '[[fields]]\nid = "ok"\ntype = "yes_no"\nlabel = "好吗"\nprompt = "好吗？"\n',
        encoding="utf-8",
    )
    assert list(load_catalogue(tmp_path).forms) == ["t"]


def test_missing_forms_dir(tmp_path):
    cat = load_catalogue(tmp_path / "nope")
    assert isinstance(cat, Catalogue) and not cat.forms
    assert [p.field for p in cat.problems] == ["-"]


def test_load_files_mixes_files_and_dirs(tmp_path):
    (tmp_path / "d").mkdir()
    write(tmp_path / "d", "a.yaml", form("a_form"))
    b = write(tmp_path, "b.yaml", form("b_form"))
    cat = load_files([tmp_path / "d", b, tmp_path / "missing.yaml"])
    assert set(cat.forms) == {"a_form", "b_form"}
    assert [str(p) for p in cat.problems] == [
        f"missing.yaml: -: no such file or directory ({tmp_path / 'missing.yaml'}): check the path"
    ]


# ---------------------------------------------------------------- kiosk forms check

def test_cli_is_registered():
    assert "kiosk.catalogue.commands" in kiosk.cli.COMMAND_MODULES


def test_cli_check_reports_problems_and_exits_1(tmp_path, capsys):
    write(tmp_path, "good.yaml", form("good_form"))
    write(tmp_path, "bad.yaml", with_field(1, type="yesno"))
    assert kiosk.cli.main(["forms", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("bad.yaml: needs_visit.type: unknown field type 'yesno': ")
    assert out[-1] == "1 forms OK"


def test_cli_check_clean_paths_exit_0(tmp_path, capsys):
    a = write(tmp_path, "a.yaml", form("a_form"))
    b = write(tmp_path, "b.yaml", form("b_form"))
    assert kiosk.cli.main(["forms", "check", str(a), str(b)]) == 0
    assert capsys.readouterr().out == "2 forms OK\n"


def test_cli_check_defaults_to_the_configured_forms_dir(tmp_path, monkeypatch, capsys):
    forms_dir = tmp_path / "forms"
    forms_dir.mkdir()
    write(forms_dir, "bad.yaml", "id: [unclosed\n")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\nforms_dir = "{forms_dir}"\n', encoding="utf-8")
    monkeypatch.delenv("KIOSK_FORMS_DIR", raising=False)
    assert kiosk.cli.main(["--config", str(config), "forms", "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("bad.yaml: -: YAML syntax error at line 2") and out.endswith("0 forms OK\n")


def test_cli_check_shipped_forms(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)   # no stray ./kiosk.toml
    assert kiosk.cli.main(["forms", "check"]) == 0
    assert capsys.readouterr().out.endswith("forms OK\n")


def test_cli_check_with_broken_settings_exits_2(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text("forms_dir = [\n", encoding="utf-8")
    assert kiosk.cli.main(["--config", str(config), "forms", "check"]) == 2
    assert "cannot read configuration" in capsys.readouterr().err
