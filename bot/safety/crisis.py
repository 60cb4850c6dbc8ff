"""Crisis language in any free text (docs/architecture.md, "Check-ins and alerts", alert rule crisis_language),
and hopelessness, its lower level (docs/nlu.md, "Hopelessness", alert rule hopelessness).

`detect(text)` returns the crisis match or None: `kind` is the taxonomy category of the phrase list
(TAXONOMY: suicidal thoughts, plans, means, farewell, self-harm, overdose/poisoning, violence by
others, acute illness; docs/nlu.md, "Crisis taxonomy and held-out set") and `category` the alert
reason it raises (CATEGORIES: suicide, self_harm, violence, acute_illness; bot/safety/alerting.py).
`assess(text)` is what the citizen gate asks: the crisis match if there is one, else a hopelessness
match (category "hopelessness": giving up, not being able to go on), else None. Both match a phrase
list (crisis_phrases.yml, hopelessness_phrases.yml; review status and matching rules in their
headers) on lemmas from spaCy's Danish lookup lemmatizer, with æøå-insensitive keys and a typo
allowance. A miss is worse than a false alarm, so matching is deliberately broad; the trade-off is
documented in docs/nlu.md.

Every language's lists are read: each `crisis_phrases*.yml` and `hopelessness_phrases*.yml` next to
this file (crisis_phrases_en.yml, ...), and every message is checked against all of them, whatever
the citizen's language setting (a Danish citizen may write "i want to die"; a setting must never
switch detection off). A list other than Danish sets `lemmatizer: suffixes`: words are matched on a
small suffix rule (-s, -es, -ed, -ing, a final -e, a doubled last consonant) plus the irregular
forms listed in the file (`forms`), not on spaCy (docs/nlu.md, "English").

The detectors load once per process (about 3.5 s, most of it importing spaCy, which imports
TensorFlow, plus about 1.5 s for the hopelessness list; each English list about 0.2 s); after that
`assess()` takes about 2 ms a message with the Danish and English lists (docs/nlu.md, "Crisis
detector" and "English"). Call `warm()` at start-up to pay the load before the first
citizen message.
"""
from __future__ import annotations

import difflib
import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.text import fold, strip_variants

PHRASES = Path(__file__).with_name("crisis_phrases.yml")
HOPELESSNESS_PHRASES = Path(__file__).with_name("hopelessness_phrases.yml")
# Danish first (the list a tie goes to), then the other languages' files in name order.
PHRASE_FILES = sorted(Path(__file__).parent.glob("crisis_phrases*.yml"))
HOPELESSNESS_FILES = sorted(Path(__file__).parent.glob("hopelessness_phrases*.yml"))
CATEGORIES = ("suicide", "self_harm", "violence", "acute_illness")  # alert reasons (bot/safety/alerting.py)
TAXONOMY = ("suicidal_thoughts", "suicide_plan", "suicide_means", "farewell", "self_harm", "overdose_poisoning",
            "violence", "acute_illness")  # the phrase list's categories (crisis_phrases.yml, `alert_categories`)
HOPELESSNESS = "hopelessness"
MAX_GAP = 2  # other words allowed between two phrase words (a phrase file may set its own `max_gap`)
END = "$"  # as the last phrase word: the thought ends here (see hopelessness_phrases.yml)
FUZZY_MIN_LEN = 6  # shorter words must be spelled right (or listed under `spellings`)
FUZZY_RATIO = 0.85
SENTENCE_END = {".", "!", "?", "\n"}
MANY = "10+"  # as a phrase word: a number of 10 or more written in digits ("30 panodiler", crisis_phrases.yml)
FAR = "..."  # between two phrase words: the next one may stand anywhere later in the message
START = "^"  # as the first phrase word: the phrase starts a clause and is matched word for word
LAUGH_EMOJI = "😂🤣😆😅😄😁😹"  # read as "haha" (a laugh frames a mention, crisis_phrases.yml)


@dataclass(frozen=True)
class CrisisMatch:
    category: str  # one of CATEGORIES (the alert reason), or HOPELESSNESS
    phrase: str  # the phrase-list entry that matched
    words: str  # the citizen's words that matched (health content: never put it in a notification)
    kind: str = ""  # the taxonomy category of the phrase (TAXONOMY), or HOPELESSNESS
    # a topic word or ambiguous form (the list's `mentions`): another language's frames may judge it
    mention: bool = field(default=False, compare=False, repr=False)

    @property
    def is_crisis(self) -> bool:
        return self.category != HOPELESSNESS


