"""An English-speaking citizen's answers are read in English (issue 15 §2, docs/nlu.md "Answers that
are answers"): the English negation and plain-red rules of decide_colour, English yes/no, stop, skip,
"nothing more", CALL and life-area words, each only for `language="en"`. Danish words keep working
for every citizen, and a Danish citizen's answers, English text included, read as before."""
import pytest

from bot.checkins.answers import (
    decide_colour,
    is_call_request,
    is_dont_know,
    is_no_more,
    is_skip,
    is_stop,
    parse_areas,
    parse_colour_sequence,
    parse_yes_no,
    understood,
    yes_no_of_intent,
)
from bot.checkins.programmes import get_programme

EN = "en"
# What the trained model said about the worst of them (docs/nlu.md, "English"): a sure mood_good.
SURE_GOOD = ("mood_good", 1.0)


@pytest.mark.parametrize("text", [
    # a negated good
    "not good", "not good at all", "not so good", "not doing well", "not well", "not great", "not fine", "not ok",
    "im not ok", "I'm not okay", "don't feel good", "i dont feel so good", "I have not been well", "haven't been good",
    "not too good today", "nope not good at all", "no not good", "Not feeling great tbh", "not the best day",
    "not having a good day", "i'm not doing too well", "isn't good", "I don’t feel good",
    # plain red, no bad word to lean on
    "nothing is going well", "nothing goes right", "nothing works", "everything went wrong", "it's all gone wrong",
    "everything's gone wrong", "worst day in a long time", "the worst week ever", "never been worse",
    "couldn't be worse", "can't get any worse", "I feel terrible", "I feel terrible today", "feeling down",
    "had a bad day", "no, I feel terrible", "im so miserable today", "terrible day",
])
def test_english_red_whatever_nlu_says(text):
    assert decide_colour(text, *SURE_GOOD, language=EN) == "red"
    assert decide_colour(text, None, 0.0, language=EN) == "red"


@pytest.mark.parametrize("text", [
    "not too bad", "not bad", "not that bad", "not bad at all", "never felt so good", "never been better",
    "couldn't be better", "could be worse", "nothing went wrong", "nothing is going wrong", "not the worst day",
    "I don't feel terrible", "can't complain", "good", "doing well", "all good", "fine thanks",
])
def test_english_not_red_by_rule_nlu_decides(text):
    assert decide_colour(text, None, 0.0, language=EN) is None  # no rule: asked again without NLU
    assert decide_colour(text, *SURE_GOOD, language=EN) == "green"


@pytest.mark.parametrize("text", [
    "not completely fine", "not quite ok", "isn't entirely good",  # softened, like "ikke helt godt"
    "not great, not terrible", "not good not bad",  # balanced, like "ikke godt, ikke skidt"
])
def test_softened_or_balanced_english_is_left_to_nlu_but_never_green(text):
    assert decide_colour(text, None, 0.0, language=EN) is None
    assert decide_colour(text, *SURE_GOOD, language=EN) is None
    assert decide_colour(text, "mood_okay", 0.9, language=EN) == "yellow"


def test_an_english_citizen_is_read_by_the_danish_rules_too():
    assert decide_colour("ikke så godt", *SURE_GOOD, language=EN) == "red"
    assert decide_colour("jeg har det skidt", "mood_bad", 0.9, language=EN) == "red"  # NLU for Danish text too
    assert decide_colour("rød", None, 0.0, language=EN) == "red"


