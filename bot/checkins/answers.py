"""Understanding check-in answers deterministically. NLU is only the fallback for free text, and
an unclear answer returns None so the dialogue asks again: a colour is never guessed.

An answer must be an answer (docs/nlu.md, "Answers that are answers"): an NLU intent counts only
for text in the expected language (bot/checkins/language.py), digits only as the whole answer and
in range, emoji only where they are documented, and free text only with letters in it.

Answers are read in the citizen's language (`language`, carried by the citizen gate in the message
metadata: actions/forms.py citizen_language). Danish words and rules count for every citizen (a
citizen who learnt JA, a Danish-English household: docs/languages.md); another language's words and
rules count only for a citizen of that language, so a Danish citizen's answers read as before."""
from __future__ import annotations

import difflib
import re
import unicodedata

from bot.checkins.language import DANISH, drawn_out_short_word, in_language
from bot.checkins.ordinary_words import ordinary_words
from bot.checkins.programmes import LifeArea, Programme
from bot.core.text import LETTER_RUNS, ascii_digits, fold, is_latin, strip_variants, words

ENGLISH = "en"
GREEN, YELLOW, RED = "green", "yellow", "red"
MOOD_COLOURS = {"mood_good": GREEN, "mood_okay": YELLOW, "mood_bad": RED}
NLU_CONFIDENT = 0.7  # below this an NLU intent is not trusted for an answer
STOP_CONFIDENT = 0.8  # a stop intent ends a form only above this

_COLOUR_WORDS = {
    GREEN: ["grøn", "grønt", "grønne", "green"],
    YELLOW: ["gul", "gult", "gule", "yellow", "orange"],
    RED: ["rød", "rødt", "røde", "red"],
}
# The documented emoji for a colour (docs/nlu.md, "Answers that are answers"). Red also takes the
# sad and crying faces: NLU read "😭😭" and "😢" as mood_bad before, and a missed red is worse than
# a false alarm. A happy face is no colour (a wrong green hides a citizen): it is asked again.
_COLOUR_EMOJI = {
    GREEN: "🟢💚✅🟩🍏",
    YELLOW: "🟡💛🟠🧡🟨🟧⚠",
    RED: "🔴🟥🆘❌⛔🚨😭😢😞😔☹🙁😩😫💔",
}
# The clarification question defines the digits: 1 GRØN, 2 GUL, 3 RØD; only as the whole answer
# ("3", "3."), so "-1" or "jeg har 3 børn" is no colour.
_COLOUR_DIGITS = {"1": GREEN, "2": YELLOW, "3": RED}
_WHOLE_DIGIT = re.compile(r"[\s(#]*([0-9])[\s).!]*")
_NEGATIONS = {"ikke", "ik", "ikk", "aldrig", "ingen"}

# How sure NLU must be before a mood becomes a colour. Asymmetric on purpose: a missed red hides a
# citizen who is not doing well, and so does a wrong green; a wrong red costs a call; asking again
# costs one message. Red takes NLU's top intent (anything above the fallback threshold, 0.5).
MOOD_CONFIDENT = {GREEN: 0.9, YELLOW: NLU_CONFIDENT, RED: 0.5}

_EXACT = {fold(w): colour for colour, variants in _COLOUR_WORDS.items() for w in variants}
_LEXICON = {**{strip_variants(form): colour for form, colour in _EXACT.items()}, **_EXACT}
# Loose spellings ("rod", "gron") and typos ("grønn", "guul") also hit ordinary words ("møde",
# "troede", "sødt", "gulv", "rent" would read as colours), so they count only in a short answer.
SHORT_ANSWER = 3  # words

_REPEATS = re.compile(r"(oe|ae|aa|[a-z])\1+")


