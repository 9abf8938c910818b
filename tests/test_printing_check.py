"""`kiosk forms check` refuses form and site text that a receipt could only print cut mid-word."""
import yaml

from kiosk.catalogue.loader import load_files
from kiosk.catalogue.spec import SiteSpec
from kiosk.cli import main
from kiosk.printing.check import receipt_problems


def form_file(tmp_path, **changes):
    data = yaml.safe_load(open("forms/home_service.yaml", encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "home_service.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_every_shipped_form_fits_58mm_receipts(capsys):
    assert main(["forms", "check", "forms"]) == 0
    assert "8 forms OK" in capsys.readouterr().out


def test_unbreakable_text_wider_than_the_line_is_refused(tmp_path, capsys):
    path = form_file(tmp_path, department="居家养老服务窗口（编号HS2026-0001-0002-0003-0004）")
    assert main(["forms", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "home_service.yaml: department:" in out and "58 mm" in out and "0 forms OK" in out


def test_a_long_text_that_can_break_is_fine(tmp_path):
    path = form_file(tmp_path, opening_hours="周一到周六，上午8:30到12:00，下午1:30到5:00，节假日另行通知，" * 3)
    form = load_files([path]).forms["home_service"]
    assert receipt_problems(form, SiteSpec()) == []


def test_site_text_is_checked_too():
    form = load_files(["forms/home_service.yaml"]).forms["home_service"]
    problems = receipt_problems(form, SiteSpec(help_line="0571-12345678-0000-1111-2222-3333"))
    assert [p.field for p in problems] == ["site.help_line"]
