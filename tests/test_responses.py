"""Lint over every citizen-facing text: GSM-7 only and at most 2 SMS segments."""
import pytest

from bot.sms.gsm import non_gsm_chars, segments
from tests.responses import sms_texts

TEXTS = sms_texts()


@pytest.mark.parametrize("name, text", TEXTS, ids=[n for n, _ in TEXTS])
def test_gsm7_and_at_most_two_segments(name, text):
    assert not non_gsm_chars(text), f"{name}: not GSM-7: {non_gsm_chars(text)}"
    assert segments(text) <= 2, f"{name}: {segments(text)} segments"