@pytest.mark.parametrize("text, intent, confidence, colour", [
    # Danish answers: as always
    ("ikke så godt", "mood_good", 1.0, "red"), ("jeg har ikke haft det godt", None, 0.0, "red"),
    ("ikke helt godt", "mood_good", 1.0, None), ("ingenting går godt", "mood_good", 1.0, "red"),
    ("det går fint", "mood_good", 0.95, "green"), ("gul", None, 0.0, "yellow"),
    # English text from a Danish citizen: the English red rules count for everyone (a miss is worse
    # than a false alarm), NLU only where the text passes as Danish
    ("I feel terrible today", "request_contact", 0.55, "red"), ("nothing is going well", None, 0.0, "red"),
    ("not good", None, 0.0, "red"), ("not good at all", "mood_good", 1.0, "red"),
    ("can you speak English", "mood_okay", 0.97, None),
])
def test_a_danish_citizens_answers_read_as_before_and_english_red_is_red(text, intent, confidence, colour):
    assert decide_colour(text, intent, confidence) == colour
    assert decide_colour(text, intent, confidence, language="da") == colour


@pytest.mark.parametrize("text, answer", [
    ("yes", True), ("yeah", True), ("yep", True), ("sure", True), ("yes please", True), ("of course", True),
    ("ok", True), ("Yesss", True), ("please", True), ("sure thing", True), ("ja", True),
    ("no", False), ("nope", False), ("nah", False), ("no thanks", False), ("not now", False), ("not today", False),
    ("Noooo", False), ("nej tak", False),
    ("please don't", None), ("not sure", None), ("maybe", None), ("Evet", None), ("", None),
])
def test_english_yes_no(text, answer):
    assert parse_yes_no(text, EN) is answer


@pytest.mark.parametrize("text, answer", [("yeah", None), ("sure", None), ("of course", None), ("not now", None),
                                          ("please", None), ("yes please", True), ("ja tak", True), ("no", False)])
def test_the_new_english_yes_no_words_are_for_english_citizens(text, answer):
    assert parse_yes_no(text) is answer


def test_nlu_yes_no_for_english_text_only_for_an_english_citizen():
    assert yes_no_of_intent("that would be great thanks", "affirm", EN) is True
    assert yes_no_of_intent("that would be great thanks", "affirm") is None
    assert yes_no_of_intent("det må han gerne", "affirm", EN) is True  # Danish for everyone
    assert yes_no_of_intent("Evet", "affirm", EN) is None and yes_no_of_intent("🏳️‍🌈🏳️‍🌈", "affirm", EN) is None
    assert understood("I feel terrible today", EN) and not understood("I feel terrible today")


@pytest.mark.parametrize("text", [
    "that's enough", "thats enough for today", "That is enough.", "enough for now", "no more", "no more questions",
    "I want to stop", "i want to stop now", "END", "stop", "PAUSE", "det er nok for i dag",
])
def test_english_stop(text):
    assert is_stop(text, EN)


@pytest.mark.parametrize("text", [
    # narrow: a false stop ends a check-in quietly
    "no more money", "I have no more energy", "I want to stop drinking", "I want to stop smoking", "end it",
    "I want to end it", "enough is enough with my landlord", "that's enough money for the rent", "not enough sleep",
    "the end of the month is hard", "stop the pain",
    # may be giving up: asked again with the way out, never let go quietly
    "enough", "quit", "I want to quit", "I want to finish this",
])
def test_english_stop_is_narrow(text):
    assert not is_stop(text, EN)


@pytest.mark.parametrize("text", ["that's enough", "no more", "I want to stop", "END"])
def test_english_stop_words_are_for_english_citizens(text):
    assert not is_stop(text)


@pytest.mark.parametrize("text, skip", [
    ("skip", True), ("SKIP", True), ("pass", True), ("don't know", True), ("I don't know", True),
    ("I don't want to answer", True), ("i dont wanna say", True), ("I'd rather not say", True), ("no idea", True),
    ("next", True), ("spring over", True), ("ved ikke", True),
    ("passport", False), ("I know", False), ("my money", False), ("I don't know what to do about my rent", False),
])
def test_english_skip(text, skip):
    assert is_skip(text, EN) is skip


def test_english_skip_words_are_for_english_citizens():
    assert not is_skip("pass") and not is_skip("don't know") and is_skip("skip") and is_skip("ved ikke")


