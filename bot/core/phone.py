"""Phone numbers are stored and used as Rasa sender ids in E.164 (+45XXXXXXXX)."""
from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str, region: str = "DK") -> str:
    """Accept '+4512345678', '12 34 56 78', '004512345678'; return E.164 or raise InvalidPhone."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPhone("phone is required")
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {raw!r}") from exc
    # Danish numbers only need the right length: number plans change and test ranges (+4512345678)
    # are not "valid" to phonenumbers. Foreign numbers must be valid.
    ok = (
        phonenumbers.is_possible_number(number) and len(str(number.national_number)) == 8
        if number.country_code == 45
        else phonenumbers.is_valid_number(number)
    )
    if not ok:
        raise InvalidPhone(f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str) -> str | None:
    try:
        return normalize_phone(raw)
    except InvalidPhone:
        return None


def format_phone(phone: str | None) -> str | None:
    """'+4511223344' as a Dane reads it: '11 22 33 44'."""
    if not phone:
        return None
    digits = phone[3:] if phone.startswith("+45") else phone
    if len(digits) == 8 and digits.isdigit():
        return " ".join(digits[i:i + 2] for i in range(0, 8, 2))
    return phone
