"""GSM 03.38 text rules: which characters fit the 7-bit alphabet, how many SMS segments a text
costs, and a normaliser that keeps a message in GSM-7 (one non-GSM character, like an en dash,
would switch the whole SMS to UCS-2 and halve its length)."""
from __future__ import annotations

import re
import unicodedata

from bot.core.text import is_latin

BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = set("^{}\\[~]|€\f")  # cost two septets each

SINGLE, MULTI = 160, 153  # septets in one SMS / per part of a concatenated SMS
UCS2_SINGLE, UCS2_MULTI = 70, 67

_REPLACEMENTS = {
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2022": "-", "\t": " ",
    "\u00e1": "a", "\u00e2": "a", "\u00ea": "e", "\u00eb": "e", "\u00ef": "i", "\u00ed": "i",
    "\u00f3": "o", "\u00f4": "o", "\u00fa": "u", "\u00fb": "u", "\u00e7": "c",
}
# Emoji a citizen or a template might carry, said in words instead of dropped.
_EMOJI_WORDS = {
    "🟢": "GRØN", "💚": "GRØN", "🟡": "GUL", "💛": "GUL", "🔴": "RØD", "❤️": "", "👍": "OK",
    "🙂": ":)", "😊": ":)", "☺️": ":)", "😀": ":D", "🙁": ":(", "😢": ":(", "📅": "", "⏰": "", "✅": "OK",
}
_VARIATION = re.compile("[\ufe0f\u200d]")


def is_gsm7(text: str) -> bool:
    return all(c in BASIC or c in EXTENDED for c in text)


def in_other_script(text: str) -> bool:
    """Whether the text has a letter that is neither GSM-7 nor Latin (Arabic, Cyrillic, Greek small
    letters ...): `to_gsm7` would delete every such letter, so the text must go as written, in UCS-2.
    A Latin letter outside GSM-7 (ó, ł) is not one: it loses its accent or is dropped."""
    return any(c.isalpha() and c not in BASIC and not is_latin(c) for c in text)


def non_gsm_chars(text: str) -> set[str]:
    return {c for c in text if c not in BASIC and c not in EXTENDED}


def septets(text: str) -> int:
    return sum(2 if c in EXTENDED else 1 for c in text)


def segments(text: str) -> int:
    """SMS parts this text is billed and delivered as."""
    if is_gsm7(text):
        n = septets(text)
        return 1 if n <= SINGLE else -(-n // MULTI)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= UCS2_SINGLE else -(-units // UCS2_MULTI)


def to_gsm7(text: str) -> str:
    """Typographic quotes and dashes to plain ones, emoji to words or nothing; æøåÆØÅ stay."""
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    text = _VARIATION.sub("", text)
    out = []
    for c in text:
        if c in BASIC or c in EXTENDED:
            out.append(c)
        elif c in _REPLACEMENTS:
            out.append(_REPLACEMENTS[c])
        else:
            # Accented letters lose the accent (ó -> o); anything else (emoji, symbols) is dropped.
            base = unicodedata.normalize("NFD", c)[0]
            out.append(base if base in BASIC else "")
    return re.sub(r"[ ]{2,}", " ", "".join(out)).strip()
