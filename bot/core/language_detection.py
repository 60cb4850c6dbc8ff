"""Is a citizen's message written in a language the assistant does not understand? (issue 15, part 3;
docs/decisions.md, "Messages in other languages").

`other_language(text)` answers with the language (its code and its Danish name, for the
coordinator) or None. A message counts as written in another language only when all of these hold:

1. It has letters at all (emoji, digits, punctuation, empty: never).
2. **Script.** At least half of its letters are not Latin (Arabic, Cyrillic, Ethiopic, Thai, ...):
   Danish and English are never written so, so no model and no length is needed. The detector only
   names the language; a script it has no language for is named by the script.
3. **Latin script: long enough to tell**: at least MIN_WORDS words or MIN_LETTERS letters. JA, NEJ,
   STOP, HJÆLP, colour words and other keywords are shorter, so they are never "another language".
4. **Not Danish or English by its words**: fewer than KNOWN_SHARE of its words of three letters or
   more are Danish or English forms: spaCy's Danish and English lookup tables (spacy-lookups-data)
   and the 10,000 most frequent English words (english_words.txt), 610,000 forms kept as 8-byte
   hashes. Danish with typos keeps most of its words ("jeg", "ikke", "møde"), so it stays Danish
   whatever the detector says.
5. **The detector is confident**: lingua (lingua-language-detector, its models in the wheel, nothing
   downloaded) gives a language outside UNDERSTOOD at least MIN_CONFIDENCE of its confidence, with
   Norwegian and Swedish counted as Danish and Bosnian, Croatian and Serbian as one language.

The detector runs in low-accuracy mode (trigram models only) over the LANGUAGES below, preloaded by
`warm()`. Measured with `bench/langdetect.py` (docs/performance.md, "The language check"): the
detector about +45 MiB resident and the lexicon +17 MiB, against about 30 MiB per language (750 MiB
for this set) in high-accuracy mode, which the Rasa process cannot carry; 0.1-0.2 ms a message.
Low accuracy alone takes short Danish for German or Dutch (100 of the project's 3,700 Danish NLU
examples); rule 4 is what keeps Danish Danish: 0 of the project's 5,500 Danish and English NLU
examples (training, held-out, colours, crisis sets) are flagged, and 67 of the 75 messages in other
languages of tests/unit/other_languages.yml are (89 %; short Dutch and Italian are missed).
Preloaded rather than lazy: lazy loading saves the memory only until the first message that is not
Danish by its words, and makes that citizen wait about a second.

Pure: no database, no Rasa. Everything loads once per process (`warm()`, 5-10 s; the citizen gate
runs it on a thread at start-up)."""
from __future__ import annotations

import gzip
import re
import threading
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from bot.core.text import LETTER_RUNS, fold, is_latin, strip_variants

UNDERSTOOD = ("da", "en")  # what the NLU understands, whatever the citizen's setting
MIN_WORDS = 3
MIN_LETTERS = 15
MIN_CONFIDENCE = 0.5
KNOWN_SHARE = 0.5
MIN_KNOWN_LEN = 3  # shorter words are shared by too many languages ("me", "de", "na") to count
LEXICON_TABLES = ("da_lemma_lookup.json.gz", "en_lemma_lookup.json.gz")
ENGLISH_WORDS = Path(__file__).with_name("english_words.txt")  # see _write_english_words

