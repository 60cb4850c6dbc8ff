"""NLU quality gates, run by `make test` on the trained model in models/current.tar.gz (or the
model the NLU_MODEL environment variable names, to score a candidate before it replaces it):
intent macro-F1 >= 0.90 on the held-out sets; recall >= 0.98 for red colour answers (through
decide_colour, as the check-in decides them), contact requests and crisis language; crisis
messages not read as "stop". Every gate runs per language, on that language's held-out files
(heldout.yml, colours.yml, crisis.yml for Danish; heldout_en.yml, colours_en.yml, crisis_en.yml for
English; docs/nlu.md, "English"), with the same thresholds. Training uses fixed seeds (config.yml),
so the numbers repeat. A failure lists every miss."""
import asyncio

import pytest

from bot.checkins.answers import MOOD_COLOURS, decide_colour
from bot.nlp import quality
from bot.safety.crisis import detect


@pytest.fixture(scope="module")
def reports(agent) -> dict[str, quality.Report]:
    """One parse of every language's held-out texts, scored per language."""
    parses, _ = asyncio.run(quality.parse_all(agent, quality.texts_to_parse()))
    results = {language: quality.evaluate(parses, language=language) for language in quality.LANGUAGES}
    print("\n" + "\n".join(line for result in results.values() for line in result.lines()))
    return results


def _gate(report: quality.Report, message_start: str) -> None:
    failed = [f for f in quality.failures(report) if f.startswith(message_start)]
    assert not failed, f"[{report.language}] " + "\n".join(failed)


languages = pytest.mark.parametrize("language", quality.LANGUAGES)


def test_every_language_has_its_held_out_sets():
    assert quality.LANGUAGES[0] == quality.DEFAULT_LANGUAGE and "en" in quality.LANGUAGES
    for language in quality.LANGUAGES:
        assert quality.heldout_files(language), language
        assert quality.colours_file(language).exists(), language
        assert quality.crisis_file(language).exists(), language


# Each gate by the start of its failure message (quality.failures), with its own test id.
GATES = {
    "intent_macro_f1": "intent macro-F1",
    "contact_request_recall": "contact request recall",
    "red_colour_recall": "red colour recall",
    "crisis_recall": "crisis recall",
    "crisis_false_alarms": "crisis false-alarm",
    # "jeg vil ikke leve mere" must not end a check-in or a preparation as if it were "stop"
    "crisis_messages_are_not_read_as_stop": "crisis messages read as",
}


@languages
@pytest.mark.parametrize("gate", GATES)
def test_nlu_gate(reports, language, gate):
    _gate(reports[language], GATES[gate])


# ---- the gate logic itself, on predictions fed in by hand -----------------------------------------

_COLOUR_INTENT = {colour: intent for intent, colour in MOOD_COLOURS.items()}


def _perfect_parses() -> dict[str, quality.Parse]:
    parses = {text: quality.Parse(intent, 0.99) for intent, text in quality.heldout_examples()}
    for language in quality.LANGUAGES:
        for colour, text in quality.labelled(quality.colours_file(language)):
            parses[text] = quality.Parse(_COLOUR_INTENT[colour], 0.99)
    return parses


@languages
def test_gates_pass_on_right_answers(language):
    assert quality.failures(quality.evaluate(_perfect_parses(), detect, language)) == []


@languages
def test_gate_fails_on_missed_contact_requests_and_names_them(language):
    parses = _perfect_parses()
    missed = _just_too_many([t for i, t in quality.heldout_examples(language) if i == quality.CONTACT_INTENT])
    for text in missed:
        parses[text] = quality.Parse("greet", 0.95)
    for other in quality.LANGUAGES:
        if other != language:  # the other languages' gates do not see it
            assert quality.failures(quality.evaluate(parses, detect, other)) == [], other
    failed = quality.failures(quality.evaluate(parses, detect, language))
    assert len(failed) == 1 and failed[0].startswith("contact request recall")
    assert all(repr(text) in failed[0] for text in missed) and "greet" in failed[0]


def _just_too_many(texts: list[str], total: int | None = None) -> list[str]:
    """The fewest of `texts` to miss that take recall over `total` examples below the threshold."""
    return texts[:int((total or len(texts)) * (1 - quality.MIN_SAFETY_RECALL)) + 1]


def test_gate_fails_on_red_answers_decided_green():
    parses = _perfect_parses()
    red = [t for c, t in quality.labelled(quality.COLOURS) if c == "red"]
    free_text_red = [t for t in red if decide_colour(t, None, 0.0) is None]  # decided by NLU
    missed = _just_too_many(free_text_red, total=len(red))
    for text in missed:
        parses[text] = quality.Parse("mood_good", 0.97)
    failed = quality.failures(quality.evaluate(parses, detect))
    assert any(f.startswith("red colour recall") and repr(missed[0]) in f for f in failed)


def test_gate_fails_on_low_macro_f1():
    parses = {t: quality.Parse("out_of_scope", 0.9) for t in _perfect_parses()}
    failed = quality.failures(quality.evaluate(parses, detect))
    assert any(f.startswith("intent macro-F1") for f in failed)


def test_gate_fails_when_the_detector_misses_or_fires_on_everything():
    silent = quality.failures(quality.evaluate(_perfect_parses(), lambda text: None))
    assert any(f.startswith("crisis recall 0.000") for f in silent)
    always = quality.failures(quality.evaluate(_perfect_parses(), lambda text: detect("jeg vil dø")))
    assert any(f.startswith("crisis false-alarm rate") for f in always)


def test_gate_fails_when_crisis_messages_read_as_stop():
    parses = _perfect_parses()
    crisis = [t for c, t in quality.labelled(quality.CRISIS) if c in quality.CRISIS_CATEGORIES]
    # the stop gate counts the indirect messages too (quality.evaluate)
    measured = [t for c, t in quality.labelled(quality.CRISIS) if c in quality.CRISIS_CATEGORIES or c == "indirect"]
    for text in _just_too_many(crisis, total=len(measured)):
        parses[text] = quality.Parse(quality.STOP_INTENT, 0.99)
    failed = quality.failures(quality.evaluate(parses, detect))
    assert any(f.startswith("crisis messages read as") and repr(crisis[0]) in f for f in failed)
