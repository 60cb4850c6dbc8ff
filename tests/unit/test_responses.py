"""Lint over every citizen-facing text: GSM-7, at most 2 SMS segments, LIX <= 25, "du"-form, and a
fallback that never dead-ends."""
import re

import pytest

from bot.core.readability import lix
from bot.sms.gsm import non_gsm_chars, segments
from tests.responses import DOMAIN, PLACEHOLDER_VALUES, sms_texts

TEXTS = sms_texts()
WORDING = sms_texts(PLACEHOLDER_VALUES)
MAX_LIX = 25  # "meget let" on the Danish scale (notes §5): citizens with low literacy read these
FORMAL = re.compile(r"\b(De|Dem|Deres)\b")  # the formal "you"; "de/dem/deres" (they) stay lower case
FALLBACKS = ("utter_default", "utter_out_of_scope")
OPTIONS = ("TJEK IND", "RING")  # what a citizen can always do; RING reaches a person


@pytest.mark.parametrize("name, text", TEXTS, ids=[n for n, _ in TEXTS])
def test_gsm7_and_at_most_two_segments(name, text):
    assert not non_gsm_chars(text), f"{name}: not GSM-7: {non_gsm_chars(text)}"
    assert segments(text) <= 2, f"{name}: {segments(text)} segments"


@pytest.mark.parametrize("name, text", WORDING, ids=[n for n, _ in WORDING])
def test_lix_at_most_25(name, text):
    assert lix(text) <= MAX_LIX, f"{name}: LIX {lix(text):.1f} > {MAX_LIX}: {text}"


@pytest.mark.parametrize("name, text", TEXTS, ids=[n for n, _ in TEXTS])
def test_du_form(name, text):
    assert not FORMAL.search(text), f"{name}: formal address {FORMAL.search(text).group()!r}: {text}"


@pytest.mark.parametrize("name", FALLBACKS)
def test_fallback_restates_the_options_and_offers_a_person(name):
    for variant in DOMAIN["responses"][name]:
        missing = [o for o in OPTIONS if o not in variant["text"]]
        assert not missing, f"{name} does not offer {missing}: {variant['text']}"
        assert "koordinator" in variant["text"], f"{name}: RING must say who calls: {variant['text']}"


def test_lint_catches_bad_texts():
    assert lix("Koordinationsmødet afholdes tirsdag på rådhusets mødelokale.") > MAX_LIX
    assert FORMAL.search("Kontakt Deres koordinator.") and not FORMAL.search("De kommer i morgen".lower())