def key(word: str) -> str:
    """One spelling for comparison: lower case, æ/ø/å = ae/oe/aa = a/o/a, a doubled letter = one
    ("slåår", "pilerne", "skærre": a slip of the thumb, docs/nlu.md)."""
    return _DOUBLED.sub(r"\1", strip_variants(fold(word)))


# Letters only: "999" and "112" are numbers, and "9" or "12" must not read as them.
_DOUBLED = re.compile(r"([^\W\d_])\1+")


@dataclass(frozen=True)
class _Phrase:
    text: str
    category: str
    words: tuple[frozenset[str], ...]  # per phrase word: keys, "prefix*" for prefix words
    mention: bool = False  # a topic word that a frame in the same sentence silences (crisis_phrases.yml)
    anchored: bool = False  # starts with START: only at a clause start, and without gap words


@dataclass(frozen=True)
class _Span:
    phrase: _Phrase
    start: int
    end: int  # inclusive, index into the word list


@dataclass(frozen=True)
class _Text:
    tokens: list[str]
    keys: list[frozenset[str] | None]  # None marks a sentence end, which no phrase crosses
    surfaces: list[str]  # key() of the word as written (gap words and clause starts compare on it)
    pauses: frozenset[int]  # indices of words a comma, dash, emoji or other mark follows


@dataclass(frozen=True)
class _Gaps:
    """What may stand between two phrase words: `words` None is any word (the crisis list)."""
    max_gap: int
    words: frozenset[str] | None = None
    clause_starts: frozenset[str] = frozenset()

    def skippable(self, text: _Text, at: int) -> bool:
        return self.words is None or text.surfaces[at] in self.words


@dataclass(frozen=True)
class _Judgement:
    excluded: list[_Span]  # exclusion matches
    silenced: list[_Span]  # phrase matches an exclusion or a frame silenced
    sentence: list[int]  # the sentence number of every word
    framed: set[tuple[int, str]]  # (sentence, category or "" for every category) a frame stands in


def _locate(text: _Text, words: str) -> list[tuple[int, int]]:
    """Where another list's matched words stand in this list's words (first and last index),
    compared on keys without apostrophes (the lists tokenize "that's" differently)."""
    def norm(w: str) -> str:
        return key("".join(ch for ch in w if ch.isalnum()))

    # Compared as one string, so a list that joins words ("self harm" as "selfharm") still finds them.
    wanted = "".join(norm(w) for w in words.split())
    have = [norm(t) for t in text.tokens]
    found = []
    for start in range(len(have)):
        joined = ""
        for end in range(start, len(have)):
            joined += have[end]
            if joined == wanted:
                found.append((start, end))
            if len(joined) >= len(wanted):
                break
    return found if wanted else []


_END_WORD = frozenset({END})
_FAR_WORD = frozenset({FAR})
_NO_GAP = _Gaps(0)


