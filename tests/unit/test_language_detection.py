"""The other-language rule (bot/core/language_detection.py) with the real detector and lexicon: no
mocks. The gates: none of the project's own Danish or English NLU messages is taken for another
language (held-out Danish: 0), and most of tests/unit/other_languages.yml is (bench/langdetect.py
prints the same numbers)."""
from __future__ import annotations

import pytest

from bench.langdetect import MIN_RECALL, other_language_set, own_messages
from bot.citizens.language import not_understood_replies
from bot.core import language_detection as ld
from bot.core import texts
from bot.sms.gsm import is_gsm7, segments

OTHERS, UNDERSTOOD = other_language_set()


@pytest.fixture(scope="module", autouse=True)
def warm():
    ld.warm()


@pytest.mark.parametrize("name, messages", sorted(own_messages().items()))
def test_none_of_our_own_danish_or_english_messages_is_another_language(name, messages):
    flagged = [(text, ld.other_language(text)) for text in messages]
    assert [f for f in flagged if f[1] is not None] == [], f"{name}: taken for another language"


def test_danish_with_typos_and_sms_spelling_and_english_are_understood():
    assert [t for t in UNDERSTOOD if ld.other_language(t) is not None] == []


@pytest.mark.parametrize("text", ["STOP", "stop", "HJÆLP", "hjaelp", "JA", "nej", "Ja tak", "ok", "1", "3", "12",
                                  "GRØN", "groen", "gul", "RØD", "rod", "grøn gul", "SKEMA", "ENGLISH", "DANSK",
                                  "🏳️‍🌈🏳️‍🌈", "😀😀", "", "   ", "?!", "{{7*7}}", "'; DROP TABLE citizens;--",
                                  "x" * 5000, "a" * 5000])
def test_keywords_answers_emoji_and_noise_are_never_another_language(text):
    assert ld.other_language(text) is None


def test_most_messages_in_other_languages_are_recognised_and_named():
    found = {language: [ld.other_language(t) for t in texts_] for language, texts_ in OTHERS.items()}
    total = sum(len(v) for v in found.values())
    hits = sum(r is not None for v in found.values() for r in v)
    assert hits / total >= MIN_RECALL, {k: [r and r.code for r in v] for k, v in found.items()}
    # A script Danish and English are never written in is always another language.
    for language in ("ar", "fa", "ur", "ru", "uk", "hbs_cyrillic", "ethi", "th", "ta"):
        assert all(r is not None and r.by_script for r in found[language]), language
    assert {r.code for r in found["ar"]} == {"ar"} and {r.name for r in found["ar"]} == {"arabisk"}
    assert {r.code for r in found["pl"]} == {"pl"} and {r.code for r in found["tr"]} == {"tr"}


def test_the_issue_s_arabic_greeting():
    detected = ld.other_language("مرحبا كيف حالك")
    assert (detected.code, detected.name, detected.by_script) == ("ar", "arabisk", True)
    assert detected.confidence > 0.9


def test_a_script_the_detector_has_no_language_for_is_named_by_the_script():
    detected = ld.other_language("ከመይ ኣለኻ")  # Tigrinya
    assert detected.code == "ethiopic" and "etiopisk" in detected.name and detected.confidence == 1.0


def test_a_language_the_citizen_is_understood_in_is_not_another_language():
    assert ld.other_language("Mir geht es heute nicht gut").code == "de"
    assert ld.other_language("Mir geht es heute nicht gut", understood=("da", "en", "de")) is None


def test_short_latin_text_is_too_short_to_tell():
    assert ld.other_language("Evet") is None and ld.other_language("Hayır") is None  # Turkish yes / no
    assert ld.other_language("Yarın gelemiyorum").code == "tr"  # two words, 16 letters


def test_the_multilingual_reply_is_two_sms_of_two_segments_each():
    first, arabic = not_understood_replies()
    assert first == f"{texts.LANGUAGE_NOT_UNDERSTOOD}\n{texts.for_language('LANGUAGE_NOT_UNDERSTOOD', 'en')}"
    assert is_gsm7(first) and segments(first) == 2 and first.count("112") == 2
    assert not is_gsm7(arabic) and segments(arabic) == 2 and "112" in arabic
    assert arabic == texts.for_language("LANGUAGE_NOT_UNDERSTOOD", "ar")
