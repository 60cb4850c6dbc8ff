"""The crisis-language detector: lemmatised, æøå-insensitive, typo-tolerant matching
of the reviewed phrase list; a miss is worse than a false alarm, but everyday sentences pass."""
import pytest
import yaml

from bot.safety.crisis import CATEGORIES, PHRASES, TAXONOMY, CrisisMatch, detect, detector


@pytest.mark.parametrize("text, category", [
    # the examples
    ("jeg vil ikke leve mere", "suicide"),
    ("Jeg vil tage mit eget liv.", "suicide"),
    ("nogle gange vil jeg bare gøre en ende på det", "suicide"),
    ("jeg har lyst til at skade mig selv", "self_harm"),
    ("han slår mig", "violence"),
    ("jeg har brystsmerter", "acute_illness"),
    ("jeg kan ikke få vejret", "acute_illness"),
    # inflections through the lemmatizer
    ("min mand slog mig i går", "violence"),
    ("jeg er blevet slået", "violence"),
    ("jeg har skadet mig selv igen", "self_harm"),
    ("jeg tænkte på at tage livet af mig", "suicide"),
    ("jeg har selvmordstanker", "suicide"),  # compound
    # no æøå, typos, text-speak
    ("gore en ende paa det", "suicide"),
    ("jeg vil ik leve mer", "suicide"),
    ("han slaar mig", "violence"),
    ("selvmor", "suicide"),
    ("brystsmærter", "acute_illness"),
    ("kan ikke faa vejret", "acute_illness"),
    ("jeg har lyst til og dø", "suicide"),  # "og" for "at"
    # words between the phrase words
    ("jeg vil faktisk slet ikke leve længere", "suicide"),
    # the most specific phrase wins
    ("jeg slår mig selv ihjel", "suicide"),
])
def test_crisis_language_is_found(text, category):
    match = detect(text)
    assert match is not None, text
    assert match.category == category, match


@pytest.mark.parametrize("text", [
    "jeg slår græsset",
    "det går ad helvede til med økonomien",
    "jeg slog mig på bordet",  # an exclusion
    "det slog mig at mødet var i dag",
    "vi slår tiden ihjel med kortspil",
    "jeg var ved at dø af grin",
    "min telefon er død",
    "jeg skal have taget en blodprøve",  # not a typo of "blodprop"
    "det regner voldsomt",  # "voldsom" is not "vold"
    "jeg skar mig i fingeren da jeg lavede mad",  # "mig" does not match "jeg"
    "jeg orker ikke mere i dag",  # exhaustion alone is a red check-in, not a crisis
    "jeg har det skidt",
    "",
])
def test_everyday_sentences_do_not_fire(text):
    assert detect(text) is None, detect(text)


def test_exclusions_only_cover_their_own_words():
    # "jeg slog mig" is everyday, but not when someone else is the one hitting
    assert detect("jeg tror han slår mig") is not None
    # and an exclusion does not hide a longer self-harm phrase around it
    assert detect("jeg slår mig selv").category == "self_harm"


def test_no_match_across_a_sentence_end():
    assert detect("Jeg vil ikke. Leve med det her er svært") is None


def test_match_says_what_matched_for_the_coordinator():
    match = detect("Hej. Han slog mig igen i aftes.")
    assert match == CrisisMatch(category="violence", phrase="slå|slår|slog mig", words="slog mig", kind="violence")


def test_negation_is_not_undone():
    # Deliberate: a mention alerts and the coordinator judges (docs/nlu.md).
    assert detect("jeg tænker ikke på selvmord") is not None


def test_phrase_list_is_the_taxonomy_and_compiles():
    spec = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    assert tuple(spec["categories"]) == TAXONOMY
    assert all(spec["categories"][c] for c in TAXONOMY)
    # every taxonomy category raises one of the alert reasons bot/safety/alerting.py names
    assert set(spec["alert_categories"]) == set(TAXONOMY) and set(spec["alert_categories"].values()) == set(CATEGORIES)
    mentions = spec.get("mentions") or {}
    assert set(mentions) <= set(TAXONOMY)
    assert len(detector()._phrases) == sum(len(v) for v in [*spec["categories"].values(), *mentions.values()])
    # a set name that is not defined would silently become a literal word nobody writes
    names = set(spec["sets"])
    written = {alt for group in [*spec["categories"].values(), *mentions.values(), spec["exclusions"], spec["frames"]]
               for p in group for word in str(p).split() for alt in word.split("|")}
    assert not {w for w in written if w.isupper() and len(w) > 1 and w.isalpha() and w not in names}  # "I" is "you"
