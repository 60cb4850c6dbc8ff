"""Compare NLU pipelines on the held-out sets with fixed seeds (docs/nlu.md has the table).

    .venv/bin/python bench/compare_pipelines.py [--seed N] [name ...]   # default: seed 42, all

Each candidate is trained NLU-only on data/nlu (same data, same DIET settings and seed), then
every held-out text goes through Agent.parse_message. Prints one markdown row per pipeline:
macro-F1, accuracy, contact/red recall, train time (wall and CPU) and parse latency. Needs
models/spacy-da for the spaCy candidates (`make models/spacy-da`). Not run by `make test`.
"""
from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import quality  # noqa: E402

DIET = {"name": "DIETClassifier", "epochs": 80, "random_seed": 42, "entity_recognition": False,
        "constrain_similarities": True}
FALLBACK = {"name": "FallbackClassifier", "threshold": 0.5, "ambiguity_threshold": 0.1}
CHARS = {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}
SPACY = [{"name": "SpacyNLP", "model": "models/spacy-da"}, {"name": "SpacyTokenizer"}]

CANDIDATES = {
    # what config.yml had before the comparison
    "whitespace+chars": [{"name": "WhitespaceTokenizer"}, {"name": "LexicalSyntacticFeaturizer"},
                         {"name": "CountVectorsFeaturizer"}, CHARS, DIET, FALLBACK],
    # spaCy's Danish tokenizer, word counts over lookup lemmas, char n-grams over the raw words
    "spacy+lemmas+chars": [*SPACY, {"name": "LexicalSyntacticFeaturizer"},
                           {"name": "CountVectorsFeaturizer", "use_lemma": True},
                           {**CHARS, "use_lemma": False}, DIET, FALLBACK],
    # spaCy's tokenizer alone (no lemmas): separates the tokenizer's effect from the lemmas'
    "spacy+words+chars": [*SPACY, {"name": "LexicalSyntacticFeaturizer"},
                          {"name": "CountVectorsFeaturizer", "use_lemma": False},
                          {**CHARS, "use_lemma": False}, DIET, FALLBACK],
    # the same with fewer epochs, or a smaller transformer: is the training time worth it?
    "whitespace+chars, 40 epochs": [{"name": "WhitespaceTokenizer"}, {"name": "LexicalSyntacticFeaturizer"},
                                    {"name": "CountVectorsFeaturizer"}, CHARS, {**DIET, "epochs": 40},
                                    FALLBACK],
    "whitespace+chars, 1x128 transformer": [
        {"name": "WhitespaceTokenizer"}, {"name": "LexicalSyntacticFeaturizer"}, {"name": "CountVectorsFeaturizer"},
        CHARS, {**DIET, "number_of_transformer_layers": 1, "transformer_size": 128}, FALLBACK],
    # word bigrams make negation a feature of its own ("ikke godt", "ikke så")
    "whitespace+word bigrams+chars, 1x128 transformer": [
        {"name": "WhitespaceTokenizer"}, {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer", "min_ngram": 1, "max_ngram": 2},
        CHARS, {**DIET, "number_of_transformer_layers": 1, "transformer_size": 128}, FALLBACK],
    # the same features into scikit-learn's logistic regression: no TensorFlow model in the Rasa
    # server (memory, parse time; docs/performance.md "Memory")
    "whitespace+word bigrams+chars, logistic regression": [
        {"name": "WhitespaceTokenizer"}, {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer", "min_ngram": 1, "max_ngram": 2},
        CHARS, {"name": "LogisticRegressionClassifier", "random_state": 42}, FALLBACK],
    "whitespace+word bigrams+chars, logistic regression, fallback 0.3": [
        {"name": "WhitespaceTokenizer"}, {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer", "min_ngram": 1, "max_ngram": 2},
        CHARS, {"name": "LogisticRegressionClassifier", "random_state": 42, "max_iter": 1000},
        {**FALLBACK, "threshold": 0.3, "ambiguity_threshold": 0.05}],
}


def train(name: str, pipeline: list[dict], workdir: Path) -> tuple[Path, float, float]:
    config = workdir / "config.yml"
    config.write_text(yaml.safe_dump({"recipe": "default.v1", "language": "da", "pipeline": pipeline,
                                      "assistant_id": "compare"}, allow_unicode=True), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # No training cache: a cached run would skip training and hide run-to-run differences.
    env = {**os.environ, "RASA_MAX_CACHE_SIZE": "0", "PYTHONHASHSEED": "0"}
    subprocess.run([str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", str(config),
                    "--nlu", str(ROOT / "data" / "nlu"), "--out", str(workdir), "--fixed-model-name", "nlu"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return workdir / "nlu.tar.gz", wall, cpu


def measure(name: str, pipeline: list[dict]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        model, wall, cpu = train(name, pipeline, Path(tmp))
        agent = quality.load_agent(model)
        texts = quality.texts_to_parse()
        asyncio.run(quality.parse_all(agent, texts[:20]))  # warm up
        parses, seconds = asyncio.run(quality.parse_all(agent, texts))
    report = quality.evaluate(parses)
    for line in report.lines():
        print(f"  {line}", file=sys.stderr)
    for gate in quality.failures(report):
        print(f"  GATE: {gate}", file=sys.stderr)
    ms = [s * 1000 for s in seconds]
    return (f"| {name} | {report.macro_f1:.3f} | {report.accuracy:.3f} | {report.contact_recall:.3f} | "
            f"{report.red_recall:.3f} | {wall:.0f} s ({cpu:.0f} s CPU) | "
            f"{quality.percentile(ms, 0.5):.1f} / {quality.percentile(ms, 0.95):.1f} ms |")


def with_seed(pipeline: list[dict], seed: int) -> list[dict]:
    seeds = {"DIETClassifier": "random_seed", "LogisticRegressionClassifier": "random_state"}
    return [{**c, seeds[c["name"]]: seed} if c["name"] in seeds else c for c in pipeline]


def main(args: list[str]) -> None:
    seed = 42
    if args[:1] == ["--seed"]:
        seed, args = int(args[1]), args[2:]
    print(f"seed {seed}")
    print("| pipeline | macro-F1 | accuracy | contact recall | red recall | train time | parse p50 / p95 |")
    print("|---|---|---|---|---|---|---|")
    for name in args or list(CANDIDATES):
        print(measure(name, with_seed(CANDIDATES[name], seed)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
