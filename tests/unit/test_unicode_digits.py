"""Characters Python calls digits that int() refuses ("²", "³", "①": str.isdigit() is True for them)
are never turned into numbers: a citizen's "²" over SMS was a 500 from the gate's crisis check
(found by tests/security/test_fuzz.py). Each place that reads a number from text is asked here."""
import pytest

from bot.checkins.answers import parse_areas
from bot.checkins.programmes import get_programme
from bot.db.jobs import target_id
from bot.outcomes.instruments import WHO5, parse_answer
from bot.safety.crisis import assess
from bot.sms.gateway import e164_from_msisdn

NOT_NUMBERS = ["²", "³", "①", "¹⁰"]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_crisis_check_reads_them_as_text(text):
    assert assess(text) is None
    assert assess(f"jeg har det {text}") is None


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_they_answer_no_question(text):
    assert parse_answer(text, WHO5) is None
    assert parse_areas(text, get_programme("standard")) == []
    assert target_id(f"appointment:{text}") is None


def test_a_real_digit_still_counts():
    assert parse_answer("2²", WHO5) == 2  # one digit, 2, beside a superscript
    assert parse_areas("2²", get_programme("standard")) == ["humoer"]
    assert assess("²²") is None and assess("12") is None
    assert parse_answer("٣", WHO5) == 3  # Arabic-Indic three is a decimal digit: int() takes it
    assert target_id("appointment:12") == 12


@pytest.mark.parametrize("msisdn", ["45²", "①"])
def test_an_msisdn_must_be_ascii_digits(msisdn):
    with pytest.raises(ValueError):
        e164_from_msisdn(msisdn)
