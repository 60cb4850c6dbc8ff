"""Benchmark: conversation throughput of the development stack against a stock `rasa init` bot.

One run starts, from the same venv,
- a stock `rasa init` bot (trained once and cached under var/bench/, keyed by the Rasa version),
  served by `rasa run --enable-api` with its own REST channel and in-memory tracker store, and
- our development stack as `make run` runs it (tests.stack.Stack: Rasa, action server and
  coordination service on SQLite, every REST turn through the citizen gate with its token),
warms both up, then drives the same number of turns through each over the REST channel, CONCURRENCY
conversations at a time: our citizens do full short check-ins (colour, areas, free text, yes/no),
and every check-in is checked to be stored, complete, with the colour given; the stock bot's users
follow its own stories (greet / mood / goodbye). Prints turns/s, p50 and p95 of each, the ratios,
and the resident memory (VmRSS) of every process. Numbers only: nothing here asserts a time
(docs/testing.md; docs/performance.md has the run's numbers and what each change bought).

    .venv/bin/python bench/throughput.py [--citizens 40] [--concurrency 10]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import percentile, rss_mib, rss_split  # noqa: E402
from tests.ports import free_port  # noqa: E402
from tests.stack import Stack  # noqa: E402

BIN = Path(sys.executable).parent
# A full short check-in: the colour, the areas that fill most, a free-text note, yes to a call.
# Red and yellow alternate so both branches of the form run (tests/e2e/test_e2e_checkin.py).
CHECKINS = {
    "red": ["tjek ind", "rød", "2 og 5", "Jeg sover dårligt", "ja"],
    "yellow": ["tjek ind", "gul", "1 og 3", "Det går op og ned", "nej"],
}
# The stock bot's own stories (data/stories.yml of `rasa init`): the sad path that is cheered up,
# a bot challenge and goodbye; the happy path. The same number of turns as a check-in.
STOCK_CONVERSATIONS = [
    ["hello", "I am sad", "yes", "are you a bot?", "goodbye"],
    ["hi", "I am great", "are you a bot?", "perfect", "bye"],
]


def rasa_version() -> str:
    out = subprocess.run([str(BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


# --- the stock bot ---
def stock_bot_dir() -> Path:
    """A trained `rasa init` project, made once per Rasa version (training takes a minute or more)."""
    target = ROOT / "var" / "bench" / f"rasa-init-{rasa_version()}"
    if list((target / "models").glob("*.tar.gz")):
        return target
    work = Path(tempfile.mkdtemp(prefix="rasa-init-"))
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    print(f"training the stock rasa init bot into {target} (once per Rasa version) ...", flush=True)
    (work / "bot").mkdir()
    subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(work / "bot")],
                   cwd=work, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(work / "bot"), target)
    shutil.rmtree(work, ignore_errors=True)
    return target


@dataclass
class StockBot:
    project: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StockBot:
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
        model = sorted((self.project / "models").glob("*.tar.gz"))[-1]
        with open(self.project / "bench-rasa.log", "wb") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [str(BIN / "rasa"), "run", "--enable-api", "--port", str(self.port), "--model", str(model),
                 "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
                cwd=self.project, env=env, stdout=log, stderr=log)
        return self

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"stock rasa exited: {(self.project / 'bench-rasa.log').read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/status", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError("stock rasa not ready")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# --- driving conversations ---
@dataclass
class Run:
    turns_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    empty_replies: int = 0

    def line(self, name: str) -> str:
        return (f"{name:<18} {len(self.turns_ms):4d} turns in {self.seconds:6.1f} s: "
                f"{self.turns_per_s:5.1f} turns/s, p50 {percentile(self.turns_ms, 50):5.0f} ms, "
                f"p95 {percentile(self.turns_ms, 95):5.0f} ms")

    def add(self, other: Run) -> None:
        self.turns_ms += other.turns_ms
        self.seconds += other.seconds
        self.empty_replies += other.empty_replies

    @property
    def turns_per_s(self) -> float:
        return len(self.turns_ms) / self.seconds


async def drive(url: str, conversations: list[tuple[str, list[str]]], concurrency: int,
                headers: dict[str, str]) -> Run:
    """Each conversation's turns in order; `concurrency` conversations at once."""
    run = Run()
    queue: asyncio.Queue = asyncio.Queue()
    for conversation in conversations:
        queue.put_nowait(conversation)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            sender, texts = queue.get_nowait()
            for text in texts:
                started = time.perf_counter()
                async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                        headers=headers) as resp:
                    resp.raise_for_status()
                    body = await resp.json()
                run.turns_ms.append((time.perf_counter() - started) * 1000)
                if not any(m.get("text") for m in body):
                    run.empty_replies += 1

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        run.seconds = time.perf_counter() - started
    return run