def _colour_of_word(word: str, loose: bool = True, ordinary: frozenset[str] | None = None) -> str | None:
    if word in _EXACT:  # before the stretch is undone: "green" would become "gren", a Danish word
        return _EXACT[word]
    word = _REPEATS.sub(r"\1", word)  # "røøød", "guuul", "grønnn": SMS stretches words
    if word in _EXACT or not loose:
        return _EXACT.get(word)
    if word in (ordinary_words() if ordinary is None else ordinary):
        return None  # a real word ("møde", "gulv"), not a misspelt colour
    if word in _LEXICON:
        return _LEXICON[word]
    if strip_variants(word) in _LEXICON:
        return _LEXICON[strip_variants(word)]
    if len(word) >= 4:  # typos like "grønn", "guul", "rødd"; short words are too risky
        close = difflib.get_close_matches(word, list(_LEXICON), n=1, cutoff=0.8)
        if close:
            return _LEXICON[close[0]]
    return None


def parse_colour(text: str, allow_digits: bool = True) -> str | None:
    """The one colour the text names, or None when it names none, several, or a negated one."""
    found: set[str] = set()
    for colour, emoji in _COLOUR_EMOJI.items():
        if any(e in text for e in emoji):
            found.add(colour)
    tokens = words(text)
    loose = len(tokens) <= SHORT_ANSWER
    for i, token in enumerate(tokens):
        colour = _colour_of_word(token, loose)
        if colour is None and allow_digits and len(tokens) == 1:
            digit = _WHOLE_DIGIT.fullmatch(text)
            colour = _COLOUR_DIGITS.get(digit.group(1)) if digit else None
        if colour is None:
            continue
        if i > 0 and tokens[i - 1] in _NEGATIONS:
            return None  # "ikke rød" says what it is not; ask again
        found.add(colour)
    return found.pop() if len(found) == 1 else None


_CLAUSE = re.compile(r"[,.;:!?/+]|\s-\s|\b(?:men|og|mens)\b")
_NOW = re.compile(r"\b(?:i ?dag|nu|for tiden|i aften|i morges|denne uge|i denne uge)\b")
# Negation, on folded words: "ikke så godt", "ikk s godt", "ikke haft det godt", "ikke særlig fint".
_NOT = r"\b(?:ikke|ik|ikk|ike|aldrig)"
_FILLER = (r"(?:\s+(?:saa|sa|s|saerlig|saerligt|specielt|rigtig|rigtigt|for|vildt|mega|super|helt|haft|"
           r"vaeret|det|nogen|en|er|har|altid|lige|ret|just|saerdeles)){0,3}")
_NEGATED_GOOD = re.compile(_NOT + _FILLER + r"\s+(?:godt?|fint?|super|ok|okay)\b")
_NEGATED_BAD = re.compile(_NOT + _FILLER + r"\s+(?:skidt|daarligt?|darligt?|slemt|galt|vaerst|skod)\b")
_SOFTENED = re.compile(_NOT + r"\s+(?:helt|100)\b")  # "ikke helt godt" is yellow: NLU decides
# Bad without a bad word NLU can lean on: "ingenting går godt", "det er gået helt galt", "dårligste
# dag i lang tid". A miss is worse than a false alarm, so these are red whatever NLU says
# (docs/nlu.md, "Rules before NLU").
_PLAIN_RED = re.compile(
    r"\b(?:ingenting|intet|ikke noget)\s+(?:gaar|gar|gik|er gaaet|er gaet|fungerer|virker)(?:\s+\w+)?\s+(?:godt?|fint?)\b"
    r"|\b(?:gaaet|gaet|gik|gaar|gar)\s+(?:helt\s+|totalt\s+|rigtig\s+|fuldstaendig\s+)?galt\b"
    r"|\b(?:daarligste|darligste|vaerste|varste)\s+(?:dag|uge|tid)\b")


