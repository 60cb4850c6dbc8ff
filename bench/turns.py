"""Benchmark: conversation turn latency and process memory of the whole system.

Starts the real Rasa server, action server and coordination service (as the e2e tests do), then
measures (1) REST turn latency over full check-ins, (2) SMS round trip: signed webhook in -> reply
delivered by the fake operator, and (3) resident memory of each process. Prints numbers only.

    .venv/bin/python bench/turns.py [--checkins 20]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import percentile, rss_mib  # noqa: E402
from tests.stack import Stack  # noqa: E402

CHECKIN = ["tjek ind", "rød", "2 og 5", "Jeg sover dårligt", "ja"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkins", type=int, default=20)
    args = parser.parse_args()
    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-"))).start()
    try:
        coordinator = stack.api("POST", "/api/coordinators", json={"name": "Bench"}).json()
        rest_ms, sms_ms = [], []
        for i in range(args.checkins):
            phone = f"+4550{i:06d}"
            stack.api("POST", "/api/citizens", json={"name": f"B{i}", "phone": phone,
                                                     "coordinator_id": coordinator["id"]})
            for text in CHECKIN:
                started = time.perf_counter()
                stack.say(phone, text)
                rest_ms.append((time.perf_counter() - started) * 1000)
        for i in range(args.checkins):
            phone = f"+4551{i:06d}"
            stack.api("POST", "/api/citizens", json={"name": f"S{i}", "phone": phone,
                                                     "coordinator_id": coordinator["id"]})
            started = time.perf_counter()
            stack.text_and_wait(phone, "hjælp")
            sms_ms.append((time.perf_counter() - started) * 1000)
        print(f"REST turn latency over {len(rest_ms)} turns: p50 {percentile(rest_ms, 50):.0f} ms, "
              f"p95 {percentile(rest_ms, 95):.0f} ms, mean {statistics.mean(rest_ms):.0f} ms")
        print(f"SMS round trip (webhook -> Rasa -> outbox -> dispatcher -> fake operator) over {len(sms_ms)}: "
              f"p50 {percentile(sms_ms, 50):.0f} ms, p95 {percentile(sms_ms, 95):.0f} ms "
              f"(dispatcher polls every 0.2 s)")
        for name, proc in stack.procs.items():
            print(f"RSS {name}: {rss_mib(proc.pid):.0f} MiB")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