# lingua's name -> (code, Danish name). Chosen for who lives in Danish municipalities (Danmarks
# Statistik's largest groups of immigrants and descendants) plus the Nordic languages and English,
# which must be there to be recognised as covered. Each costs 2-3 MiB preloaded, so a language whose
# script is its own (Thai, Tamil, Georgian, ...) is named by the script instead (SCRIPTS), and so are
# the languages lingua lacks: Tigrinya and Amharic. Kurdish (Sorani) and Pashto are named as Persian
# or Arabic, Bulgarian as another Cyrillic language, Nynorsk as Danish like Bokmål.
LANGUAGES: dict[str, tuple[str, str]] = {
    "DANISH": ("da", "dansk"),
    "BOKMAL": ("da", "dansk"),  # Norwegian and Swedish read as Danish: the NLU copes, and short
    "SWEDISH": ("da", "dansk"),  # Danish is often taken for them
    "ENGLISH": ("en", "engelsk"),
    "GERMAN": ("de", "tysk"),
    "DUTCH": ("nl", "nederlandsk"),
    "POLISH": ("pl", "polsk"),
    "LITHUANIAN": ("lt", "litauisk"),
    "ROMANIAN": ("ro", "rumænsk"),
    "UKRAINIAN": ("uk", "ukrainsk"),
    "RUSSIAN": ("ru", "russisk"),
    "BOSNIAN": ("hbs", "bosnisk, kroatisk eller serbisk"),
    "CROATIAN": ("hbs", "bosnisk, kroatisk eller serbisk"),
    "SERBIAN": ("hbs", "bosnisk, kroatisk eller serbisk"),
    "ALBANIAN": ("sq", "albansk"),
    "TURKISH": ("tr", "tyrkisk"),
    "ARABIC": ("ar", "arabisk"),
    "PERSIAN": ("fa", "persisk (farsi eller dari)"),
    "URDU": ("ur", "urdu"),
    "SOMALI": ("so", "somali"),
    "VIETNAMESE": ("vi", "vietnamesisk"),
    "TAGALOG": ("tl", "tagalog"),
    "SPANISH": ("es", "spansk"),
    "FRENCH": ("fr", "fransk"),
    "ITALIAN": ("it", "italiensk"),
}
# A script none of LANGUAGES is written in: named by the script (the first word of the letters'
# Unicode names).
SCRIPTS = {
    "ETHIOPIC": "et sprog med etiopisk skrift (fx tigrinya eller amharisk)",
    "ARABIC": "et sprog med arabisk skrift",
    "CYRILLIC": "et sprog med kyrillisk skrift",
    "HEBREW": "hebraisk",
    "GREEK": "græsk",
    "CJK": "kinesisk eller japansk",
    "HIRAGANA": "japansk",
    "KATAKANA": "japansk",
    "HANGUL": "koreansk",
    "DEVANAGARI": "et sprog med devanagari-skrift (fx hindi eller nepali)",
    "GURMUKHI": "punjabi",
    "BENGALI": "bengali",
    "GEORGIAN": "georgisk",
    "ARMENIAN": "armensk",
    "KHMER": "khmer",
    "THAI": "thai",
    "TAMIL": "tamil",
    "MYANMAR": "burmesisk",
}
OTHER_SCRIPT = "et sprog med en anden skrift"


@dataclass(frozen=True)
class OtherLanguage:
    code: str  # ISO 639-1 where there is one ("ar"); "hbs" for Bosnian/Croatian/Serbian; the script otherwise
    name: str  # Danish, for the coordinator: "arabisk"
    confidence: float  # the detector's (grouped) confidence; 1.0 for a script it has no language for
    by_script: bool  # decided by the script alone (rule 2)


def _script(letters: str) -> str:
    counts: dict[str, int] = {}
    for letter in letters:
        if not is_latin(letter):
            first = unicodedata.name(letter, "").split(" ")[0]
            counts[first] = counts.get(first, 0) + 1
    return max(counts, key=counts.get) if counts else ""


def _key(word: str) -> int:
    """The lexicon's key of a word: one spelling for æ/ae/a (bot.core.text), then Python's hash. The
    lexicon is built in the process that asks it, so the process's own hash is the same on both sides."""
    return hash(strip_variants(fold(word)))


