"""The other-language check of the citizen gate (bot/core/language_detection.py): what it costs the
process that runs it (Rasa), how fast it is, and how it decides on the project's own messages.

    .venv/bin/python bench/langdetect.py

Prints the resident memory (VmRSS) before and after `warm()` (the detector and the lexicon), the
time to build them, the mean and p95 time per message, how many of the Danish and English NLU
examples (training, held-out, colours, crisis development and held-out sets) would be flagged as
another language (the gate: 0 on the held-out Danish), and the share recognised per language in
tests/unit/other_languages.yml. tests/unit/test_language_detection.py asserts the same numbers.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import quality  # noqa: E402

OTHER_LANGUAGES = ROOT / "tests" / "unit" / "other_languages.yml"
CRISIS_HELDOUT = sorted((ROOT / "tests" / "nlu").glob("crisis_heldout*.yml"))
MIN_RECALL = 0.85  # of tests/unit/other_languages.yml's messages in other languages


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for key, value in node.items() if key not in ("batch", "written", "version") for s in _strings(value)]
    return []


def own_messages() -> dict[str, list[str]]:
    """The project's own Danish and English messages, by set: none of them is in another language."""
    sets: dict[str, list[str]] = {}
    for path in sorted(quality.TRAINING.glob("*.yml")):
        sets.setdefault(f"training_{quality.language_of(path)}", []).extend(t for _, t in quality.nlu_examples(path))
    for path in quality.HELDOUT_FILES:
        sets.setdefault(f"heldout_{quality.language_of(path)}", []).extend(t for _, t in quality.nlu_examples(path))
    for language in quality.LANGUAGES:
        for name, path in (("colours", quality.colours_file(language)), ("crisis", quality.crisis_file(language))):
            if path.exists():
                sets.setdefault(f"{name}_{language}", []).extend(t for _, t in quality.labelled(path))
    for path in CRISIS_HELDOUT:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        sets.setdefault(f"crisis_heldout_{quality.language_of(path)}", []).extend(_strings(data.get("batches")))
    return sets


def other_language_set() -> tuple[dict[str, list[str]], list[str]]:
    data = yaml.safe_load(OTHER_LANGUAGES.read_text(encoding="utf-8"))
    return data["other"], data["understood"]


def main() -> None:
    from bot.core import language_detection as ld

    before = rss_mib()
    import lingua  # noqa: F401  (numpy is in the Rasa process already; lingua's import is its own)
    import numpy  # noqa: F401
    imported = rss_mib()
    start = time.perf_counter()
    lexicon = ld._build_lexicon()
    lexicon_s, lexicon_mib = time.perf_counter() - start, rss_mib()
    start = time.perf_counter()
    ld.warm()  # the lexicon again (a second copy, freed) and the detector
    after = rss_mib()
    print(f"VmRSS {before:.0f} MiB; importing numpy and lingua +{imported - before:.0f} MiB")
    print(f"lexicon: {lexicon_s * 1000:.0f} ms, +{lexicon_mib - imported:.0f} MiB ({lexicon.nbytes / 2**20:.1f} MiB "
          f"array, {len(lexicon)} forms)")
    print(f"detector ({len(ld.LANGUAGES)} languages, low accuracy, preloaded) with warm(): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms, +{after - lexicon_mib:.0f} MiB; VmRSS {after:.0f} MiB")
    del lexicon

    sets = own_messages()
    times = []
    print("\nflagged as another language (must be 0):")
    for name, texts in sets.items():
        flagged = []
        for text in texts:
            t0 = time.perf_counter()
            result = ld.other_language(text)
            times.append(time.perf_counter() - t0)
            if result is not None:
                flagged.append((text, result.code, result.confidence))
        print(f"  {name:24} {len(flagged):3} of {len(texts):5}" + (f"  {flagged[:5]}" if flagged else ""))
    others, understood = other_language_set()
    wrongly = [t for t in understood if ld.other_language(t) is not None]
    print(f"  {'understood (test set)':24} {len(wrongly):3} of {len(understood):5}" + (f"  {wrongly}" if wrongly else ""))

    print("\nrecognised as another language:")
    total = hit = 0
    for language, texts in others.items():
        results = []
        for text in texts:
            t0 = time.perf_counter()
            results.append(ld.other_language(text))
            times.append(time.perf_counter() - t0)
        found = sum(r is not None for r in results)
        total, hit = total + len(texts), hit + found
        names = sorted({r.name for r in results if r is not None})
        print(f"  {language:13} {found} of {len(texts)}  {', '.join(names)}")
    print(f"  all           {hit} of {total} ({hit / total:.0%}; gate {MIN_RECALL:.0%})")
    ms = sorted(t * 1000 for t in times)
    print(f"\nper message: mean {statistics.mean(ms):.3f} ms, p95 {ms[int(len(ms) * 0.95)]:.3f} ms, "
          f"max {ms[-1]:.1f} ms ({len(ms)} messages); VmRSS now {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
