import pytest

from bot.core.phone import InvalidPhone, normalize_phone, try_normalize_phone


@pytest.mark.parametrize("raw", ["+4512345678", "12345678", "12 34 56 78", "004512345678", "+45 12 34 56 78"])
def test_danish_numbers_become_e164(raw):
    assert normalize_phone(raw) == "+4512345678"


def test_foreign_valid_number_is_kept():
    assert normalize_phone("+46701234567") == "+46701234567"


@pytest.mark.parametrize("raw", ["", "   ", "123", "1234567", "123456789", "abc", "+45 1234", "+4612"])
def test_invalid_numbers_are_refused(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)
    assert try_normalize_phone(raw) is None