class CrisisDetector:
    def __init__(self, phrase_file: Path = PHRASES, lemma_table: str | None = None):
        spec = yaml.safe_load(phrase_file.read_text(encoding="utf-8"))
        # "suffixes": the English rule; "none": words as written (a new language's first list needs
        # no code: its forms, spellings and alternatives are in the file); default: spaCy's Danish table
        lemmatizer = spec.get("lemmatizer", "spacy_da")
        suffixes = lemmatizer in ("suffixes", "none")
        spellings = {str(w): [str(x) for x in v] for w, v in (spec.get("spellings") or {}).items()}  # "2" for "to"
        sets = {name: str(words) for name, words in (spec.get("sets") or {}).items()}

        def expand(phrases) -> list[tuple[str, str]]:
            """(the phrase as written, with its set names replaced by their alternatives)"""
            return [(str(p), " ".join("|".join(sets.get(alt, alt) for alt in word.split("|")) for word in str(p).split()))
                    for p in phrases or []]

        self.categories = tuple(spec["categories"])
        self.alert_categories = {c: (spec.get("alert_categories") or {}).get(c, c) for c in self.categories}
        raw = [(c, p) for c in self.categories for p in expand(spec["categories"].get(c))]
        mentions = [(c, p) for c in self.categories for p in expand((spec.get("mentions") or {}).get(c))]
        exclusions, frames = expand(spec.get("exclusions")), expand(spec.get("frames"))
        # frames that silence the mentions of one category only ("hver dag": medicine as prescribed)
        own_frames = [(c, p) for c in self.categories for p in expand((spec.get("category_frames") or {}).get(c))]
        words = {alt for _, p in [p for _, p in raw + mentions + own_frames] + exclusions + frames
                 for word in p.split() for alt in word.split("|")}
        if suffixes:
            english = _SuffixPipeline(spec.get("forms") or {}, spec.get("joins") or [],
                                      _english_stem if lemmatizer == "suffixes" else str)
            lemmas = {word: english.lemma(word) for word in words}
        else:
            table = lemma_table if lemma_table is not None else _lemma_table()
            lemmas = {form: lemma for form, lemma in _pairs(table) if form in words}
        gap_words = spec.get("gap_words")
        self._gaps = _Gaps(
            int(spec.get("max_gap", MAX_GAP)),
            None if gap_words is None else frozenset(key(str(w)) for w in gap_words),
            frozenset(key(str(w)) for w in spec.get("clause_starts") or []),
        )
        self._phrases = [self._compile(p, c, spellings, lemmas) for c, p in raw]
        self._phrases += [self._compile(p, c, spellings, lemmas, mention=True) for c, p in mentions]
        self._exclusions = [self._compile(p, "", spellings, lemmas) for p in exclusions]
        self._frames = [self._compile(p, "", spellings, lemmas) for p in frames]
        self._frames += [self._compile(p, c, spellings, lemmas) for c, p in own_frames]
        self._keys = {k for ph in self._phrases + self._exclusions + self._frames for w in ph.words for k in w
                      if k not in (END, MANY, FAR)}
        self._prefixes = sorted(k[:-1] for k in self._keys if k.endswith("*"))
        self._fuzzy_targets = [k for k in self._keys if not k.endswith("*") and len(k) >= FUZZY_MIN_LEN]
        # Real words that look like a typo or an inflection of a phrase word ("blodprøver" is not
        # "blodpropper", "dødt" is not "dø"): they match only as themselves.
        self._real_words = frozenset(key(str(w)) for w in spec.get("real_words") or [])
        self._nlp = english if suffixes else _pipeline(self._keys, table)

    @staticmethod
    def _compile(phrase: tuple[str, str], category: str, spellings: dict, lemmas: dict[str, str],
                 mention: bool = False) -> _Phrase:
        text, expanded = phrase
        anchored = expanded.split()[:1] == [START]
        words = []
        for word in expanded.split()[1 if anchored else 0:]:
            if word in (END, MANY, FAR):
                words.append({END: _END_WORD, FAR: _FAR_WORD}.get(word, frozenset({MANY})))
                continue
            keys: set[str] = set()
            for alt in word.split("|"):
                if alt.endswith("*"):
                    keys.add(key(alt[:-1]) + "*")
                    continue
                if alt in spellings:
                    keys |= {key(spelling) for spelling in spellings[alt]}
                else:
                    keys |= {key(alt), key(lemmas.get(alt, alt))}
            words.append(frozenset(keys))
        return _Phrase(text, category, tuple(words), mention, anchored)

    def detect(self, text: str) -> CrisisMatch | None:
        """The most specific crisis phrase in the text, or None."""
        found = self.detect_all(text)
        return found[0] if found else None

    def detect_all(self, text: str) -> list[CrisisMatch]:
        words, spans, _ = self._analyse(text)
        # Longest phrase first ("slå mig selv ihjel" over "slå mig selv"), then category order.
        spans.sort(key=lambda s: (-len(s.phrase.words), self.categories.index(s.phrase.category), s.start))
        return [CrisisMatch(self.alert_categories[s.phrase.category], s.phrase.text,
                            " ".join(words.tokens[s.start:s.end + 1]), s.phrase.category, s.phrase.mention)
                for s in spans]

    def _analyse(self, text: str, judging: bool = False) -> tuple[_Text, list[_Span], _Judgement]:
        """The words, the phrase matches that stand, and what silenced the others (with `judging`,
        the frames in the text even when none of this list's own mentions needs them)."""
        words = self._words(text)
        excluded = [s for ph in self._exclusions for s in _find(ph, words, _NO_GAP)]
        found = [s for ph in self._phrases for s in _find(ph, words, self._gaps)]
        spans = [s for s in found if not any(e.start <= s.start and s.end <= e.end for e in excluded)]
        sentence = _sentences(words)
        framed: set[tuple[int, str]] = set()
        silenced: list[_Span] = []
        if judging or any(s.phrase.mention for s in spans):
            # A mention ("hjerteanfald", "vold") in a sentence that frames it as news, fiction, long ago
            # or over ("for ti år siden", "i nyhederne") is not this citizen's crisis now (docs/nlu.md).
            framed = {(sentence[s.start], ph.category) for ph in self._frames for s in _find(ph, words, self._gaps)}
            silenced = [s for s in spans if s.phrase.mention and {(sentence[s.start], ""),
                                                                   (sentence[s.start], s.phrase.category)} & framed]
            # ...and so are the phrases inside its words ("slår mig" in a framed "slår mig ihjel")
            spans = [s for s in spans if not any(m.start <= s.start and s.end <= m.end for m in silenced)]
        judged = [s for s in found if s not in spans]
        return words, spans, _Judgement(excluded, judged, sentence, framed)

    def judge(self, text: str) -> tuple[_Text, list[_Span], _Judgement]:
        """This list's reading of a text, for `overrules` (once per text, however many matches)."""
        return self._analyse(text, judging=True)

    @staticmethod
    def overrules(reading: tuple[_Text, list[_Span], _Judgement], match: CrisisMatch) -> bool:
        """Whether a list's reading of the text (`judge`, in its own language) silences another list's
        match: one of its exclusions covers the matched words ("going to jump in the shower"), its
        frames stand in the sentence of a mention ("... ten years ago"), or it matched the same words
        itself and silenced them. The Danish list has English words in it ("going to jump"), and
        only the English list knows the English idioms and frames around them (docs/nlu.md, "English")."""
        words, _, judgement = reading
        for start, end in _locate(words, match.words):
            if any(e.start <= start and end <= e.end for e in judgement.excluded):
                return True
            if match.mention and {(judgement.sentence[start], ""), (judgement.sentence[start], match.kind)} & judgement.framed:
                return True
            if any(s.start <= end and start <= s.end for s in judgement.silenced):
                return True
        return False

    def _words(self, text: str) -> _Text:
        """Words and their keys; None marks a sentence end, which no phrase crosses."""
        tokens: list[str] = []
        keys: list[frozenset[str] | None] = []
        pauses: set[int] = set()
        # "/" separates words ("/selvmord", "dø/leve"): the tokenizer would keep it glued to them.
        text = "".join(" haha " if ch in LAUGH_EMOJI else ch for ch in text)
        for token in self._nlp(text.lower().replace("\n", " \n ").replace("/", " / ")):
            if token.text in SENTENCE_END or token.is_space and "\n" in token.text:
                tokens.append(token.text)
                keys.append(None)
            elif any(ch.isalnum() for ch in token.text):
                tokens.append(token.text)
                keys.append(self._token_keys(token.text, token.lemma_))
            elif keys and not token.is_space:
                pauses.add(len(keys) - 1)  # a comma, dash, emoji, "...": only an END phrase cares
        return _Text(tokens, keys, [key(t) for t in tokens], frozenset(pauses))

    @lru_cache(maxsize=20000)  # noqa: B019 - one detector per process, alive as long as the process
    def _token_keys(self, text: str, lemma: str) -> frozenset[str]:
        surface = key(text)
        keys = {surface} if surface in self._real_words else {surface, key(lemma)}
        if text.isdecimal() and int(text) >= 10:  # not isdigit(): "²" is a digit int() refuses
            keys.add(MANY)
        typo = surface not in self._real_words
        for prefix in self._prefixes:
            if any(k.startswith(prefix) for k in keys) or typo and _similar(surface[:len(prefix)], prefix):
                keys.add(prefix + "*")
        if typo:
            keys |= {k for k in self._fuzzy_targets if _similar(surface, k)}
        return frozenset(keys)


