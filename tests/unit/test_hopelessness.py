"""Hopelessness, the lower level of the crisis detector (docs/nlu.md, "Hopelessness"): giving up, not
being able to go on, everything being meaningless are found everywhere; "stop the form" words and
ordinary sentences with the same words are not. Crisis language wins when both match."""
import pytest
import yaml

from bot.safety.crisis import (
    CATEGORIES,
    HOPELESSNESS,
    HOPELESSNESS_PHRASES,
    assess,
    detect,
    detect_hopelessness,
    hopelessness_detector,
)

# The documented positives (docs/nlu.md): each must get the kind reply and an alert (a crisis match
# counts too: it is the higher level, with the urgent alert).
POSITIVES = [
    # the examples
    "jeg orker ikke mere",
    "jeg kan ikke mere",
    "jeg gider ikke mere",
    "jeg giver op",
    "det hele er lige meget",
    "det er lige meget med det hele",
    "der er ingen mening med noget",
    "intet giver mening",
    "jeg vil bare sove og ikke vågne",
    "jeg vil ikke vågne op",
    "jeg magter ikke mere",
    "jeg kan ikke klare det mere",
    "hvad er meningen",
    "jeg er færdig",
    "jeg har opgivet",
    "det er lige meget med det hele, jeg gider ikke mere",
    # as an answer at a form's question
    "orker ikke mere",
    "rød. kan ikke mere",
    "gul, jeg er helt færdig",
    # fillers, word order, qualifiers
    "jeg kan bare ikke mere",
    "jeg kan snart ikke mere",
    "jeg kan ikke rigtig mere",
    "nu orker jeg ikke mere",
    "jeg orker det ikke mere",
    "jeg orker ikke mere i dag",
    "jeg kan ikke mere i dag",
    "jeg kan ikke mere lige nu",
    "jeg kan ikke noget mere",
    "jeg kan ikke mere jeg er så træt",
    "jeg kan ikke mere!!",
    "jeg kan ikke mere 😢",
    "jeg er helt færdig",
    "jeg giver snart op",
    "nu giver jeg op",
    "jeg har lyst til at give op",
    "jeg har givet op på det hele",
    "jeg har opgivet mig selv",
    "jeg har opgivet at få det bedre",
    "jeg kan ikke holde det ud",
    "jeg kan ikke klare mere",
    "jeg har ingen kræfter tilbage",
    "jeg er så træt af det hele",
    "jeg har mistet håbet",
    "der er intet håb",
    "jeg kan ikke se nogen udvej",
    "jeg ser ingen fremtid",
    "det bliver aldrig bedre",
    "alt er lige meget",
    "livet giver ingen mening",
    "ingenting giver nogen mening længere",
    "hvad er meningen med det hele?",
    "det hele er meningsløst",
    "jeg er ligeglad med alt",
    # typos, no æøå, text-speak
    "jeg ka ik mer",
    "jeg orker ik mer",
    "jeg gidder ikke mere",
    "jeg magter ikke mer",
    "jeg er faerdig",
    "det hele er ligemeget",
    "det hele er ligegyldigt",
    "intet giver meningn",
    "hvad er meningen med livet",
]

# The documented negatives (docs/nlu.md): stop words pause a form quietly; the same words in
# ordinary sentences are not hopelessness.
NEGATIVES = [
    # stop the form
    "stop",
    "STOP",
    "ikke mere",
    "det er nok for i dag",
    "PAUSE",
    "slut",
    "jeg vil ikke mere",
    "jeg er færdig nu",
    "jeg er færdig for i dag",
    "orker ikke flere spørgsmål",
    "jeg orker ikke at svare nu",
    "jeg gider ikke svare på flere spørgsmål",
    # the same words, an ordinary meaning
    "jeg kan ikke komme på mandag",
    "jeg gider ikke møder om morgenen",
    "jeg gider ikke møder mere",
    "jeg er færdig med opvasken",
    "jeg er dødtræt",
    "det er lige meget hvornår",
    "det er lige meget",
    "jeg er ligeglad",
    "jeg kan ikke mere i dag end det her",
    "jeg kan ikke mere end det",
    "jeg kan ikke huske mere",
    "jeg kan ikke spise mere",
    "jeg kan ikke længere gå på trapper",
    "jeg orker ikke lange ture",
    "jeg har opgivet at finde mine nøgler",
    "jeg giver ikke op",
    "det giver ingen mening at mødes kl 8",
    "intet af det giver mening i brevet",
    "hvad er meningen med mødet",
    "det er lige meget med alt det der",
    "jeg havde ikke håbet på så godt et resultat",
    "jeg har det skidt i dag",
    "jeg kan ikke sove om natten",
    "jeg kunne ikke vågne i morges",
    "det regner, jeg giver ikke op på gåturen",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_hopelessness_is_found(text):
    assert assess(text) is not None, text


@pytest.mark.parametrize("text", NEGATIVES)
def test_stop_words_and_ordinary_sentences_do_not_fire(text):
    assert assess(text) is None, assess(text)


def test_recall_and_false_alarms():
    found = [assess(t) is not None for t in POSITIVES]
    alarms = [t for t in NEGATIVES if assess(t) is not None]
    assert sum(found) / len(found) == 1.0
    assert alarms == []


def test_crisis_wins_when_both_match():
    text = "jeg kan ikke mere, jeg vil ikke leve mere"
    assert detect_hopelessness(text) is not None
    match = assess(text)
    assert match.category == "suicide" and match.is_crisis


def test_a_hopelessness_match_is_not_crisis_language():
    match = assess("jeg orker ikke mere")
    assert match.category == HOPELESSNESS and not match.is_crisis
    assert detect("jeg orker ikke mere") is None  # the crisis gate's numbers are unchanged


def test_sleeping_and_not_waking_is_crisis_language():
    # Same thought as the crisis list's "falde i søvn og ikke vågne": the urgent level.
    assert assess("jeg vil bare sove og ikke vågne").category == "suicide"
    assert assess("jeg vil ikke vågne op").category == "suicide"


def test_only_gap_words_stand_between_phrase_words():
    assert detect_hopelessness("jeg kan altså ikke mere") is not None
    assert detect_hopelessness("jeg kan ikke spise mere") is None
    assert detect_hopelessness("jeg gider simpelthen ikke mere") is not None
    assert detect_hopelessness("jeg gider ikke kaffe mere") is None


def test_an_end_phrase_needs_the_thought_to_end():
    assert detect_hopelessness("jeg giver op") is not None
    assert detect_hopelessness("jeg giver op, det er for meget") is not None
    assert detect_hopelessness("jeg giver op det hele er noget lort") is not None  # no punctuation
    assert detect_hopelessness("jeg giver op med krydsordet") is None
    assert detect_hopelessness("jeg kan ikke mere i dag") is not None
    assert detect_hopelessness("jeg kan ikke mere i dag end det her") is None


def test_no_match_across_a_sentence_end():
    assert detect_hopelessness("Jeg kan ikke. Mere kaffe?") is None


def test_phrase_file_compiles():
    spec = yaml.safe_load(HOPELESSNESS_PHRASES.read_text(encoding="utf-8"))
    assert list(spec["categories"]) == [HOPELESSNESS] and HOPELESSNESS not in CATEGORIES
    assert len(hopelessness_detector()._phrases) == len(spec["categories"][HOPELESSNESS])
    assert all(p.words for p in hopelessness_detector()._phrases)
