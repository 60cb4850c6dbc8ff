"""LIX (Björnsson 1968), the Danish readability index: words per sentence + percentage of long
words (more than 6 letters). Citizen SMS texts aim at LIX <= 25 (notes §5).

textstat 0.7.13's `lix` uses the same formula but does not count sentences of one or two words
("Hej.", "Svar JA.") as sentences, which inflates short, friendly SMS texts (tests/unit/test_readability.py
shows both). Here a sentence ends at . ! ? : or a line break, as Björnsson counts them.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)|\n+")
LONG_WORD = 6  # letters; longer words count as long


def lix(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(_SENTENCE_END.findall(text.strip())))
    long_words = sum(1 for w in words if sum(c.isalpha() for c in w) > LONG_WORD)
    return len(words) / sentences + 100 * long_words / len(words)