def _similar(word: str, target: str) -> bool:
    """A typo of a long word: same first letter, length within 2, difflib ratio >= 0.85, or two
    neighbouring letters swapped ("vjeret", "selvmrod": fast thumbs, docs/nlu.md)."""
    if len(word) < FUZZY_MIN_LEN or len(target) < FUZZY_MIN_LEN or word[0] != target[0]:
        return False
    if abs(len(word) - len(target)) > 2:
        return False
    if len(word) == len(target) and _swapped(word, target):
        return True
    return difflib.SequenceMatcher(None, word, target).ratio() >= FUZZY_RATIO


def _swapped(word: str, target: str) -> bool:
    diff = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]]


def _sentences(text: _Text) -> list[int]:
    """The sentence number of every word (a sentence end starts the next one)."""
    numbers, n = [], 0
    for k in text.keys:
        numbers.append(n)
        n += k is None
    return numbers


def _find(phrase: _Phrase, text: _Text, gaps: _Gaps) -> Iterable[_Span]:
    first, rest = phrase.words[0], phrase.words[1:]
    if phrase.anchored:
        gaps = _NO_GAP
    for start, token in enumerate(text.keys):
        if token is not None and token & first and (not phrase.anchored or _clause_start(text, start)):
            end = _match_rest(rest, text, start, gaps)
            if end is not None:
                yield _Span(phrase, start, end)