# English (for every citizen: see _NEGATION_RULES), on the same folded words ("don't" is
# "don t"): a negated good ("not so good", "don't feel good", "haven't been well") is red unless
# softened ("not quite ok") or balanced ("not great, not terrible"); "never" is left out, since "never
# felt so good" is good. Plain red without a bad word NLU can lean on: "nothing is going well",
# "everything went wrong", "worst day in a long time", "never been worse", "I feel terrible".
_NOT_EN = r"\b(?:not|(?:do|did|does|have|has|had|is|are|was|were|ai|ca|wo|could|would)n ?t)"
_FILLER_EN = (r"(?:\s+(?:so|too|that|very|really|particularly|especially|super|all|at|as|the|a|any|such|my|"
              r"feel|feeling|felt|been|being|doing|going|be|it|its|s|is|am|i|m|im|think|having|had|"
              r"quite|completely|entirely|totally|fully|perfectly|exactly|100)){0,3}")
_NEGATED_GOOD_EN = re.compile(_NOT_EN + _FILLER_EN + r"\s+(?:good|great|well|fine|ok|okay|alright|all right|best)\b")
_NEGATED_BAD_EN = re.compile(_NOT_EN + _FILLER_EN
                             + r"\s+(?:bad|terrible|awful|horrible|dreadful|worst|shabby|crap|shit|miserable)\b")
_SOFTENED_EN = re.compile(_NOT_EN + r"(?:\s+(?:feeling|feel|doing|being|been|be|it|its|s|is|am|i|m|im)){0,2}"
                          r"\s+(?:quite|completely|entirely|totally|fully|perfectly|exactly|100)\b")
_BAD_WORDS_EN = r"terrible|terribel|terible|awful|awfull|horrible|horible|dreadful|miserable|crap|crappy|shit|shitty|rubbish|lousy|bad"
_BAD_EN = "(?:" + _BAD_WORDS_EN + ")"
_PLAIN_RED_EN = re.compile(
    r"\bnothing\s+(?:(?:is|s|has|had|ever|seems|seemed|to|be|been|really|just)\s+){0,3}"
    r"(?:going|goes|go|went|gone|working|works|work|worked|turning out|turns out|turned out)"
    r"\s+(?:well|right|good|fine|ok|okay|to plan|my way)\b"
    r"|\bnothing\s+(?:(?:is|s|ever|really|just|seems to)\s+){0,2}(?:works|working)\b"
    r"|\bnothing\s+(?:(?:is|s|feels|seems)\s+)?(?:good|ok|okay|fine|right)\b"
    r"|\b(?:everything|everythings|it|things|life|stuff|today|my day|my life|my week)\s+"
    r"(?:(?:has|have|had|is|s|was|just|all|really|completely)\s+){0,3}(?:went|gone|going|goes|go)\s+"
    r"(?:(?:so|very|all|completely|totally|really|horribly|terribly|badly)\s+)?wrong\b"
    r"|\beverything\s+(?:is|s|feels|seems)\s+(?:(?:so|all|just)\s+)?wrong\b"
    r"|\b(?:worst|wrost)\s+(?:day|days|week|weeks|time|month|year|night|morning|evening|weekend)\b"
    r"|\b(?:never|(?:could|ca|does|wo)n ?t|cannot|could not|can not)\s+"
    r"(?:(?:been|felt|feel|be|get|gotten|got|any|have|it|s|ever|possibly)\s+){0,3}worse\b"
    r"|\b(?:feel|feeling|feels|felt)\s+(?:(?:so|really|very|just|pretty|absolutely|quite|bloody|fucking|super|"
    r"too|rather|kind of|kinda|extremely|totally)\s+){0,2}(?:" + _BAD_WORDS_EN + r"|sick|low|down|depressed|hopeless)\b"
    r"|\b(?:i m|im|i am|doing|been|having|had|its|it s|it is|everything is|everything s|things are|life is|"
    r"today is|today s|day is|day was)\s+(?:(?:so|really|very|just|pretty|absolutely|quite|bloody|fucking|super|"
    r"a|an|such a|too|rather|kind of|kinda|extremely|totally)\s+){0,2}" + _BAD_EN + r"\b"
    r"|\b" + _BAD_EN + r"\s+(?:day|week|night|morning|time|weekend)\b")
