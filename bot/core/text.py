"""Normalising what citizens type: case, diacritics variants, emoji, punctuation."""
from __future__ import annotations

import re
import unicodedata

# Citizens on old phones write æøå as ae/oe/aa or drop them; fold everything to one spelling.
_FOLD = [("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ö", "oe"), ("ä", "ae")]
_WORD = re.compile(r"[a-zæøåöä0-9]+")
# Runs of letters in any script (no digits, no underscore): the words of a text in any language.
LETTER_RUNS = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """Lower-case and spell æ/ø/å as ae/oe/aa so 'grøn', 'groen' and 'grön' compare equal."""
    text = unicodedata.normalize("NFC", text.lower())
    for src, dst in _FOLD:
        text = text.replace(src, dst)
    return text


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def strip_variants(word: str) -> str:
    """A second folding that also drops the letters æøå became, to catch 'gron' and 'rod'."""
    return word.replace("ae", "a").replace("oe", "o").replace("aa", "a")


def is_latin(letter: str) -> bool:
    """A letter of the Latin script (a, æ, ó, ł); Arabic, Cyrillic, Greek ... are not."""
    return unicodedata.name(letter, "").startswith("LATIN")


def ascii_digits(text: str) -> bool:
    """A number int() reads as a citizen or a form means it: ASCII digits only. `str.isdigit()` alone is
    True for "²" and "①", which int() refuses (a 500 found by tests/security/test_fuzz.py)."""
    return text.isascii() and text.isdigit()
