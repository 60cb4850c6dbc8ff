"""The held-out crisis gate (docs/nlu.md, "Crisis taxonomy and held-out set"): on
tests/nlu/crisis_heldout.yml, which the phrase list is never tuned against, crisis recall must be
1.00 (any crisis category counts; a hopelessness-only match is a miss) and the false-alarm rate on
the hard negatives at most 3 %. The set covers every category x tense cell of the taxonomy with the
phrasing variants and is independent of the development set, the phrase list and the NLU data.
bench/crisis_heldout.py prints the same numbers per cell.

The English held-out set (tests/nlu/crisis_heldout_en.yml; docs/nlu.md, "English") is gated the
same way: recall 1.00 and false alarms <= 3 %, with every language's lists running, as for every
citizen message (a Danish list phrase may fire on English text, and an English frame may silence
it)."""
from collections import Counter
from types import SimpleNamespace

import pytest
import yaml

from bench.crisis_heldout import MAX_FALSE_ALARMS, MIN_RECALL, PHRASINGS, TENSES, Message, load, report, score
from bot.nlp import quality
from bot.safety.crisis import PHRASE_FILES, TAXONOMY

HELDOUT_FILES = {"da": quality.NLU_TESTS / "crisis_heldout.yml", "en": quality.NLU_TESTS / "crisis_heldout_en.yml"}
HELD_OUT = {language: load(path) for language, path in HELDOUT_FILES.items()}  # (crisis, negatives)
CRISIS, NEGATIVES = HELD_OUT["da"]
EN_CRISIS, EN_NEGATIVES = HELD_OUT["en"]
EN_PHRASINGS = ("first_person", "sms", "typos", "danish")  # danish: Danish words mixed in


@pytest.fixture(scope="module", params=list(HELDOUT_FILES))
def language(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def result(language):
    found = score(HELD_OUT[language])
    print("\n" + "\n".join(report(found, quiet=True)))
    return found


def test_crisis_recall_is_one(result, language):
    print(f"\n[{language}] held-out crisis recall {result.recall:.3f} ({len(result.crisis)} messages)")
    missed = [f"{m.category}/{m.tense}/{m.phrasing} batch {m.batch}: {m.text!r}"
              + (" (hopelessness only)" if m in result.hopelessness_only() else "") for m in result.misses()]
    assert result.recall >= MIN_RECALL, "missed:\n" + "\n".join(missed)


def test_false_alarms_at_most_three_percent(result, language):
    print(f"\n[{language}] held-out false alarms {result.false_alarm_rate:.3f} "
          f"({len(result.false_alarms())}/{len(result.negatives)})")
    alarms = [f"{m.category} batch {m.batch}: {m.text!r} -> {found}" for m, found in result.false_alarms()]
    assert result.false_alarm_rate <= MAX_FALSE_ALARMS, "false alarms:\n" + "\n".join(alarms)


def test_the_set_covers_every_cell_of_the_taxonomy():
    assert len(CRISIS) >= 300 and len(NEGATIVES) >= 300
    assert {m.category for m in CRISIS} == set(TAXONOMY)
    cells = Counter((m.category, m.tense) for m in CRISIS)
    thin = {cell: cells[cell] for cell in [(c, t) for c in TAXONOMY for t in TENSES] if cells[cell] < 10}
    assert not thin, f"cells with fewer than 10 held-out messages: {thin}"
    for category in TAXONOMY:
        assert {m.phrasing for m in CRISIS if m.category == category} == set(PHRASINGS), category
    assert {m.tense for m in CRISIS} == set(TENSES) and {m.phrasing for m in CRISIS} == set(PHRASINGS)


def test_the_set_is_independent_of_its_development_set_the_phrases_and_the_nlu_data(language):
    crisis, negatives = HELD_OUT[language]
    texts = [m.text for m in crisis + negatives]
    twice = [t for t, n in Counter(quality.near_copy_key(t) for t in texts).items() if n > 1]
    assert not twice, f"repeated in the [{language}] held-out set: {twice}"
    # Its own language's development set (the English set mixes in Danish words that the Danish
    # development set may hold), the NLU data, the other languages' held-out sets, every phrase file.
    elsewhere = {quality.near_copy_key(t) for _, t in quality.labelled(quality.crisis_file(language))}
    elsewhere |= {quality.near_copy_key(t) for _, t in quality.training_examples() + quality.heldout_examples()}
    elsewhere |= {quality.near_copy_key(m.text) for other, (c, n) in HELD_OUT.items() if other != language for m in c + n}
    for phrase_file in PHRASE_FILES:
        spec = yaml.safe_load(phrase_file.read_text(encoding="utf-8"))
        elsewhere |= {quality.near_copy_key(str(p)) for group in [*spec["categories"].values(), *spec["mentions"].values()]
                      for p in group or []}
    copies = [t for t in texts if quality.near_copy_key(t) in elsewhere]
    assert not copies, f"[{language}] held-out messages copied from the development set, phrase lists or NLU data: {copies}"


def test_moved_messages_left_the_held_out_set(language):
    # A message that revealed a miss or a kind of false alarm moves to the development set; it must
    # not stay behind (or the set would be tuned against).
    spec = yaml.safe_load(HELDOUT_FILES[language].read_text(encoding="utf-8"))
    moved = {quality.near_copy_key(str(t)) for b in spec["batches"] for t in b.get("moved_to_development") or []}
    development = {quality.near_copy_key(t) for _, t in quality.labelled(quality.crisis_file(language))}
    assert moved and moved <= development
    crisis, negatives = HELD_OUT[language]
    assert not moved & {quality.near_copy_key(m.text) for m in crisis + negatives}


# ---- English: its own coverage (the gates above run on both sets) --------------------------------

def test_the_english_set_covers_every_cell_of_the_taxonomy():
    assert len(EN_CRISIS) >= 150 and len(EN_NEGATIVES) >= 150
    assert {m.category for m in EN_CRISIS} == set(TAXONOMY)
    cells = Counter((m.category, m.tense) for m in EN_CRISIS)
    thin = {cell: cells[cell] for cell in [(c, t) for c in TAXONOMY for t in TENSES] if cells[cell] < 7}
    assert not thin, f"cells with fewer than 7 English held-out messages: {thin}"
    for category in TAXONOMY:
        assert {m.phrasing for m in EN_CRISIS if m.category == category} == set(EN_PHRASINGS), category
    assert len({m.category for m in EN_NEGATIVES}) >= 8  # idioms, medication, others' past, news, ...


# ---- the gate logic itself, on a detector fed in by hand ------------------------------------------

def _messages():
    crisis = [Message(1, "a", "violence", "has_done", "sms"), Message(1, "b", "farewell", "about_to", "english")]
    return crisis, [Message(1, "c", "idiom"), Message(1, "d", "news")]


def _match(category):
    return SimpleNamespace(category=category, phrase="p", words="w", is_crisis=category != "hopelessness")


def test_a_hopelessness_only_match_is_a_miss_reported_apart():
    found = score(_messages(), detect=lambda t: _match("violence") if t == "a" else None,
                  detect_hopelessness=lambda t: _match("hopelessness"))
    assert found.recall == 0.5 and [m.text for m in found.hopelessness_only()] == ["b"]
    assert found.false_alarm_rate == 0.0


def test_a_detector_that_fires_on_everything_fails_the_false_alarm_gate():
    found = score(_messages(), detect=lambda t: _match("suicide"), detect_hopelessness=lambda t: None)
    assert found.recall == 1.0 and found.false_alarm_rate == 1.0 > MAX_FALSE_ALARMS
