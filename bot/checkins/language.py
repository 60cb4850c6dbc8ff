"""Is a message written in the language the assistant expects, in words its NLU model was trained
on? NLU reads any string as some intent, often a sure one: "Evet" (Turkish) mood_bad 1.00, two
rainbow flags request_contact 1.00, 5,000 x "a" affirm 0.99, "مرحبا كيف حالك" mood_good 0.55. So an
NLU intent counts as an answer only for a message that passes `in_language` (docs/nlu.md, "Answers
that are answers"); the deterministic parsers (colour words, digits, JA/NEJ) do not need it.

The rule, measurable and cheap:
- at least MIN_LETTERS letters, every letter in the Latin script (another script is another
  language, whatever NLU says);
- at least one word the vocabulary knows, and at least a third of the words of two letters or
  more known (KNOWN_SHARE; a half lost Danish sentences with rarer words, docs/nlu.md). A word is
  known when it is in the vocabulary, or is with stretched letters taken once ("skiiidt", "neeej"),
  or is a compound of a known first part and a known rest ("møgskidt", "halvskidt").

The vocabulary of a language is what its NLU model was trained on: the words of the training
examples in that language (data/nlu/<flow>.yml for Danish, data/nlu/<flow>_<code>.yml for another
language), except out_of_scope (noise by design: "asdfgh", "haha"), plus its function words
(`function_words_<code>.txt`, spaCy's stop words for the language) and a short hand-written list
of interjections (`interjections_<code>.txt`: "tja", "jeps"). Read once per process.
"""
from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

import yaml

from bot.core.text import LETTER_RUNS, fold, is_latin

log = logging.getLogger(__name__)

DANISH = "da"
ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "data" / "nlu"
HERE = Path(__file__).resolve().parent
NOT_VOCABULARY = frozenset({"out_of_scope"})  # intents whose examples are noise on purpose
MIN_LETTERS = 2
KNOWN_SHARE = 1 / 3
MIN_PART = 3  # letters of each part of a compound

_STRETCHED = re.compile(r"(.)\1+")
_LANGUAGE_SUFFIX = re.compile(r"_([a-z]{2,3})$")


def file_language(path: Path) -> str:
    """The language of a data or test file by its name: "checkin_en.yml" is English (a suffix of a
    two- or three-letter code, as the catalogue's), "checkin.yml" Danish. bot/nlp/quality.py too."""
    found = _LANGUAGE_SUFFIX.search(path.stem)
    return found.group(1) if found else DANISH


def _training_words(language: str, training: Path = TRAINING) -> set[str]:
    words: set[str] = set()
    for path in sorted(training.glob("*.yml")):
        if file_language(path) != language:
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if block.get("intent") in NOT_VOCABULARY or not block.get("examples"):
                continue
            words.update(LETTER_RUNS.findall(fold(block["examples"])))
    return words


@functools.cache
def vocabulary(language: str = DANISH) -> frozenset[str]:
    words = _training_words(language)
    if not words:
        # Without its training data every NLU answer would be asked again: say so once, loudly.
        log.error("no NLU training examples for language %r in %s: NLU intents are not trusted as answers",
                  language, TRAINING)
    for listed in (HERE / f"function_words_{language}.txt", HERE / f"interjections_{language}.txt"):
        if listed.exists():
            lines = listed.read_text(encoding="utf-8").splitlines()
            words.update(fold(line.strip()) for line in lines if line.strip() and not line.startswith("#"))
    return frozenset(w for w in words if len(w) >= 2)


def _once(word: str) -> str:
    """The word with each drawn-out letter written once: "nååå" is "nå", "goood" "god"."""
    return _STRETCHED.sub(r"\1", word)


def _known(word: str, known: frozenset[str], compound: bool = True) -> bool:
    if word in known:
        return True
    once = _once(word)
    if once != word and len(once) >= 2 and once in known:
        return True
    if compound and len(word) >= 2 * MIN_PART:
        return any(word[:i] in known and _known(word[i:], known, compound=False)
                   for i in range(MIN_PART, len(word) - MIN_PART + 1))
    return False


def drawn_out_short_word(text: str) -> bool:
    """The whole text is one word of at most two letters drawn out ("haa", "nååå"): a sigh, or a word
    of another language ("Haa" is Somali for yes) that reads as Danish "ha" drawn out. Too little for
    NLU to name a colour on (bot/checkins/answers.py decide_colour): the question is asked again."""
    tokens = LETTER_RUNS.findall(fold(text))
    if len(tokens) != 1:
        return False
    once = _once(tokens[0])
    return once != tokens[0] and len(once) <= 2


def in_language(text: str, language: str = DANISH, also_known: frozenset[str] = frozenset()) -> bool:
    """Real words of `language` (above); `also_known` adds words the question itself offers."""
    folded = fold(text)
    letters = [c for c in folded if c.isalpha()]
    if len(letters) < MIN_LETTERS or not all(is_latin(c) for c in letters):
        return False
    tokens = [t for t in LETTER_RUNS.findall(folded) if len(t) >= 2]  # "i", "x": too short to tell
    known = vocabulary(language) | also_known if also_known else vocabulary(language)
    hits = sum(1 for token in tokens if _known(token, known))
    return hits >= 1 and hits >= KNOWN_SHARE * len(tokens)


def generate_function_words(language: str = DANISH) -> list[str]:
    """spaCy's stop words for the language (spaCy is installed for the crisis detector)."""
    import importlib

    stop_words = importlib.import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS
    return sorted({fold(w) for w in stop_words})


def main() -> None:
    import sys

    language = sys.argv[1] if len(sys.argv) > 1 else DANISH
    target = HERE / f"function_words_{language}.txt"
    found = generate_function_words(language)
    target.write_text("\n".join(found) + "\n", encoding="utf-8")
    print(f"{len(found)} function words written to {target}")


if __name__ == "__main__":
    main()
