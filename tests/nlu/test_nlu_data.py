"""The held-out sets are independent of the training data, so the NLU gates measure generalisation."""
from collections import Counter

import pytest
import yaml

from bot.checkins.answers import decide_colour
from bot.nlp import quality
from bot.safety.crisis import PHRASE_FILES
from tests.trackers import DOMAIN

TRAINING = {quality.near_copy_key(text): (intent, text) for intent, text in quality.training_examples()}
COLOUR_FILES = [quality.colours_file(language) for language in quality.LANGUAGES]
CRISIS_FILES = [quality.crisis_file(language) for language in quality.LANGUAGES]
HELDOUT = (
    [(f"{path.name} {i}", t) for path in quality.HELDOUT_FILES for i, t in quality.nlu_examples(path)]
    + [(f"{path.name} {c}", t) for path in COLOUR_FILES for c, t in quality.labelled(path)]
    + [(f"{path.name} {c}", t) for path in CRISIS_FILES for c, t in quality.labelled(path)]
)


def test_near_copy_key_ignores_case_spelling_punctuation_and_emoji():
    assert quality.near_copy_key("Det går GODT!! 😊") == quality.near_copy_key("det gaar godt")
    assert quality.near_copy_key("🔴") != quality.near_copy_key("🟢")
    assert quality.near_copy_key("ikke godt") != quality.near_copy_key("godt")


def _decided_without_nlu(where: str, text: str) -> bool:
    """A colour answer that decide_colour settles without NLU ("rød", "🔴", "ikke så godt") may
    repeat a training example without inflating any NLU score."""
    return where.startswith("colours") and decide_colour(text, None, 0.0) is not None


def test_no_held_out_example_copies_a_training_example():
    copies = [f"{where}: {text!r} = training {TRAINING[quality.near_copy_key(text)]}"
              for where, text in HELDOUT
              if quality.near_copy_key(text) in TRAINING and not _decided_without_nlu(where, text)]
    assert not copies, "held-out examples copied from data/nlu:\n" + "\n".join(copies)


@pytest.mark.parametrize("path", [*quality.HELDOUT_FILES, *COLOUR_FILES, *CRISIS_FILES], ids=lambda p: p.name)
def test_no_duplicates_inside_a_held_out_file(path):
    texts = [t for _, t in (quality.nlu_examples(path) if path in quality.HELDOUT_FILES else quality.labelled(path))]
    # Spelling variants ("rød", "roed") are distinct test cases here; only exact repeats are not.
    twice = [t for t, n in Counter(" ".join(t.lower().split()) for t in texts).items() if n > 1]
    assert not twice, f"{path.name}: {twice}"


@pytest.mark.parametrize("path", CRISIS_FILES, ids=lambda p: p.name)
def test_crisis_held_out_is_not_the_phrase_list_itself(path):
    phrases = set()
    for phrase_file in PHRASE_FILES:  # every language's list: a Danish list may hold English phrases
        spec = yaml.safe_load(phrase_file.read_text(encoding="utf-8"))
        phrases |= {quality.near_copy_key(str(p)) for ps in spec["categories"].values() for p in ps or []}
    copied = [t for _, t in quality.labelled(path) if quality.near_copy_key(t) in phrases]
    assert not copied, copied


@pytest.mark.parametrize("language", quality.LANGUAGES)
def test_every_trained_intent_is_measured_on_held_out_examples(language):
    # per language: an intent trained in English is measured on English held-out examples
    trained = {intent for path in sorted(quality.TRAINING.glob("*.yml")) if quality.language_of(path) == language
               for intent, _ in quality.nlu_examples(path)}
    held_out = Counter(intent for intent, _ in quality.heldout_examples(language))
    thin = {intent: held_out[intent] for intent in trained if held_out[intent] < 10}
    assert not thin, f"add {language} held-out examples to tests/nlu/heldout*.yml for {thin}"
    assert set(held_out) <= set(DOMAIN["intents"])


def test_english_training_data_is_in_its_own_files():
    # data/nlu/<flow>_en.yml is English, everything else Danish (quality.language_of, and the
    # vocabulary of bot/checkins/language.py reads the same file names)
    english = [path.name for path in quality.TRAINING.glob("*.yml") if quality.language_of(path) == "en"]
    assert {"checkin_en.yml", "contact_en.yml", "smalltalk_en.yml"} <= set(english)