# A plain red with one of these among the three words before it says the opposite: "not the worst
# day", "I don't feel terrible" (a bare "no" does not: "no, I feel terrible").
_NEGATORS_EN = frozenset({"not", "never", "t", "nt", "dont", "didnt", "doesnt", "isnt", "arent", "wasnt", "werent",
                          "havent", "hasnt", "hadnt", "aint", "cant", "cannot", "wont", "couldnt", "wouldnt"})


def _plain_red_en(folded: str) -> bool:
    return any(not _NEGATORS_EN & set(folded[:match.start()].split()[-3:]) for match in _PLAIN_RED_EN.finditer(folded))


# The red rules of every language count for every citizen: a Danish citizen who writes "not good at
# all" is not doing well either, and a miss is worse than a false alarm (docs/nlu.md).
_NEGATION_RULES = ((_NEGATED_GOOD, _NEGATED_BAD, _SOFTENED), (_NEGATED_GOOD_EN, _NEGATED_BAD_EN, _SOFTENED_EN))


def _negated_good(folded: str) -> tuple[bool, bool]:
    """(a negated good, one that is red), by the Danish and the English rules."""
    negated = red = False
    for good, bad, softened in _NEGATION_RULES:
        if good.search(folded):
            negated = True
            red = red or not (bad.search(folded) or softened.search(folded))
    return negated, red


def decide_colour(text: str, intent: str | None, confidence: float | None, language: str = DANISH) -> str | None:
    """The colour of an answer to "Hvordan går det?", or None to ask again (never a guess).

    The one function both the check-in and the NLU gate use, so the gate measures what citizens
    get. A colour the citizen names (word, emoji, digit) wins over NLU; several colours count only
    when one is tied to now ("gul i dag men rød i går"); a negated "godt" ("ikke så godt", "har
    ikke haft det godt") is red unless softened ("ikke helt godt") or balanced ("ikke godt, ikke
    skidt"); otherwise a mood intent decides when NLU is sure enough for that colour
    (MOOD_CONFIDENT), and a negated "godt"/"fint" is never green. NLU counts only for text in the
    expected `language` (bot/checkins/language.py): "Evet", "مرحبا كيف حالك" or "{"intent": ...}"
    are asked again, whatever intent NLU gives them. The English red rules above ("not good at all",
    "I have not been well", "nothing is going well") count for every citizen; NLU counts for text
    in Danish or the citizen's language.
    """
    named = parse_colour(text)
    if named:
        return named
    if _names_colour(text):
        return _colour_now(text)  # several or negated colours: NLU must not override them
    folded = " ".join(words(text))
    negated, red = _negated_good(folded)
    if red:
        return RED  # "ikke så godt" is not "godt" (docs/architecture.md, "Check-ins and alerts"): the anchors put it at red
    if _PLAIN_RED.search(folded) or _plain_red_en(folded):
        return RED
    colour = MOOD_COLOURS.get(intent or "")
    if (colour is None or (confidence or 0.0) < MOOD_CONFIDENT[colour] or not understood(text, language)
            or drawn_out_short_word(text)):
        return None
    if colour == GREEN and negated:
        return None
    return colour


def understood(text: str, language: str = DANISH, also_known: frozenset[str] = frozenset()) -> bool:
    """Text an NLU intent may answer for a citizen of `language`: in Danish, which every citizen
    may write, or in their own language (bot/checkins/language.py in_language)."""
    return in_language(text, DANISH, also_known) or (language != DANISH and in_language(text, language, also_known))


def _names_colour(text: str) -> bool:
    tokens = words(text)
    return any(e in text for emoji in _COLOUR_EMOJI.values() for e in emoji) or any(
        _colour_of_word(t, len(tokens) <= SHORT_ANSWER) for t in tokens)


def _colour_now(text: str) -> str | None:
    """The colour of the clause that says now/today, when exactly one does."""
    folded = fold(text)
    now = {parse_colour(clause, allow_digits=False) for clause in _CLAUSE.split(folded) if _NOW.search(clause)}
    now.discard(None)
    return now.pop() if len(now) == 1 else None


