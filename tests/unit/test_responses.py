"""Lint over every citizen-facing text: GSM-7, at most 2 SMS segments, LIX <= 25, "du"-form, and a
fallback that never dead-ends. A question with buttons is checked as the SMS sends it too (its text,
the options numbered and "Svar 1, 2 eller 3."), in Danish and in English: one question, its options
stated once."""
import re
from datetime import date

import pytest

from bot.core import texts
from bot.core.readability import _SENTENCE_END, _WORD, lix
from bot.db.models import Agreement
from bot.meetings.agreements import agreement_list
from bot.meetings.preparation import summary_text
from bot.sms.gsm import non_gsm_chars, segments
from tests.responses import DOMAIN, EN_VALUES, PLACEHOLDER_VALUES, button_texts, sms_texts

TEXTS = sms_texts()
# LIX of whole messages: a part ("Vigtigst", bot/core/texts.py PARTS) is read in its message
# (test_messages_with_their_parts_filled_in).
WORDING = [(name, text) for name, text in sms_texts(PLACEHOLDER_VALUES)
           if name.removeprefix("bot.core.texts.") not in texts.PARTS]
# Every response with buttons as the SMS sends it: (language, name, with long values, with placeholders as "X").
BUTTONS = [("da", name, text, wording) for (name, text), (_, wording)
           in zip(button_texts("da"), button_texts("da", PLACEHOLDER_VALUES))] + [
          ("en", name, text, wording) for (name, text), (_, wording)
           in zip(button_texts("en", EN_VALUES), button_texts("en", PLACEHOLDER_VALUES))]
# JA or a correction in the citizen's own words, after the summary of their answers: not fixed
# options, and with the summary the numbered options would not fit 2 SMS (docs/nlu.md, "Buttons and digits").
JA_OR_WORDS = {"utter_ask_prep_confirm"}
MAX_SENTENCE_WORDS = 15  # English: short sentences instead of LIX (tests/unit/test_i18n_catalogues.py)
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


@pytest.mark.parametrize("language, name, text, wording", BUTTONS, ids=[f"{c}-{n}" for c, n, _, _ in BUTTONS])
def test_questions_with_buttons_as_the_sms_sends_them(language, name, text, wording):
    assert not non_gsm_chars(text), f"{language} {name}: not GSM-7: {non_gsm_chars(text)}"
    assert segments(text) <= 2, f"{language} {name}: {segments(text)} segments with the options: {text}"
    if language == "da":
        assert lix(wording) <= MAX_LIX, f"{name}: LIX {lix(wording):.1f} > {MAX_LIX}: {wording}"
    else:
        longest = max(len(_WORD.findall(s)) for s in _SENTENCE_END.split(wording) if s.strip())
        assert longest <= MAX_SENTENCE_WORDS, f"{name}: a sentence of {longest} words: {wording}"
    assert wording.count("?") == 1, f"{language} {name}: one question per message: {wording}"
    # The options once: the numbered lines and the one "Svar 1 eller 2." the channel adds, no
    # "Svar JA eller NEJ." of the text's own before them.
    answer = "Svar" if language == "da" else "Reply"
    assert wording.count(f"{answer} ") == 1 and wording.endswith("."), f"{language} {name}: {wording}"
    lines = wording.split("\n")
    numbered = [line for line in lines if re.fullmatch(r"\d [A-ZÆØÅ' ]+", line)]
    assert len(numbered) >= 2 and lines[-1].startswith(f"{answer} 1"), f"{language} {name}: {wording}"


def test_every_question_with_fixed_options_has_buttons():
    """A text that asks for JA/NEJ (or a colour) in words has buttons, so no such question is missed."""
    asks_in_words = re.compile(r"\bSvar (?:JA|GRØN|1 for)\b")
    without = [name for name, variants in DOMAIN["responses"].items() for v in variants
               if asks_in_words.search(v["text"]) and not v.get("buttons") and name not in JA_OR_WORDS]
    assert not without, f"questions with fixed options stated in words but no buttons: {without}"
    for name, variants in DOMAIN["responses"].items():
        for v in variants:
            for button in v.get("buttons") or []:
                assert button["payload"] == button["title"] and not button["payload"].startswith("/"), name


def test_lint_catches_bad_texts():
    assert lix("Koordinationsmødet afholdes tirsdag på rådhusets mødelokale.") > MAX_LIX
    assert FORMAL.search("Kontakt Deres koordinator.") and not FORMAL.search("De kommer i morgen".lower())


def _filled(name: str, **values) -> list[str]:
    return [variant["text"].format(**{**PLACEHOLDER_VALUES, **values}) for variant in DOMAIN["responses"][name]]


def test_messages_with_their_parts_filled_in():
    """The parts of bot/core/texts.py (PARTS) read in the Danish messages they go into, with
    everyday answers: LIX <= 25 as every message."""
    summary = summary_text({"topics": ["min ryg", "penge"], "avoid": "min mor", "attendees": "Lise",
                            "practical": "en tolk"})
    agreements = agreement_list([Agreement(what="ringer til lægen", who="Du", owner_is_citizen=True,
                                           due_date=date(2026, 12, 24))], 240)
    recap = texts.TOPIC_RECAP.format(topic="min ryg") + " "
    messages = (_filled("utter_ask_prep_confirm", summary=summary)
                + _filled("utter_ask_prep_confirm", summary=summary_text({}))
                + _filled("utter_agreements_list", agreements=agreements)
                + _filled("utter_appointment_reminder_confirmed", recap=recap)
                + [text for again in (texts.AGAIN_LATER_TODAY, texts.AGAIN_TOMORROW, texts.AGAIN_IN_DAYS.format(days=3))
                   for text in _filled("utter_questionnaire_later", again=again)])
    for text in messages:
        assert lix(text) <= MAX_LIX, f"LIX {lix(text):.1f} > {MAX_LIX}: {text}"
