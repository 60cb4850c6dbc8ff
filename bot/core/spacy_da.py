"""The Danish spaCy pipeline, built locally: spaCy's Danish tokenizer and the lookup lemmatizer from
spacy-lookups-data. Nothing is downloaded (the trained da_core_news_* pipelines are not on PyPI).

`python -m bot.core.spacy_da models/spacy-da` saves it for Rasa's SpacyNLP (`model: <path>`), which
needs a pipeline loaded from disk. The crisis detector builds the same pipeline in memory.
"""
from __future__ import annotations

import sys
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.lookups import Lookups


def build(table: dict[str, str] | None = None) -> Language:
    """blank("da") + lookup lemmatizer (rule mode does not exist for Danish: E955). The lookup
    table is spacy-lookups-data's da_lemma_lookup (550k forms), or `table` when given."""
    nlp = spacy.blank("da")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    if table is None:
        nlp.initialize()
    else:
        lookups = Lookups()
        lookups.add_table("lemma_lookup", table)
        lemmatizer.initialize(lookups=lookups)
    return nlp


def save(path: Path) -> None:
    nlp = build()
    nlp.meta["name"] = "spacy_da_lookup"
    nlp.meta["description"] = "blank('da') + lookup lemmatizer from spacy-lookups-data, built locally"
    path.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "models/spacy-da")
    save(target)
    print(f"saved the Danish spaCy pipeline to {target}")