def parse_colour_sequence(text: str, count: int, language: str = DANISH) -> list[str] | None:
    """'grøn gul rød grøn grøn' answers all life areas at once (full shape), in order."""
    between = {"og", "er"} | ({"and", "is"} if language == ENGLISH else set())
    tokens = [t for t in words(text) if t not in between]
    colours = [_colour_of_word(t) for t in tokens]
    if len(colours) == count and all(colours):
        return colours  # type: ignore[return-value]
    return None


_ALL_AREAS = {"alt", "alle", "allesammen", "det hele", "hele"}
# English: "everything" anywhere, "all" only as (most of) the whole answer ("none at all" is not all).
_ALL_AREAS_EN = {"everything"}
_ALL_AREAS_EN_WHOLE = {"all", "all of them", "all of it", "all of the above", "all areas", "all five", "all 5"}


def _all_areas(tokens: list[str], language: str) -> bool:
    if set(tokens) & _ALL_AREAS:
        return True
    return language == ENGLISH and bool(set(tokens) & _ALL_AREAS_EN or " ".join(tokens) in _ALL_AREAS_EN_WHOLE)


def _names_area(token: str, area: LifeArea, language: str = DANISH) -> bool:
    """Exact word, or an inflected form of a longer stem ("pengene" for "penge"); the area's words in
    the citizen's language (programmes.yml `words_<code>`) and the words of its Danish label (a
    citizen of another language is shown `label_<code>`, which names the area by one of those words)."""
    stems = {fold(w) for w in area.words_in(language)} | {fold(w) for w in area.label.split() if len(w) > 3}
    plain = strip_variants(token)
    for stem in stems:
        if token == stem or plain == strip_variants(stem):
            return True
        if len(stem) >= 4 and (token.startswith(stem) or plain.startswith(strip_variants(stem))):
            return True
    return False


_CODE_SIGNS = re.compile(r"[*=<>{}\[\]\\|$`^~]")
# Every number in the text, with a sign or a decimal part, so "-1", "0.5" and "12:30" are seen whole.
_NUMBER = re.compile(r"[-+]?\d+(?:[.:]\d+)?")


def parse_areas(text: str, programme: Programme, language: str = DANISH) -> list[str]:
    """Life areas named by number (1-5) or by words, in the order the citizen gave them; none when
    the text is not an answer: a number out of range ("9", "-1", "0.5") or text with words that is
    not in the expected language, or with the signs of code, which no citizen's answer needs
    ("SELECT * FROM citizens WHERE 1=1" is English words for an English citizen)."""
    if _CODE_SIGNS.search(text) or any(
            not (n.isascii() and n.isdigit() and 1 <= int(n) <= len(programme.areas)) for n in _NUMBER.findall(text)):
        return []
    tokens = words(text)
    named = frozenset(t for t in tokens if any(_names_area(t, area, language) for area in programme.areas))
    everything = frozenset(_ALL_AREAS | (_ALL_AREAS_EN | {"all"} if language == ENGLISH else set()))
    if any(c.isalpha() for c in text) and not understood(text, language, also_known=named | everything):
        return []
    if _all_areas(tokens, language):
        return [a.key for a in programme.areas]
    picked: list[str] = []
    for token in tokens:
        key = None
        if ascii_digits(token):
            key = programme.areas[int(token) - 1].key
        else:
            key = next((area.key for area in programme.areas if _names_area(token, area, language)), None)
        if key and key not in picked:
            picked.append(key)
    return picked


_YES = {"ja", "jo", "jep", "jeps", "jepper", "jah", "yes", "ok", "okay", "oki", "okidoki", "gerne", "jaa", "jaaa", "js",
        "yep", "klart", "selvfoelgelig"}
