"""The held-out sets are independent of the training data, so the NLU gates measure generalisation."""
from collections import Counter

import pytest
import yaml

from bot.checkins.answers import decide_colour
from bot.nlp import quality
from bot.safety.crisis import PHRASES
from tests.trackers import DOMAIN

TRAINING = {quality.near_copy_key(text): (intent, text) for intent, text in quality.training_examples()}
HELDOUT = (
    [(f"{path.name} {i}", t) for path in quality.HELDOUT_FILES for i, t in quality.nlu_examples(path)]
    + [(f"colours.yml {c}", t) for c, t in quality.labelled(quality.COLOURS)]
    + [(f"crisis.yml {c}", t) for c, t in quality.labelled(quality.CRISIS)]
)


def test_near_copy_key_ignores_case_spelling_punctuation_and_emoji():
    assert quality.near_copy_key("Det går GODT!! 😊") == quality.near_copy_key("det gaar godt")
    assert quality.near_copy_key("🔴") != quality.near_copy_key("🟢")
    assert quality.near_copy_key("ikke godt") != quality.near_copy_key("godt")


def _decided_without_nlu(where: str, text: str) -> bool:
    """A colour answer that decide_colour settles without NLU ("rød", "🔴", "ikke så godt") may
    repeat a training example without inflating any NLU score."""
    return where.startswith("colours.yml") and decide_colour(text, None, 0.0) is not None


def test_no_held_out_example_copies_a_training_example():
    copies = [f"{where}: {text!r} = training {TRAINING[quality.near_copy_key(text)]}"
              for where, text in HELDOUT
              if quality.near_copy_key(text) in TRAINING and not _decided_without_nlu(where, text)]
    assert not copies, "held-out examples copied from data/nlu:\n" + "\n".join(copies)


@pytest.mark.parametrize("path", [*quality.HELDOUT_FILES, quality.COLOURS, quality.CRISIS], ids=lambda p: p.name)
def test_no_duplicates_inside_a_held_out_file(path):
    texts = [t for _, t in (quality.nlu_examples(path) if path in quality.HELDOUT_FILES else quality.labelled(path))]
    # Spelling variants ("rød", "roed") are distinct test cases here; only exact repeats are not.
    twice = [t for t, n in Counter(" ".join(t.lower().split()) for t in texts).items() if n > 1]
    assert not twice, f"{path.name}: {twice}"


def test_crisis_held_out_is_not_the_phrase_list_itself():
    spec = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    phrases = {quality.near_copy_key(str(p)) for ps in spec["categories"].values() for p in ps}
    copied = [t for _, t in quality.labelled(quality.CRISIS) if quality.near_copy_key(t) in phrases]
    assert not copied, copied


def test_every_trained_intent_is_measured_on_held_out_examples():
    trained = {intent for intent, _ in quality.training_examples()}
    held_out = Counter(intent for intent, _ in quality.heldout_examples())
    thin = {intent: held_out[intent] for intent in trained if held_out[intent] < 10}
    assert not thin, f"add held-out examples to tests/nlu/heldout*.yml for {thin}"
    assert set(held_out) <= set(DOMAIN["intents"])
