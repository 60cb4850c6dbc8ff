"""Our LIX is Björnsson's formula; textstat agrees except on one- and two-word sentences."""
import pytest
import textstat

from bot.core.readability import lix


def test_lix_by_hand():
    # 13 words, 2 sentences, 2 long words ("koordinator", "spørgsmål"): 13/2 + 100*2/13 = 21.9
    assert lix("Skriv til din koordinator, hvis du vil. Du kan stille alle dine spørgsmål.") == pytest.approx(
        13 / 2 + 100 * 2 / 13)


@pytest.mark.parametrize("text", [
    "Hvordan går det lige nu? Svar med et af de tre ord.",
    "Din koordinator ringer til dig i morgen formiddag. Du skal ikke gøre noget.",
    "Her kan du sige, hvordan det går, mellem dine møder.",
])
def test_same_as_textstat_when_every_sentence_has_three_or_more_words(text):
    assert lix(text) == pytest.approx(textstat.lix(text), abs=0.01)


def test_short_sentences_count_here_but_not_in_textstat():
    text = "Hej. Skriv bare, når du vil."
    assert lix(text) == pytest.approx(6 / 2)  # 6 words, 2 sentences, no long words
    assert textstat.lix(text) == pytest.approx(6 / 1)  # "Hej." is not counted as a sentence


def test_long_words_count_letters_not_punctuation():
    assert lix("Ringer.") == pytest.approx(1 + 0)  # 6 letters: not long
    assert lix("Ringede.") == pytest.approx(1 + 100)