def _clause_start(text: _Text, at: int) -> bool:
    """The first word of the message, of a sentence, or after a comma, dash or emoji."""
    return at == 0 or text.keys[at - 1] is None or at - 1 in text.pauses


def _match_rest(words, text: _Text, at: int, gaps: _Gaps) -> int | None:
    if not words:
        return at
    if words[0] is _END_WORD:
        return at if _ends_after(text, at, gaps) else None
    keys = text.keys
    if words[0] is _FAR_WORD:  # the next word anywhere later in the message, sentence ends included
        for nxt in range(at + 1, len(keys)):
            if keys[nxt] is not None and keys[nxt] & words[1]:
                end = _match_rest(words[2:], text, nxt, gaps)
                if end is not None:
                    return end
        return None
    for nxt in range(at + 1, min(len(keys), at + 2 + gaps.max_gap)):
        if keys[nxt] is None:
            return None  # sentence end
        if keys[nxt] & words[0]:
            end = _match_rest(words[1:], text, nxt, gaps)
            if end is not None:
                return end
        if not gaps.skippable(text, nxt):
            return None
    return None


def _ends_after(text: _Text, at: int, gaps: _Gaps) -> bool:
    """After word `at` (and at most max_gap gap words) the message, sentence or clause ends. A list
    without `gap_words` (the crisis list) allows no words before the end."""
    for _ in range(gaps.max_gap + 1 if gaps.words is not None else 1):
        nxt = at + 1
        if at in text.pauses or nxt >= len(text.keys) or text.keys[nxt] is None:
            return True
        if text.surfaces[nxt] in gaps.clause_starts:
            return True
        if not gaps.skippable(text, nxt):
            return False
        at = nxt
    return False


@dataclass(frozen=True)
class _Token:
    text: str
    lemma_: str
    is_space: bool = False


class _SuffixPipeline:
    """Tokens and lemmas for a list with `lemmatizer: suffixes` (English) or `none`: words, sentence ends and
    marks by a regular expression, apostrophes and inner hyphens dropped ("don't" is "dont",
    "self-harm" is "selfharm"), `joins` written as one word ("my self" is "myself"), and a lemma
    from the irregular `forms` or a small suffix rule. Both the phrase words and the citizen's words
    go through the same rule, so "kills", "killed" and "killing" all meet "kill"."""

    _TOKEN = re.compile(r"\w+(?:['’\-]\w+)*|\.{2,}|…|[.!?]|\n|[^\w\s]")

    def __init__(self, forms: dict, joins: list, stem=None):
        self._stem = stem or _english_stem
        self._forms = {str(k): str(v) for k, v in forms.items()}
        self._joins = [(re.compile(r"\b" + r"[\s\-]*".join(map(re.escape, str(j).split())) + r"\b"),
                        "".join(str(j).split())) for j in joins]

    def __call__(self, text: str) -> list[_Token]:
        for pattern, joined in self._joins:
            text = pattern.sub(joined, text)
        tokens = []
        for raw in self._TOKEN.findall(text):
            if raw == "\n":
                tokens.append(_Token(raw, raw, is_space=True))
                continue
            word = re.sub(r"['’\-]", "", raw) if raw[0].isalnum() or raw[0] == "_" else raw
            tokens.append(_Token(word, self.lemma(word)))
        return tokens

    @lru_cache(maxsize=20000)  # noqa: B019 - one pipeline per list, alive as long as the process
    def lemma(self, word: str) -> str:
        word = word.replace("'", "").replace("’", "")
        return self._stem(self._forms.get(word, word))


def _english_stem(word: str) -> str:
    """A small English suffix rule: "kills", "killed", "killing" -> "kill"; "choke", "choked",
    "choking" -> "chok"; "tried", "tries", "trying" -> "try"; "cutting" -> "cut". Not a real
    lemma: only the same rule on both sides makes the forms meet. Irregular forms ("took",
    "dying", "fell") are listed in the phrase file's `forms`."""
    w = word
    if len(w) > 4 and w.endswith(("ies", "ied")):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 3 and (w.endswith("ed") and w[-3] != "e" or w.endswith(("ses", "xes", "zes", "ches", "shes"))):
        w = w[:-2]  # "killed", "punches"; not "bleed", "need"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] in "bdgmnprt":
        w = w[:-1]  # "cutt" (cutting) -> "cut", "stabb" (stabbed) -> "stab"
    if len(w) >= 3 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]  # "choke" and "chok" (choked) meet
    return w


