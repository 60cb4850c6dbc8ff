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

The detectors load once per process (about 3.5 s, most of it importing spaCy, which imports
TensorFlow, plus about 1.5 s for the hopelessness list); after that a message takes about 1 ms
(docs/nlu.md, "Crisis detector"). Call `warm()` at start-up to pay the load before the first
citizen message.
"""
from __future__ import annotations

import difflib
import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.text import fold, strip_variants

PHRASES = Path(__file__).with_name("crisis_phrases.yml")
HOPELESSNESS_PHRASES = Path(__file__).with_name("hopelessness_phrases.yml")
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

    @property
    def is_crisis(self) -> bool:
        return self.category != HOPELESSNESS


def key(word: str) -> str:
    """One spelling for comparison: lower case, æ/ø/å = ae/oe/aa = a/o/a, a doubled letter = one
    ("slåår", "pilerne", "skærre": a slip of the thumb, docs/nlu.md)."""
    return _DOUBLED.sub(r"\1", strip_variants(fold(word)))


_DOUBLED = re.compile(r"(\w)\1+")


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


_END_WORD = frozenset({END})
_FAR_WORD = frozenset({FAR})
_NO_GAP = _Gaps(0)


class CrisisDetector:
    def __init__(self, phrase_file: Path = PHRASES, lemma_table: str | None = None):
        spec = yaml.safe_load(phrase_file.read_text(encoding="utf-8"))
        spellings = {w: list(v) for w, v in (spec.get("spellings") or {}).items()}
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
        self._nlp = _pipeline(self._keys, table)

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
        words = self._words(text)
        excluded = [s for ph in self._exclusions for s in _find(ph, words, _NO_GAP)]
        spans = [
            s for ph in self._phrases for s in _find(ph, words, self._gaps)
            if not any(e.start <= s.start and s.end <= e.end for e in excluded)
        ]
        if any(s.phrase.mention for s in spans):
            # A mention ("hjerteanfald", "vold") in a sentence that frames it as news, fiction, long ago
            # or over ("for ti år siden", "i nyhederne") is not this citizen's crisis now (docs/nlu.md).
            sentence = _sentences(words)
            framed = {(sentence[s.start], ph.category) for ph in self._frames for s in _find(ph, words, self._gaps)}
            silenced = [s for s in spans if s.phrase.mention and {(sentence[s.start], ""),
                                                                   (sentence[s.start], s.phrase.category)} & framed]
            # ...and so are the phrases inside its words ("slår mig" in a framed "slår mig ihjel")
            spans = [s for s in spans if not any(m.start <= s.start and s.end <= m.end for m in silenced)]
        # Longest phrase first ("slå mig selv ihjel" over "slå mig selv"), then category order.
        spans.sort(key=lambda s: (-len(s.phrase.words), self.categories.index(s.phrase.category), s.start))
        return [CrisisMatch(self.alert_categories[s.phrase.category], s.phrase.text,
                            " ".join(words.tokens[s.start:s.end + 1]), s.phrase.category)
                for s in spans]

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
        if text.isdigit() and int(text) >= 10:
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
def _detectors() -> tuple[CrisisDetector, CrisisDetector]:
    """Both lists, built from one read of the lemma table (it is not kept)."""
    table = _lemma_table()
    return CrisisDetector(PHRASES, table), CrisisDetector(HOPELESSNESS_PHRASES, table)


def detector() -> CrisisDetector:
    return _detectors()[0]


def hopelessness_detector() -> CrisisDetector:
    return _detectors()[1]


def warm() -> None:
    _detectors()


def detect(text: str) -> CrisisMatch | None:
    """Crisis language only (the held-out crisis gate measures this)."""
    return detector().detect(text)


def detect_hopelessness(text: str) -> CrisisMatch | None:
    """Hopelessness phrases only, whether or not the text also has crisis language."""
    return hopelessness_detector().detect(text)


def assess(text: str) -> CrisisMatch | None:
    """What the gate acts on: crisis language wins; else hopelessness; else None."""
    return detect(text) or detect_hopelessness(text)
