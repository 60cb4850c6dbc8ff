"""English crisis language and hopelessness (docs/nlu.md, "English"): the English lists next to the
Danish ones, matched on a small English suffix rule, and every message checked against every
language's lists whatever the citizen's language setting. The held-out gate is
tests/nlu/test_crisis_heldout.py; these are the documented examples and the mechanism."""
import inspect
from pathlib import Path

import pytest
import yaml

from bot.safety import crisis
from bot.safety.crisis import (
    HOPELESSNESS,
    HOPELESSNESS_FILES,
    PHRASE_FILES,
    PHRASES,
    TAXONOMY,
    CrisisDetector,
    assess,
    detect,
    detect_hopelessness,
)

ENGLISH = Path(crisis.__file__).with_name("crisis_phrases_en.yml")
ENGLISH_HOPELESSNESS = Path(crisis.__file__).with_name("hopelessness_phrases_en.yml")


@pytest.mark.parametrize("text, category", [
    # the examples
    ("I want to kill myself", "suicide"),
    ("dont want to be here anymore", "suicide"),
    ("took all my pills", "acute_illness"),  # an overdose needs 112: "akut sygdom"
    ("he hits me", "violence"),
    ("cant breathe", "acute_illness"),
    ("chest pain", "acute_illness"),
    # inflections through the suffix rule and the listed irregular forms
    ("I tried to kill myself", "suicide"),
    ("he's been hitting me", "violence"),
    ("I cut myself again", "self_harm"),
    ("cutting myself", "self_harm"),
    ("I swallowed a whole bottle of tablets", "acute_illness"),
    ("my dad fell and he can't get up", "acute_illness"),
    # SMS: no apostrophes, typos, words written apart
    ("im going to kil my self", "suicide"),
    ("i want to dye", "suicide"),
    ("self-harming again", "self_harm"),
    ("i cant breath", "acute_illness"),
    # Danish words mixed in: both lists read every message
    ("jeg kan ikke mere, i want to die", "suicide"),
])
def test_english_crisis_language_is_found(text, category):
    match = detect(text)
    assert match is not None, text
    assert match.category == category, match


@pytest.mark.parametrize("text", [
    "this traffic is killing me",
    "I could kill for a coffee",
    "my phone died",
    "I'm dying to see you",
    "I nearly died laughing",
    "I'm going to jump in the shower",  # the Danish list's "going to jump", overruled by an English exclusion
    "my son beat me at chess again",  # a game frames it
    "my dad died of a heart attack ten years ago",  # long ago, someone else
    "I read about a suicide in the newspaper",  # news
    "I took my pills this morning",
    "I have to take all these tablets with food",  # medicine as prescribed
    "I cut my hair myself",
    "bye, see you on Tuesday",
    "",
])
def test_everyday_english_does_not_fire(text):
    assert detect(text) is None, detect(text)


def test_negation_is_not_undone_in_english_either():
    assert detect("I don't want to kill myself") is not None  # the coordinator judges


def test_the_same_phrase_alerts_without_its_frame():
    assert detect("he is going to kill me") is not None
    assert detect("my brother tried to kill himself last night") is not None
    assert detect("my brother tried to kill himself years ago but he's fine now") is None


@pytest.mark.parametrize("text", [
    "i cant go on", "I can't do this anymore", "I give up", "i just cant take it anymore", "whats the point",
    "what's the point of trying", "nothing matters anymore", "i feel hopeless", "im done", "I'm done.",
    "ive had enough", "I've given up on everything", "i cant cope anymore", "no hope left", "i've lost all hope",
    "i cant go on im so tired",
])
def test_english_hopelessness_is_found(text):
    match = assess(text)
    assert match is not None and match.category == HOPELESSNESS, (text, match)
    assert detect(text) is None, detect(text)  # hopelessness, not crisis language


@pytest.mark.parametrize("text", [
    "stop", "no more questions", "that's enough for today", "I'm done for today", "I'm done now",
    "I give up smoking", "I can't go on the bus today", "I gave up on the crossword",
    "I'm done with the washing up", "what's the point of the meeting?", "I can't take the bus",
])
def test_stopping_a_form_and_everyday_english_are_not_hopelessness(text):
    assert detect_hopelessness(text) is None, detect_hopelessness(text)


def test_crisis_wins_over_hopelessness_in_english():
    match = assess("I give up, I want to kill myself")
    assert match.is_crisis and match.category == "suicide"
    assert assess("I give up").category == HOPELESSNESS


def test_every_language_file_is_read_danish_first():
    assert PHRASE_FILES[0] == PHRASES and ENGLISH in PHRASE_FILES
    assert ENGLISH_HOPELESSNESS in HOPELESSNESS_FILES
    assert len(crisis.detectors()) == len(PHRASE_FILES)
    assert len(crisis.hopelessness_detectors()) == len(HOPELESSNESS_FILES)


def test_the_english_list_has_the_danish_taxonomy_and_alert_categories():
    english = yaml.safe_load(ENGLISH.read_text(encoding="utf-8"))
    danish = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    assert tuple(english["categories"]) == TAXONOMY
    assert english["alert_categories"] == danish["alert_categories"]
    assert set(english["mentions"]) <= set(TAXONOMY) and set(english["category_frames"]) <= set(TAXONOMY)


def test_no_language_setting_switches_detection_off():
    # The detector has no language to be told: every message is read against every language's lists
    # (the gate with a citizen's language set: tests/channels/test_language_gate.py).
    for check in (detect, detect_hopelessness, assess):
        assert list(inspect.signature(check).parameters) == ["text"], check
    assert detect("jeg vil ikke leve mere") is not None and detect("I don't want to live") is not None


@pytest.mark.parametrize("forms, stem", [
    (["kill", "kills", "killed", "killing"], "kill"),
    (["choke", "chokes", "choked", "choking"], "chok"),
    (["try", "tries", "tried", "trying"], "try"),
    (["cut", "cuts", "cutting"], "cut"),
    (["stab", "stabbed", "stabbing"], "stab"),
    (["overdose", "overdosed", "overdosing"], "overdos"),
    (["breathe", "breathing"], "breath"),
    (["die", "dies", "died"], "di"),
])
def test_the_suffix_rule_lets_inflections_meet(forms, stem):
    assert {crisis._english_stem(form) for form in forms} == {stem}


@pytest.mark.parametrize("lemmatizer", ["suffixes", "none"])
def test_a_new_language_is_a_file(tmp_path, lemmatizer):
    # "a third language by adding files" (docs/nlu.md, "English"): a list with the suffix rule, or
    # with words as written (`lemmatizer: none`), needs no code; the module reads every
    # crisis_phrases*.yml next to crisis.py the same way.
    listed = tmp_path / "crisis_phrases_xx.yml"
    listed.write_text(yaml.safe_dump({
        "version": 1, "language": "xx", "lemmatizer": lemmatizer,
        "categories": {"suicidal_thoughts": ["morir quiero"], "violence": ["golpea me"]},
        "exclusions": ["golpea me en el juego"],
    }), encoding="utf-8")
    found = CrisisDetector(listed)
    assert found.detect("morir quiero hoy").kind == "suicidal_thoughts"
    assert found.detect("golpea me") is not None and found.detect("golpea me en el juego") is None