class _Models:
    """The detector and the lexicon, built once per process (`warm()`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._detector = None
        self._lexicon = None

    def build(self) -> None:
        with self._lock:
            if self._detector is None:
                self._lexicon = _build_lexicon()
                self._detector = _build_detector()

    @property
    def detector(self):
        self.build()
        return self._detector

    @property
    def lexicon(self):
        self.build()
        return self._lexicon


def _build_detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LANGUAGES]
    return (LanguageDetectorBuilder.from_languages(*languages)
            .with_low_accuracy_mode().with_preloaded_language_models().build())


def _build_lexicon():
    """Every form of the lookup tables (keys and lemmas) and the English word list, as a sorted array
    of 8-byte keys. The whole JSON text is folded first (one pass in C rather than 600,000 calls),
    then parsed: about 4 s, and the process keeps about 15 MiB of it (the parsed table is freed)."""
    import json

    import numpy as np
    import spacy_lookups_data

    keys: set[str] = set()
    for table in LEXICON_TABLES:
        with gzip.open(spacy_lookups_data.get_file(table), "rt", encoding="utf-8") as f:
            forms = json.loads(strip_variants(fold(f.read())))
        keys.update(forms)
        keys.update(forms.values())
        del forms
    keys.update(strip_variants(fold(word)) for word in ENGLISH_WORDS.read_text(encoding="utf-8").split())
    lexicon = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
    lexicon.sort()
    return lexicon


def _write_english_words(count: int = 10_000) -> None:
    """english_words.txt: the `count` most frequent English words of spaCy's lexeme probabilities
    (spacy-lookups-data en_lexeme_prob, web text), letters and an apostrophe only. Committed, so the
    7 MB table (5 s to read) is never loaded at run time:

        .venv/bin/python -m bot.core.language_detection        # rewrites english_words.txt
    """
    import json

    import spacy_lookups_data

    with gzip.open(spacy_lookups_data.get_file("en_lexeme_prob.json.gz"), "rt", encoding="utf-8") as f:
        probabilities = json.load(f)
    plain = re.compile(r"[a-z]+(?:'[a-z]+)?")
    ranked = sorted((w for w in probabilities if plain.fullmatch(w)), key=probabilities.get, reverse=True)
    ENGLISH_WORDS.write_text("\n".join(ranked[:count]) + "\n", encoding="utf-8")


_models = _Models()


def warm() -> None:
    """Build the detector and the lexicon now (start-up) rather than on a citizen's message."""
    _models.build()


def known_share(words: list[str]) -> float:
    """The share of the words (of MIN_KNOWN_LEN letters or more; all when none is that long) that are
    Danish or English forms."""
    import numpy as np

    counted = [w for w in words if len(w) >= MIN_KNOWN_LEN] or words
    if not counted:
        return 0.0
    lexicon = _models.lexicon
    keys = np.array([_key(w) for w in counted], dtype=np.int64)
    found = lexicon[np.minimum(np.searchsorted(lexicon, keys), len(lexicon) - 1)] == keys
    return float(found.sum()) / len(counted)


def _best(text: str) -> tuple[str, str, float] | None:
    """The detector's most likely language as (code, Danish name, confidence), confidences summed per
    code (Norwegian and Swedish with Danish; Bosnian, Croatian and Serbian together). None when it
    gives no language any confidence (a script none of LANGUAGES uses)."""
    totals: dict[str, float] = {}
    names: dict[str, str] = {}
    for value in _models.detector.compute_language_confidence_values(text):
        code, name = LANGUAGES[value.language.name]
        totals[code] = totals.get(code, 0.0) + value.value
        names[code] = name
    if not totals:
        return None
    code = max(totals, key=totals.get)
    return (code, names[code], totals[code]) if totals[code] > 0 else None


def other_language(text: str, understood: Collection[str] = UNDERSTOOD) -> OtherLanguage | None:
    """The language `text` is written in when it is not one of `understood` and the rules of the
    module docstring say so; None otherwise (also for anything too short to tell)."""
    words = LETTER_RUNS.findall(text or "")
    letters = "".join(words)
    if len(letters) < 2:
        return None
    non_latin = sum(1 for letter in letters if not is_latin(letter))
    if non_latin * 2 >= len(letters):
        best = _best(text)
        if best is None:
            script = _script(letters)
            return OtherLanguage(script.lower() or "other", SCRIPTS.get(script, OTHER_SCRIPT), 1.0, True)
        code, name, confidence = best
        return None if code in understood else OtherLanguage(code, name, round(confidence, 3), True)
    if len(words) < MIN_WORDS and len(letters) < MIN_LETTERS:
        return None
    if known_share([w.lower() for w in words]) >= KNOWN_SHARE:
        return None
    best = _best(text)
    if best is None:
        return None
    code, name, confidence = best
    if code in understood or confidence < MIN_CONFIDENCE:
        return None
    return OtherLanguage(code, name, round(confidence, 3), False)


if __name__ == "__main__":
    _write_english_words()
    print(f"wrote {ENGLISH_WORDS}")
