"""Real Danish words that the loose colour matching would read as a colour ("møde" is one letter
from "røde", "gulv" starts like "gul"). A word in this list is never a colour: the citizen wrote a
word, not a typo, and a colour is never guessed (docs/architecture.md, "Check-ins and alerts").

The list is generated from spaCy's Danish lookup table (spacy-lookups-data, already installed) and
committed as `ordinary_words.txt`, so nothing large is loaded at run time:

    .venv/bin/python -m bot.checkins.ordinary_words      # rewrites ordinary_words.txt
"""
from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path

LIST = Path(__file__).with_name("ordinary_words.txt")
# Words made from a colour are colours: "grønnere", "gulligt", "rødlig", "mørkegrøn".
_COLOUR_MADE = re.compile(r"groen|roed|^gul(?:e|t|ere|est|este|lig|lige|ligt|n|ne|net|ner)?$|^orange(?:gul|roed)?$")


@functools.lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    return frozenset(LIST.read_text(encoding="utf-8").split())


def generate() -> list[str]:
    import spacy_lookups_data

    from bot.checkins.answers import _LEXICON, _colour_of_word
    from bot.core.text import fold

    with gzip.open(spacy_lookups_data.get_file("da_lemma_lookup.json.gz"), "rt", encoding="utf-8") as f:
        table = json.load(f)
    vocabulary = {fold(w) for pair in table.items() for w in pair}
    return sorted(w for w in vocabulary if w.isalpha() and w not in _LEXICON and not _COLOUR_MADE.search(w)
                  and _colour_of_word(w, loose=True, ordinary=frozenset()))


def main() -> None:
    found = generate()
    LIST.write_text("\n".join(found) + "\n", encoding="utf-8")
    print(f"{len(found)} ordinary words written to {LIST}")


if __name__ == "__main__":
    main()