@pytest.mark.parametrize("text, dont_know", [("don't know", True), ("not sure", True), ("ved ikke", True),
                                              ("my sister", False)])
def test_dont_know_is_an_answer_where_it_is_one(text, dont_know):
    assert is_dont_know(text, EN) is dont_know


@pytest.mark.parametrize("text, no_more", [
    ("nothing", True), ("nothing else", True), ("no thanks", True), ("that's all", True), ("no", True),
    ("nej tak", True), ("intet", True), ("my back hurts", False), ("nothing helps with the pain", False),
])
def test_english_no_more(text, no_more):
    assert is_no_more(text, EN) is no_more


def test_english_no_more_words_are_for_english_citizens():
    assert not is_no_more("nothing") and not is_no_more("that's all") and is_no_more("no thanks")


@pytest.mark.parametrize("text, call", [
    ("call", True), ("CALL", True), ("call me", True), ("please call me", True), ("call me please", True),
    ("can you call me back?", True), ("ring me", True), ("ring", True), ("ring til mig", True),
    ("call my mum", False), ("I had a call from the job centre", False), ("red", False),
])
def test_english_call(text, call):
    assert is_call_request(text, EN) is call


def test_english_call_is_for_english_citizens():
    assert not is_call_request("call me") and is_call_request("ring til mig")


@pytest.mark.parametrize("text, areas", [
    ("my money", ["oekonomi"]), ("money and family", ["oekonomi", "netvaerk"]), ("2 and 5", ["humoer", "oekonomi"]),
    ("work and my kids", ["hverdag", "netvaerk"]), ("sleep", ["krop"]), ("the rent and the bills", ["oekonomi"]),
    ("I feel lonely", ["humoer"]), ("health", ["krop"]), ("my debts", ["oekonomi"]), ("housing", ["oekonomi"]),
    ("everything", ["krop", "humoer", "hverdag", "netvaerk", "oekonomi"]),
    ("all of them", ["krop", "humoer", "hverdag", "netvaerk", "oekonomi"]),
    ("krop", ["krop"]),  # the Danish labels count in any language
    # Danish stems are English words: "mad" is food in Danish, "boern" (børn) reads "born"
    ("I'm mad at my family", ["netvaerk"]), ("I was born here", []),
    ("none at all", []), ("1 and 9", []), ("Evet", []), ("<script>alert(1)</script>", []),
    ("SELECT * FROM citizens WHERE 1=1", []), ("money {{7*7}}", []), ("$(reboot) 2", []),
])
def test_english_life_areas(text, areas):
    assert parse_areas(text, get_programme("standard"), EN) == areas


@pytest.mark.parametrize("text, areas", [
    # the Danish parse is unchanged: English stems are not Danish words ("rent" is clean, "sad" sat)
    ("det er rent og pænt her", []), ("jeg sad og ventede", []), ("pengene", ["oekonomi"]),
    ("penge og ondt", ["oekonomi", "krop"]), ("mad og penge", ["hverdag", "oekonomi"]), ("money 2", []),
    ("det hele", ["krop", "humoer", "hverdag", "netvaerk", "oekonomi"]),
])
def test_danish_life_areas_read_as_before(text, areas):
    assert parse_areas(text, get_programme("standard")) == areas


@pytest.mark.parametrize("area", get_programme("standard").areas, ids=lambda a: a.key)
def test_an_area_named_by_the_label_an_english_citizen_is_shown_is_that_area(area):
    """programmes.yml `label_en`: the name in an English citizen's questions, and read back as the area."""
    assert area.label_in(EN) != area.label and area.label_in("da") == area.label_in("ar") == area.label
    assert parse_areas(area.label_in(EN), get_programme("standard"), EN) == [area.key]


def test_english_colour_sequence_for_the_full_shape():
    assert parse_colour_sequence("green, yellow and red and green green", 5, EN) == [
        "green", "yellow", "red", "green", "green"]
    assert parse_colour_sequence("green, yellow and red and green green", 5) is None
