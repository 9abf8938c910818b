"""Masking helpers: what residents, staff screens and receipts see of personal data."""
import pytest

from kiosk.privacy import mask_address, mask_id, mask_name, mask_phone


@pytest.mark.parametrize("name, masked", [
    ("张小明", "张*明"), ("张三", "张*"), ("欧阳小明", "欧**明"), ("李", "*"), ("", ""), (None, ""),
    (" 王芳 ", "王*"),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_id_keeps_first_six_and_last_four():
    assert mask_id("110105195003051234") == "110105********1234"
    assert mask_id("11010519500305123X") == "110105********123X"


def test_mask_id_short_or_odd_values_are_fully_hidden():
    assert mask_id("12345") == "*****"
    assert mask_id(None) == ""
    assert mask_id("110105 19500305 1234") == "110105********1234"


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""


def test_mask_address_keeps_building_only():
    assert mask_address("3号楼2单元1201室") == "3号楼"
    assert mask_address({"building": "12号楼", "unit": "1单元", "room": "1502"}) == "12号楼"
    assert mask_address("幸福路88号") == ""          # no building: show nothing rather than the street
    assert mask_address(None) == ""


def test_masks_never_contain_the_hidden_part():
    full_id, phone, name = "110105195003051234", "13812345678", "张小明"
    assert "19500305" not in mask_id(full_id)
    assert "1234" not in mask_phone(phone)
    assert "小" not in mask_name(name)
