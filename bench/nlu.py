"""NLU speed and quality on the held-out sets, plus the crisis detector's cost per message.

    .venv/bin/python bench/nlu.py [models/current.tar.gz]

Prints: parse latency p50/p95 (in-process Agent.parse_message, warm, one message at a time, as the
Rasa server parses), the held-out scores and gates (the same numbers tests/nlu/test_nlu_gate.py checks),
and the crisis detector's cold load time, memory and per-message latency.
"""
from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import quality  # noqa: E402

LONG_MESSAGE = ("Hej. Det har været en lang uge med mange ting. Min søn kom på besøg i weekenden, og vi "
                "gik en tur ved vandet. Ryggen driller stadig, og jeg har svært ved at sove om natten. "
                "Jeg har ikke fået svar fra jobcentret, og økonomien fylder meget lige nu. ") * 3

# /proc, not getrusage: ru_maxrss survives fork+exec and would report this process's Rasa agent.
COLD_LOAD = """
import time
start = time.perf_counter()
import spacy
spacy_s = time.perf_counter() - start
from bot.safety.crisis import detector
detector()
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(time.perf_counter() - start, spacy_s, int(status["VmHWM"].split()[0]) // 1024,
      int(status["VmRSS"].split()[0]) // 1024)
"""


def ms(values: list[float]) -> str:
    values = [v * 1000 for v in values]
    return (f"p50 {quality.percentile(values, 0.5):.2f} ms, p95 {quality.percentile(values, 0.95):.2f} ms, "
            f"max {max(values):.2f} ms ({len(values)} messages)")


def bench_nlu(model: Path) -> None:
    start = time.perf_counter()
    agent = quality.load_agent(model)
    print(f"model {model.name}: loaded in {time.perf_counter() - start:.1f} s")
    texts = quality.texts_to_parse()
    asyncio.run(quality.parse_all(agent, texts[:30]))  # warm: first calls build TF graphs
    parses, seconds = asyncio.run(quality.parse_all(agent, texts))
    print(f"parse latency (warm, in-process Agent.parse_message): {ms(seconds)}, "
          f"mean {statistics.mean(seconds) * 1000:.2f} ms")
    report = quality.evaluate(parses)
    print("\n".join(report.lines()))
    failed = quality.failures(report)
    print("gates: " + ("all pass" if not failed else "FAIL\n  " + "\n  ".join(failed)))


def bench_crisis() -> None:
    out = subprocess.run([sys.executable, "-c", COLD_LOAD], cwd=ROOT, capture_output=True, text=True, check=True)
    load_s, spacy_s, peak_mb, rss_mb = out.stdout.split()
    print(f"crisis detector: cold load {float(load_s):.2f} s in a fresh process, of which importing spaCy "
          f"(and the TensorFlow it pulls in) {float(spacy_s):.2f} s; memory peak {peak_mb} MB, after load {rss_mb} MB")
    from bot.safety.crisis import detector

    detect = detector().detect
    texts = [t for _, t in quality.labelled(quality.CRISIS)] + quality.texts_to_parse()
    for text in texts:  # warm the per-word cache the way a running server has it
        detect(text)
    seconds = []
    for text in texts:
        start = time.perf_counter()
        detect(text)
        seconds.append(time.perf_counter() - start)
    print(f"crisis detect() per message, warm: {ms(seconds)}")
    detector()._token_keys.cache_clear()
    start = time.perf_counter()
    detect(LONG_MESSAGE)
    print(f"crisis detect() on a {len(LONG_MESSAGE)}-character message, cold word cache: "
          f"{(time.perf_counter() - start) * 1000:.2f} ms")


if __name__ == "__main__":
    bench_nlu(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "current.tar.gz")
    bench_crisis()