def _lemma_table() -> str:
    """spaCy's Danish lookup table (spacy-lookups-data) as its JSON text, 19 MB."""
    import spacy_lookups_data

    with gzip.open(spacy_lookups_data.get_file("da_lemma_lookup.json.gz"), "rt", encoding="utf-8") as f:
        return f.read()


def _pairs(table: str, chunk: int = 1 << 20) -> Iterator[tuple[str, str]]:
    """(form, lemma) from the JSON text, a chunk at a time: loading the 550k-entry dict would cost
    250 MB that the process keeps. The 12 entries with JSON escapes ("Visa\\/Dankort") are skipped."""
    start = 0
    while start < len(table):
        end = table.find("\n", start + chunk)
        end = len(table) if end < 0 else end
        yield from _ENTRY.findall(table, start, end)
        start = end


_ENTRY = re.compile(r'"([^"\\]*)": "([^"\\]*)"')


def _pipeline(phrase_keys: set[str], lemma_table: str):
    """spacy.blank("da") + the lookup lemmatizer, with the table cut to the forms of the phrase
    words (a few thousand entries instead of 550k: same matches, 200 MB less memory), plus their
    no-diacritics spellings ("slaar", "slar" -> "slå"), which the table itself does not know."""
    from bot.core.spacy_da import build

    relevant = lru_cache(maxsize=None)(lambda lemma: key(lemma) in phrase_keys)
    table = {form: lemma for form, lemma in _pairs(lemma_table) if relevant(lemma)}
    variants = {v: lemma for form, lemma in table.items() for v in (fold(form), key(form)) if v not in table}
    real_words = {form for form, _ in _pairs(lemma_table) if form in variants}  # "rod" is a word, not "rød"
    return build({**{v: lemma for v, lemma in variants.items() if v not in real_words}, **table})


@lru_cache(maxsize=1)
def _detectors() -> tuple[tuple[CrisisDetector, ...], tuple[CrisisDetector, ...]]:
    """Every language's crisis lists and hopelessness lists, Danish first, built from one read of
    the Danish lemma table (it is not kept)."""
    table = _lemma_table()
    return (tuple(CrisisDetector(path, table) for path in PHRASE_FILES),
            tuple(CrisisDetector(path, table) for path in HOPELESSNESS_FILES))


def detector() -> CrisisDetector:
    """The Danish crisis list (PHRASES)."""
    return _detectors()[0][PHRASE_FILES.index(PHRASES)]


def hopelessness_detector() -> CrisisDetector:
    """The Danish hopelessness list (HOPELESSNESS_PHRASES)."""
    return _detectors()[1][HOPELESSNESS_FILES.index(HOPELESSNESS_PHRASES)]


def detectors() -> tuple[CrisisDetector, ...]:
    """The crisis lists of every language."""
    return _detectors()[0]


def hopelessness_detectors() -> tuple[CrisisDetector, ...]:
    return _detectors()[1]


def warm() -> None:
    _detectors()


def _judged(lists: tuple[CrisisDetector, ...], text: str) -> CrisisMatch | None:
    """The first match of the first list that no other language's list overrules. Each list reads
    the text at most once, and only when another list matched something (most messages: never)."""
    readings: dict[int, tuple] = {}

    def reading(j: int) -> tuple:
        if j not in readings:
            readings[j] = lists[j].judge(text)
        return readings[j]

    for i, found in enumerate(lists):
        for match in found.detect_all(text):
            if not any(CrisisDetector.overrules(reading(j), match) for j in range(len(lists)) if j != i):
                return match
    return None


def detect(text: str) -> CrisisMatch | None:
    """Crisis language only, in any language's list (the held-out crisis gates measure this)."""
    return _judged(detectors(), text)


def detect_hopelessness(text: str) -> CrisisMatch | None:
    """Hopelessness phrases only, in any language, whether or not the text also has crisis language."""
    return _judged(hopelessness_detectors(), text)


def assess(text: str) -> CrisisMatch | None:
    """What the gate acts on: crisis language wins; else hopelessness; else None."""
    return detect(text) or detect_hopelessness(text)