_NO = {"nej", "nej tak", "nope", "no", "nah", "ellers tak", "naej", "nix", "nae"}
# English, for English citizens: first words, and answers that count only whole ("please" alone is
# yes, "please don't" is not; "not now" is no, "not sure" nothing).
_YES_EN = {"yeah", "yea", "yeh", "yup", "sure", "absolutely", "definitely", "certainly", "alright"}
# (Answers that begin with a word of _YES or _NO, "yes please", "no thanks", are read by that word.)
_YES_EN_WHOLE = {"of course", "please", "go ahead", "that would be good", "that would be nice", "i would like that",
                 "i d like that"}
_NO_EN = {"nay"}
_NO_EN_WHOLE = {"not now", "not today", "not really", "not right now", "not at the moment", "not yet", "not needed",
                "i m fine thanks", "im fine thanks", "not necessary"}
# The documented yes/no emoji (docs/decisions.md, "Answers that are answers"): one of them, alone
# in kind; 👍 with 👎, or any other emoji, answers nothing.
_THUMBS = {"👍": True, "👎": False}
AFFIRM_DENY = {"affirm": True, "deny": False}


def parse_yes_no(text: str, language: str = DANISH) -> bool | None:
    """JA/NEJ-like words first ("ja", "jo", "jepper", "neeej", "nej tak"; for an English citizen also
    "yeah", "sure", "of course", "not now"), then a lone 👍 or 👎."""
    tokens = words(text)
    first = {tokens[0], _REPEATS.sub(r"\1", tokens[0])} if tokens else set()  # "jaaaa", "neeej"
    whole = " ".join(tokens)
    english = language == ENGLISH
    if first & _YES or english and (first & _YES_EN or whole in _YES_EN_WHOLE):
        return True
    if first & _NO or whole in _NO or english and (first & _NO_EN or whole in _NO_EN_WHOLE):
        return False
    thumbs = {answer for emoji, answer in _THUMBS.items() if emoji in text}
    return thumbs.pop() if len(thumbs) == 1 else None


def yes_no_of_intent(text: str, intent: str | None, language: str = DANISH) -> bool | None:
    """NLU's affirm/deny as JA/NEJ, only for text in Danish or the citizen's language ("Evet", "Nie"
    and "../../etc/passwd" got affirm or deny with 0.78-1.00)."""
    answer = AFFIRM_DENY.get(intent or "")
    return answer if answer is not None and understood(text, language) else None


# Removed from free text before it is stored or checked: control characters (except line breaks)
# and the invisible format characters that reorder or hide text (bidi overrides, zero-width spaces).
_INVISIBLE = frozenset("\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")
FREE_TEXT_MIN_LETTERS = 2


def clean_text(text: str) -> str:
    kept = []
    for char in text:
        if char in "\n\t":
            kept.append("\n" if char == "\n" else " ")
        elif unicodedata.category(char) != "Cc" and char not in _INVISIBLE:
            kept.append(char)
    return "".join(kept).strip()


def free_text(text: str, cap: int) -> str | None:
    """A free-text answer (a note, a preparation answer, a correction): the text without control
    characters, cut at `cap` characters; None when it is no text: no word of two letters or more
    of the Latin script, or fewer than two different letters ("{{7*7}}", "%s%n", emoji, "aaaa…",
    "x"), or mostly another script (a language the assistant does not read yet). Words in any
    language in the Latin script are kept."""
    cleaned = clean_text(text)
    folded = fold(cleaned)
    letters = [c for c in folded if c.isalpha()]
    latin = [c for c in letters if is_latin(c)]
    has_word = any(len(run) >= FREE_TEXT_MIN_LETTERS and all(is_latin(c) for c in run) for run in LETTER_RUNS.findall(folded))
    if not has_word or len(set(latin)) < FREE_TEXT_MIN_LETTERS or 2 * len(latin) < len(letters):
        return None
    return cleaned[:cap]


# RING as the whole message ("ring", "ring til mig", "ring mig op tak"): a call instead of an answer.
_CALL_REQUEST = re.compile(r"ring(?:e)?(?: (?:til|mig|op|tak|venligst|gerne|nu|please|pls))*")
# English CALL, whole: "call", "call me", "please call me", "can you call me back".
_CALL_REQUEST_EN = re.compile(r"(?:(?:please|pls|can you|could you|will you|can|could) )?(?:call|phone|ring)"
                              r"(?: (?:me|back|up|now|please|pls|asap|today|soon|thanks|thank you))*")


