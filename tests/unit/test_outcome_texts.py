"""Every outcome question as the citizen gets it (docs/outcomes.md, "The conversation"): each
Step.text() of a full round and of each instrument asked alone, and the question again after an
unclear answer (utter_clarify_questionnaire with that step), pass the rules every citizen text
passes (tests/unit/test_responses.py): GSM-7, at most 2 SMS segments, LIX <= 25, "du"-form, and
say which digit means what. An English citizen's the same, in the instruments' English wording."""
import re

import pytest

from actions.outcomes import short_text
from bot.channels.sms import render_buttons
from bot.core import i18n
from bot.core.readability import lix
from bot.outcomes.instruments import FULL_ROUND, INSTRUMENTS, steps
from bot.sms.gsm import non_gsm_chars, segments
from tests.responses import DOMAIN
from tests.unit.test_responses import FORMAL, MAX_LIX

ROUNDS = [list(FULL_ROUND)] + [[code] for code in INSTRUMENTS]
STEPS = [step for codes in ROUNDS for step in steps(codes)]
IDS = [f"{step.instrument.code.value}-{step.item + 1}-of-{step.count}" for step in STEPS]
[CLARIFY] = DOMAIN["responses"]["utter_clarify_questionnaire"]


def clarify(step) -> str:
    return CLARIFY["text"].format(low=step.instrument.low, high=step.instrument.high, question_short=short_text(step))


def texts(step) -> list[str]:
    return [step.text(), clarify(step)]


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_gsm7_and_at_most_two_segments(step):
    for text in texts(step):
        assert not non_gsm_chars(text), f"not GSM-7: {non_gsm_chars(text)}: {text}"
        assert segments(text) <= 2, f"{segments(text)} segments: {text}"


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_lix_at_most_25_and_du_form(step):
    for text in texts(step):
        assert lix(text) <= MAX_LIX, f"LIX {lix(text):.1f} > {MAX_LIX}: {text}"
        assert not FORMAL.search(text), text


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_each_question_says_where_it_stands_and_what_each_digit_means(step):
    question = step.text()
    assert question.startswith(f"Spørgsmål {step.number} af {step.count}:")
    assert step.instrument.items[step.item] in question
    for text in texts(step):
        for digit, label in step.instrument.labels:
            assert f"\n{digit} {label}" in text, (digit, label, text)
    again = clarify(step)
    assert f"Svar med ét tal fra {step.instrument.low} til {step.instrument.high}." in again
    assert step.instrument.items[step.item] in again


def test_a_full_round_is_thirteen_questions_who5_first():
    round_steps = steps(list(FULL_ROUND))
    assert [s.number for s in round_steps] == list(range(1, 14))
    assert [s.instrument.code.value for s in round_steps[:5]] == ["who5"] * 5


@pytest.mark.parametrize("name, values", [
    ("utter_ask_questionnaire_start", {"count": 13}),
    ("utter_ask_questionnaire_again", {"count": 13}),
    ("utter_ask_questionnaire_resume", {"answered": 12, "count": 13}),
])
def test_the_invitations_with_a_full_round(name, values):
    [variant] = DOMAIN["responses"][name]
    text = render_buttons(variant["text"].format(**values), variant["buttons"])  # as the SMS sends it
    assert segments(text) <= 2 and not non_gsm_chars(text) and lix(text) <= MAX_LIX, text
    assert text.endswith("?\n1 JA\n2 NEJ\nSvar 1 eller 2.") and text.count("?") == 1


[CLARIFY_EN] = i18n.default_catalogue().responses("en")["utter_clarify_questionnaire"]
DANISH_WORDS = re.compile(r"\b(?:Spørgsmål|af|Svar|med|tal|tiden|jeg|dig|enig|uenig|Slet|meget)\b")


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_an_english_citizen_gets_each_question_in_english(step):
    """The instrument's English wording (bot/outcomes/instruments.py, translations), the same digits,
    GSM-7 and 2 SMS with the English clarify response; not a Danish word in it."""
    question = step.text("en")
    again = CLARIFY_EN["text"].format(low=step.instrument.low, high=step.instrument.high,
                                      question_short=short_text(step, "en"))
    wording, language = step.instrument.wording("en")
    assert language == "en" and question.startswith(f"Question {step.number} of {step.count}:\n")
    assert wording.items[step.item] in question and wording.items[step.item] in again
    for text in (question, again):
        assert not non_gsm_chars(text) and segments(text) <= 2, text
        assert not DANISH_WORDS.search(text), text
        for digit, label in wording.labels:
            assert f"\n{digit} {label}" in text, (digit, label, text)
    assert wording.question in question and wording.question not in again


def test_a_language_without_the_instruments_wording_gets_all_of_it_in_danish():
    step = steps(list(FULL_ROUND))[0]
    assert step.text("ar") == step.text() == step.text(None) and step.text().startswith("Spørgsmål 1 af 13:")
