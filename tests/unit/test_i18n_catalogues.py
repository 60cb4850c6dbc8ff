"""The catalogue files of bot/i18n/ against the Danish source (docs/languages.md).

English is complete: every response of domain.yml and every text of bot/core/texts.py has an English
entry with the same variations (conditions, channel), the same placeholders and the same button
payloads, so a new Danish text without its translation fails here. Every catalogue: no leftovers
(names the Danish no longer has), the safety replies with the same numbers, and each text within
2 SMS segments (GSM-7 for English; Arabic is UCS-2, 67 characters a part)."""
from __future__ import annotations

import re
import string

import pytest

from bot.core import i18n, texts
from bot.core.readability import _SENTENCE_END, _WORD
from bot.sms.gsm import is_gsm7, non_gsm_chars, segments
from tests.responses import DOMAIN, EN_VALUES, PLACEHOLDER_VALUES, render

CATALOGUE = i18n.default_catalogue()
ENGLISH = CATALOGUE.language("en")
OTHERS = [code for code in CATALOGUE.codes() if code != i18n.DANISH]
RESPONSES = DOMAIN["responses"]
TEXTS = {name: getattr(texts, name) for name in dir(texts) if name.isupper() and isinstance(getattr(texts, name), str)}
SAFETY = ("CRISIS_REPLY", "HOPELESSNESS_REPLY")
SAFETY_NUMBERS = ("112", "70 201 201")  # 112, and Livslinien: the same numbers in every language
# What every language besides Danish must have at least (the issue: Arabic shows a third language).
REQUIRED = ("CRISIS_REPLY", "HOPELESSNESS_REPLY", "LANGUAGE_NOT_UNDERSTOOD", "LANGUAGE_SWITCHED")
# LIX is Björnsson's Danish measure and its threshold is calibrated on Danish (tests/unit/test_responses.py);
# textstat's English measures need NLTK's CMU dictionary, which is not installed (and not downloaded by
# a test). For English: short sentences, which is what the plain-English guides ask first.
MAX_SENTENCE_WORDS = 15


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def shape(variation: dict) -> tuple:
    """What must be the same in a translation: when it is chosen, and what it fills in and sends back."""
    condition = tuple(sorted((c["type"], c["name"], repr(c["value"])) for c in variation.get("condition") or []))
    payloads = tuple(b.get("payload") for b in variation.get("buttons") or [])
    return condition, variation.get("channel"), tuple(sorted(placeholders(variation["text"]))), payloads


def translated_texts(code: str) -> list[tuple[str, str]]:
    language = CATALOGUE.language(code)
    return ([(f"{name}[{i}]", v["text"]) for name, variations in language.responses.items()
             for i, v in enumerate(variations)] + [(name, text) for name, text in language.texts.items()])


EN_TEXTS = translated_texts("en")
ALL_TEXTS = [(code, name, text) for code in OTHERS for name, text in translated_texts(code)]


def test_the_languages_are_the_files():
    assert CATALOGUE.codes()[0] == i18n.DANISH
    assert {"en", "ar"} <= set(CATALOGUE.codes())
    assert CATALOGUE.direction("ar") == i18n.RTL and CATALOGUE.direction("en") == i18n.LTR


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_has_its_english_with_the_same_shape(name):
    english = ENGLISH.responses.get(name)
    assert english is not None, f"{name}: no English in bot/i18n/en.yml (docs/languages.md)"
    assert sorted(map(shape, english)) == sorted(map(shape, RESPONSES[name])), (
        f"{name}: the English variations differ from the Danish in conditions, channel, placeholders "
        "or button payloads")


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_text_has_its_english_with_the_same_placeholders(name):
    english = ENGLISH.texts.get(name)
    assert english is not None, f"bot.core.texts.{name}: no English in bot/i18n/en.yml (docs/languages.md)"
    assert placeholders(english) == placeholders(TEXTS[name]), name


@pytest.mark.parametrize("code", OTHERS)
def test_no_leftovers_and_same_placeholders_in_every_catalogue(code):
    language = CATALOGUE.language(code)
    stale = sorted(set(language.responses) - set(RESPONSES)) + sorted(set(language.texts) - set(TEXTS))
    assert not stale, f"{code}: names neither domain.yml nor bot/core/texts.py has (renamed? removed?): {stale}"
    for name, variations in language.responses.items():
        assert {shape(v) for v in variations} <= {shape(v) for v in RESPONSES[name]}, f"{code}: {name}"
    for name, text in language.texts.items():
        assert placeholders(text) == placeholders(TEXTS[name]), f"{code}: {name}"


@pytest.mark.parametrize("code", OTHERS)
def test_the_required_texts_and_the_same_safety_numbers(code):
    language = CATALOGUE.language(code)
    missing = [name for name in REQUIRED if name not in language.texts]
    assert not missing, f"{code} lacks {missing}"
    for name in SAFETY:
        for number in SAFETY_NUMBERS:
            assert number in language.texts[name], f"{code}: {name} must name {number}"
    assert language.switch_words, f"{code}: no switch words: a citizen could not choose it"


@pytest.mark.parametrize("code, name, text", ALL_TEXTS, ids=[f"{c}-{n}" for c, n, _ in ALL_TEXTS])
def test_at_most_two_sms_segments(code, name, text):
    rendered = render(text, EN_VALUES)
    assert segments(rendered) <= 2, f"{code} {name}: {segments(rendered)} segments"


@pytest.mark.parametrize("name, text", EN_TEXTS, ids=[n for n, _ in EN_TEXTS])
def test_english_is_gsm7_plain_and_informal(name, text):
    rendered = render(text, EN_VALUES)
    assert not non_gsm_chars(rendered), f"{name}: not GSM-7: {non_gsm_chars(rendered)}"
    wording = render(text, PLACEHOLDER_VALUES)
    longest = max(len(_WORD.findall(s)) for s in _SENTENCE_END.split(wording) if s.strip())
    assert longest <= MAX_SENTENCE_WORDS, f"{name}: a sentence of {longest} words: {wording}"
    assert not re.search(r"\b(?:kindly|hereby|please be advised)\b", wording, re.I), name


def test_english_fallbacks_restate_the_options_and_offer_a_person():
    for name in ("utter_default", "utter_out_of_scope"):
        for variation in ENGLISH.responses[name]:
            assert "CHECK IN" in variation["text"] and "CALL" in variation["text"], name
            assert "coordinator" in variation["text"], name


def test_arabic_is_ucs2_and_fits_two_parts():
    for name, text in CATALOGUE.language("ar").texts.items():
        assert not is_gsm7(text)
        assert len(text.encode("utf-16-le")) // 2 <= 2 * 67, name
