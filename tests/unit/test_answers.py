import pytest

from bot.checkins.answers import (
    decide_colour,
    is_skip,
    is_stop,
    parse_areas,
    parse_colour,
    parse_colour_sequence,
    parse_yes_no,
)
from bot.checkins.ordinary_words import generate, ordinary_words
from bot.checkins.programmes import get_programme


@pytest.mark.parametrize(
    "text, colour",
    [
        ("grøn", "green"), ("GRØN", "green"), ("groen", "green"), ("gron", "green"), ("grönt", "green"),
        ("grønn", "green"), ("det er grønt i dag", "green"), ("🟢", "green"), ("💚", "green"), ("1", "green"),
        ("gul", "yellow"), ("Gult", "yellow"), ("guul", "yellow"), ("🟡", "yellow"), ("2", "yellow"),
        ("rød", "red"), ("roed", "red"), ("rod", "red"), ("RØDT!!", "red"), ("🔴", "red"), ("3", "red"),
        ("rødd", "red"), ("red", "red"), ("røøød", "red"), ("guuul", "yellow"), ("grøøøn", "green"),
        ("green", "green"), ("GREEN", "green"), ("yellow", "yellow"),
    ],
)
def test_colour_words_emoji_digits_and_typos(text, colour):
    assert parse_colour(text) == colour


@pytest.mark.parametrize(
    "text",
    ["hej", "det ved jeg ikke", "gul i dag men rød i går", "ikke rød", "4", "", "🟢🔴", "12"],
)
def test_unclear_answers_are_not_guessed(text):
    assert parse_colour(text) is None


@pytest.mark.parametrize("text", [
    "jeg troede det gik godt", "det var sødt af dig", "har været til møde i dag", "jeg er faldet på gulvet",
    "det er rent og pænt her", "vi skal rode i haven i dag", "min mor er født i 1950", "jeg er vred på ham",
])
def test_ordinary_words_in_a_sentence_are_not_colours(text):
    # Loose spellings and typos only count in a short answer: these words are near a colour word.
    assert parse_colour(text) is None


def test_loose_spellings_count_in_a_short_answer():
    assert parse_colour("gron tak") == "green" and parse_colour("rod i dag") == "red"
    assert parse_colour("det er groent i dag") == "green"  # exact, only æøå spelled out


def test_digits_only_count_as_a_whole_answer():
    assert parse_colour("jeg har 3 børn") is None


def test_colour_sequence_for_the_full_shape():
    assert parse_colour_sequence("grøn gul rød grøn grøn", 5) == ["green", "yellow", "red", "green", "green"]
    assert parse_colour_sequence("grøn gul", 5) is None
    assert parse_colour_sequence("grøn gul hej grøn grøn", 5) is None


def test_areas_by_number_and_words_in_the_citizens_order():
    p = get_programme("standard")
    assert parse_areas("5 og 1", p) == ["oekonomi", "krop"]
    assert parse_areas("penge og ondt", p) == ["oekonomi", "krop"]
    assert parse_areas("oekonomi", p) == ["oekonomi"]
    assert parse_areas("det hele", p) == [a.key for a in p.areas]
    assert parse_areas("9", p) == []
    assert parse_areas("ved ikke", p) == []


@pytest.mark.parametrize("text, answer", [("ja", True), ("Ja tak", True), ("jo", True), ("👍", True),
                                          ("nej", False), ("Nej tak", False), ("nope", False),
                                          ("måske", None), ("", None)])
def test_yes_no(text, answer):
    assert parse_yes_no(text) is answer


@pytest.mark.parametrize("text", ["stop", "STOP", "det er nok for i dag", "Det er nok", "ikke mere", "slut", "PAUSE", "pause."])
def test_stop(text):
    assert is_stop(text)


@pytest.mark.parametrize("text", ["rød", "jeg stopper med medicinen", "ja"])
def test_not_stop(text):
    assert not is_stop(text)


def test_skip():
    assert is_skip("spring over") and is_skip("Spring over.") and not is_skip("rød")


def test_inflected_area_words():
    p = get_programme("standard")
    assert parse_areas("pengene", p) == ["oekonomi"]
    assert parse_areas("familien og oekonomien", p) == ["netvaerk", "oekonomi"]


@pytest.mark.parametrize(
    "text, intent, confidence, colour",
    [
        ("rød", "out_of_scope", 0.99, "red"),  # a named colour wins over NLU
        ("🔴", None, 0.0, "red"),
        ("det går ad h til", "mood_bad", 0.93, "red"),
        ("sådan da", "mood_okay", 0.88, "yellow"),
        ("fint nok", "mood_good", 0.95, "green"),
        ("gul i dag men rød i går", "mood_bad", 0.9, "yellow"),  # the clause that says now
        ("rød i går, grøn nu", None, 0.0, "green"),
        ("gul eller rød", "mood_bad", 0.9, None),  # several colours, none tied to now
        ("ikke rød", "mood_good", 0.9, None),  # a negated colour is not overridden by NLU
        ("ikke så godt", "mood_good", 0.95, "red"),  # negation decides, whatever NLU says
        ("ikk s godt", "mood_okay", 0.95, "red"),
        ("jeg har ikke haft det godt", "mood_okay", 0.98, "red"),
        ("ikke særlig fint i dag", None, 0.0, "red"),
        ("ikke helt godt", "mood_good", 0.95, None),  # softened: NLU decides, but never green
        ("ikke helt godt", "mood_okay", 0.9, "yellow"),
        ("ikke godt, ikke skidt", "mood_okay", 0.9, "yellow"),  # balanced: NLU decides
        ("ikke så dårligt", "mood_okay", 0.9, "yellow"),
        ("jeg ved ikke om det går godt eller skidt", "nlu_fallback", 0.5, None),
        ("mjah", "mood_okay", 0.6, None),  # not confident
        ("jeg har det bare ikke godt", "mood_bad", 0.58, "red"),  # red takes NLU's top intent
        ("tjah", "mood_okay", 0.75, "yellow"),
        ("det kører vel", "mood_good", 0.8, None),  # green needs more confidence than the others
        ("det kører", "mood_good", 0.92, "green"),
        ("hvem ved", "nlu_fallback", 0.5, None),
        ("ja", "affirm", 0.99, None),
    ],
)
def test_decide_colour(text, intent, confidence, colour):
    assert decide_colour(text, intent, confidence) == colour


@pytest.mark.parametrize("text", ["forbered mit møde", "møde", "mødet i går", "gulv", "rent", "det er rodet", "guld"])
def test_ordinary_words_near_a_colour_are_not_colours(text):
    assert parse_colour(text) is None


@pytest.mark.parametrize("text, colour", [("grønn", "green"), ("guul", "yellow"), ("rødd", "red"), ("rod", "red"),
                                          ("gron", "green"), ("gulligt", "yellow")])
def test_typos_and_colour_words_still_count(text, colour):
    assert parse_colour(text) == colour


def test_the_committed_list_of_ordinary_words_is_current():
    """Regenerated from spaCy's Danish lookup table with today's colour lexicon (make the list
    again with `python -m bot.checkins.ordinary_words` when this fails)."""
    assert generate() == sorted(ordinary_words())
