"""Assisted mode fills a case from the resident's ID card: validated, audited, masked, never forced."""
from __future__ import annotations

import datetime as dt

import pytest
from staff_support import FAST_KDF, PIN, SITE, TODAY, FakeClock

from kiosk.catalogue.loader import load_catalogue
from kiosk.config import REPO_DIR, StaffSettings
from kiosk.dialogue.engine import Visit
from kiosk.idcard.staff import fill_case
from kiosk.idcard.twin import demo_card
from kiosk.staff.mode import AssistedMode
from kiosk.store.keyring import ScryptParams
from kiosk.store.sqlite import SqliteStore

SENIOR = load_catalogue(REPO_DIR / "forms").forms["senior_card"]


@pytest.fixture
def mode(tmp_path):
    clock = FakeClock()
    store = SqliteStore(tmp_path / "kiosk.db", SITE.kiosk_id, secret="staff-secret",
                        kdf=ScryptParams(n=2 ** 10), clock=clock)
    m = AssistedMode(store, SITE, {SENIOR.id: SENIOR}, StaffSettings(), clock=clock, kdf=FAST_KDF)
    m.pins.set_pin("S01", PIN)
    yield m
    store.close()


def started(mode):
    visit = Visit(SITE, mode.store, TODAY)
    mode.desk.attach(visit)
    session = visit.start(SENIOR)
    session.answer("self")
    if session.field.id == "applicant":
        session.confirm(True)
    session.answer(True)
    if session.field.id == "consent":
        session.confirm(True)
    assert session.field.id == "name"
    return visit, session


def test_staff_take_over_and_fill_from_the_card(mode):
    _visit, session = started(mode)
    case = mode.login(PIN).take_over(session)
    result = fill_case(case, demo_card())
    assert result.filled == ["name", "id_number", "birth_date"] and result.refused == {}
    assert session.answers["name"] == "张秀英"
    assert session.answers["birth_date"] == "1955-08-10"
    entries = [e for e in mode.audit.entries() if e.action == "edit"]
    assert [e.field for e in entries] == ["name", "id_number", "birth_date"]
    for e in entries:          # the audit log holds masked values only
        assert demo_card().id_number not in str(vars(e)) and "张秀英" not in str(vars(e))


def test_a_value_the_form_refuses_is_left_for_staff(mode):
    _visit, session = started(mode)
    case = mode.login(PIN).take_over(session)
    young = demo_card(birth=dt.date(1990, 5, 1))
    result = fill_case(case, young)
    assert result.filled == ["name", "id_number"]
    assert set(result.refused) == {"birth_date"} and result.refused["birth_date"]
    assert "birth_date" not in session.answers