def stock_conversations(prefix: str, count: int) -> list[tuple[str, list[str]]]:
    return [(f"{prefix}-{i}", STOCK_CONVERSATIONS[i % len(STOCK_CONVERSATIONS)]) for i in range(count)]


def enrol(stack: Stack, coordinator: dict, prefix: str, count: int) -> list[dict]:
    """`count` citizens, each with the check-in they will do."""
    citizens = []
    for i in range(count):
        resp = stack.api("POST", "/api/citizens", json={"name": f"{prefix}{i}", "phone": f"+45{prefix}{i:06d}",
                                                        "coordinator_id": coordinator["id"]})
        assert resp.status_code == 201, resp.text
        colour = list(CHECKINS)[i % len(CHECKINS)]
        citizens.append({**resp.json(), "colour": colour})
    return citizens


def check_stored(stack: Stack, coordinator: dict, citizens: list[dict]) -> None:
    """Every check-in really got stored: complete, with the colour the citizen gave."""
    for citizen in citizens:
        rows = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", coordinator["token"]).json()
        assert len(rows) == 1, (citizen["phone"], rows)
        assert rows[0]["complete"] is True and rows[0]["overall"] == citizen["colour"], (citizen["phone"], rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=40, help="full check-ins measured on our stack")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10, help="conversations before measuring, each side")
    parser.add_argument("--rounds", type=int, default=4, help="alternating measured rounds")
    parser.add_argument("--no-stock", action="store_true", help="our stack only (quicker, no ratios)")
    args = parser.parse_args()

    stock = None if args.no_stock else StockBot(stock_bot_dir())
    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-throughput-")))
    try:
        if stock:
            stock.start()
        stack.start()
        if stock:
            stock.wait_ready()
        coordinator = stack.api("POST", "/api/coordinators", json={"name": "Bench"}).json()
        warm = enrol(stack, coordinator, "40", args.warmup)
        measured = enrol(stack, coordinator, "41", args.citizens)

        def ours(citizens):
            return [(c["phone"], CHECKINS[c["colour"]]) for c in citizens]

        # Warm-up: both bots have loaded, compiled and cached what a turn needs before the clock runs.
        asyncio.run(drive(stack.rasa_url, ours(warm), args.concurrency, stack.rest_headers()))
        if stock:
            asyncio.run(drive(stock.url, stock_conversations("warm", args.warmup), args.concurrency, {}))
        # Measured in alternating rounds (ours, then the stock bot with as many turns), so a change in
        # the machine's load during the run (it is shared) falls on both sides alike.
        runs = {"development stack": Run()}
        if stock:
            runs["stock rasa init"] = Run()
        for index in range(args.rounds):
            part = measured[index::args.rounds]
            runs["development stack"].add(asyncio.run(
                drive(stack.rasa_url, ours(part), args.concurrency, stack.rest_headers())))
            if stock:
                turns = sum(len(texts) for _, texts in ours(part))
                users = stock_conversations(f"user{index}", turns // len(STOCK_CONVERSATIONS[0]))
                runs["stock rasa init"].add(asyncio.run(drive(stock.url, users, args.concurrency, {})))
        check_stored(stack, coordinator, warm + measured)

        print(f"\n{args.citizens} citizens, {args.concurrency} concurrent, REST channel "
              f"(Rasa {rasa_version()}, {os.cpu_count()} cores)")
        for name, run in runs.items():
            print(run.line(name) + (f"  ({run.empty_replies} turns without text)" if run.empty_replies else ""))
        if stock:
            ours_run, stock_run = runs["development stack"], runs["stock rasa init"]
            print(f"ratio ours/stock   throughput {ours_run.turns_per_s / stock_run.turns_per_s:.2f}x, "
                  f"p95 {percentile(ours_run.turns_ms, 95) / percentile(stock_run.turns_ms, 95):.2f}x")
        print(f"check-ins stored   {len(warm) + len(measured)}/{len(warm) + len(measured)} complete")
        memory = {f"ours {name}": proc.pid for name, proc in stack.procs.items()}
        if stock:
            memory["stock rasa"] = stock.proc.pid
        for name, pid in memory.items():
            print(f"RSS {name:<15} {rss_mib(pid):6.0f} MiB  ({rss_split(pid)})")
    finally:
        stack.stop()
        if stock:
            stock.stop()


if __name__ == "__main__":
    main()
