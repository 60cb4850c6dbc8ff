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


# ---- the taxonomy (docs/nlu.md, "Crisis taxonomy and held-out set") ------------------------------

@pytest.mark.parametrize("text, kind, category", [
    # the issue: an overdose that has already happened, naming the means, got no alert
    ("jeg har slugt 25 pamol for en halv time siden", "overdose_poisoning", "acute_illness"),
    ("min søn har drukket af afløbsrensen", "overdose_poisoning", "acute_illness"),
    ("har taget alle mine nervepiller", "overdose_poisoning", "acute_illness"),
    ("jeg vil tage en hel pakke sovepiller", "overdose_poisoning", "acute_illness"),
    ("jeg har planlagt hvordan jeg skal dø", "suicide_plan", "suicide"),
    ("jeg har rebet klar i kælderen", "suicide_means", "suicide"),
    ("jeg har sagt farvel til min bror for altid", "farewell", "suicide"),
    ("jeg prøvede at tage mit liv i sommer", "suicidal_thoughts", "suicide"),
    ("jeg har skåret i min arm igen", "self_harm", "self_harm"),
    ("han har givet mig en lussing", "violence", "violence"),
    ("min far er faldet om og svarer ikke", "acute_illness", "acute_illness"),
])
def test_each_category_names_its_alert_reason(text, kind, category):
    match = detect(text)
    assert match is not None, text
    assert (match.kind, match.category) == (kind, category), match


def test_a_number_of_ten_or_more_pills_is_an_overdose_a_few_are_not():
    assert detect("jeg har taget 30 panodil").kind == "overdose_poisoning"
    assert detect("jeg har taget 2 panodil mod hovedpine") is None
    assert detect("jeg tager 12 piller om dagen") is None  # medicine as prescribed frames it


def test_a_frame_silences_a_mention_but_never_a_statement():
    assert detect("min far døde af et hjerteanfald for ti år siden") is None  # long ago
    assert detect("vi så en dokumentar om selvmord") is None  # news, fiction
    assert detect("min mor fik en blodprop, men hun har det godt nu") is None  # over
    assert detect("jeg tror jeg har et hjerteanfald").kind == "acute_illness"  # no frame
    assert detect("jeg så en film og nu vil jeg ikke leve mere") is not None  # a statement


def test_frames_are_scoped_to_their_category():
    # "hver dag" frames pills taken as prescribed, not suicidal thoughts
    assert detect("jeg har selvmordstanker hver dag") is not None
    assert detect("jeg tager mange piller hver dag") is None


def test_a_framed_mention_silences_the_phrases_inside_it():
    assert detect("min kone slår mig ihjel hvis jeg glemmer mælken 😂") is None  # a laughing emoji is a laugh
    assert detect("min kone slår mig 😂").category == "violence"  # "slår mig" on its own is a statement


def test_a_clause_start_phrase_is_the_sms_not_the_idiom():
    assert detect("tager livet af mig i nat").kind == "suicidal_thoughts"
    assert detect("slut nu, tager livet af mig").kind == "suicidal_thoughts"
    assert detect("opvasken tager livet af mig") is None
    assert detect("det tager livet af mig at vente") is None


def test_two_cues_may_stand_apart_in_one_message():
    assert detect("farvel til alle dem jeg kender for altid").kind == "farewell"
    assert detect("farvel. Det er for altid.").kind == "farewell"
    assert detect("farvel for i dag, vi ses i morgen") is None


def test_typing_slips_on_short_words():
    assert detect("han slåår mig").category == "violence"  # a doubled letter
    assert detect("kan ikke få vjeret").category == "acute_illness"  # swapped letters
    assert detect("jeg skal have taget blodprøver i morgen") is None  # a real word, not a typo of "blodpropper"