def is_call_request(text: str, language: str = DANISH) -> bool:
    phrase = " ".join(words(text))
    return bool(_CALL_REQUEST.fullmatch(phrase) or language == ENGLISH and _CALL_REQUEST_EN.fullmatch(phrase))


_STOP_PATTERNS = [
    r"^stop+$", r"^stands$", r"^pause$", r"^slut$", r"^afslut$", r"det er nok", r"ikke mere", r"ikke flere",
    r"^jeg gider ikke", r"orker ikke mere", r"^nok for i dag", r"^vil ikke mere",
]


# English, whole answers only, on the folded words ("that's" is "that s"): a false stop ends a
# check-in quietly, so "no more money", "I want to stop drinking" or "end it" are no stop, and
# neither are a bare "enough" or "quit" and "I want to quit": they may be someone giving up, who is
# asked again with the options and the way out rather than let go (a miss is worse than a false
# alarm).
_STOP_EN = re.compile(
    r"end|enough for (?:today|now)"
    r"|(?:that s|thats|that is|it s|its) enough(?: for (?:today|now))?(?: thanks| thank you)?"
    r"|no more(?: questions)?(?: please| thanks| for (?:today|now))?"
    r"|(?:i )?(?:want|wanna|would like|d like) to (?:stop|pause)"
    r"(?: (?:now|here|for (?:today|now)|please|thanks|the check ?in|this))*"
    r"|(?:please )?stop (?:now|here|please|for (?:today|now)|the check ?in|this)(?: please| now| thanks)?")


def is_stop(text: str, language: str = DANISH) -> bool:
    """The citizen wants to end the check-in now (what they answered so far is kept)."""
    folded = fold(text).strip(" .!")
    if any(re.search(p, folded) for p in _STOP_PATTERNS):
        return True
    return language == ENGLISH and bool(_STOP_EN.fullmatch(" ".join(words(text))))


_SKIP_PATTERNS = [r"^spring over", r"^spring$", r"^skip", r"^videre$", r"^ved ikke$", r"^vil ikke svare"]
_SKIP_EN = re.compile(
    r"pass|next(?: question)?|no idea|(?:i )?(?:don t|dont|do not) know|(?:i d |i would )?rather not(?: say| answer)?"
    r"|(?:i )?(?:don t|dont|do not) (?:want to|wanna) (?:answer|say)(?: that| this)?")


def is_skip(text: str, language: str = DANISH) -> bool:
    folded = fold(text).strip(" .!")
    if any(re.search(p, folded) for p in _SKIP_PATTERNS):
        return True
    return language == ENGLISH and bool(_SKIP_EN.fullmatch(" ".join(words(text))))


_DONT_KNOW_EN = re.compile(r"\b(?:don t|dont|do not) know\b|\bnot sure\b|\bno idea\b")


def is_dont_know(text: str, language: str = DANISH) -> bool:
    """VED IKKE (DON'T KNOW) in the answer, where that is an answer (the preparation's attendees)."""
    return "ved ikke" in text.lower() or language == ENGLISH and bool(_DONT_KNOW_EN.search(" ".join(words(text))))


# (A no, "no thanks", "not really", declines through parse_yes_no.)
_NO_MORE_EN = {"nothing", "nothing else", "nothing more", "that s all", "thats all", "that is all"}


def is_no_more(text: str, language: str = DANISH) -> bool:
    """An answer to 'vil du fortælle mere?' that declines."""
    folded = fold(text).strip(" .!")
    if parse_yes_no(text, language) is False or folded in {"intet", "ingenting", "nix", "ikke noget", "nej tak"}:
        return True
    return language == ENGLISH and " ".join(words(text)) in _NO_MORE_EN
