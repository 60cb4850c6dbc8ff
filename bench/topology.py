"""Benchmark: the production topology (tests/topology.py) with one Rasa server and with two.

Starts the documented production set-up from deploy/ (HAProxy as the one TLS address, two Rasa
servers each with its action server, two coordination services, PostgreSQL for both databases, a
Redis lock store, the fake GatewayAPI operator), then in the same run:
  (a) one Rasa server takes every turn: rasa2 is put in maintenance on HAProxy's admin socket
      (`set server rasa_sms/rasa2 state maint`), so deploy/haproxy.cfg is run unchanged;
  (b) both Rasa servers take turns (`state ready`; HAProxy's round robin alternates them).
In each, CITIZENS citizens at a time do full short check-ins over signed SMS MO webhooks through the
proxy (each slot runs CHECKINS fresh citizens one after another). A turn is one MO sent by the
citizen's phone -> its reply handed to the operator (the MT's arrival time at the fake gateway).
Every check-in is checked to be stored once, complete, with the colour given; every MO got a 200 at
its first attempt. Prints turns/s, p50 and p95 turn latency, the ratio two/one, the resident memory
of every process, and where the CPU went in each window (utime+stime from /proc/<pid>/stat per
process, PostgreSQL's backends of the two databases summed, the machine's total from /proc/stat),
with the throughput a core per process would allow: the busiest process's CPU-seconds per turn ->
turns/s at one core each. Numbers only: nothing here asserts a time (docs/testing.md); the run's
numbers and their explanation are in docs/performance.md, "Production topology".

PostgreSQL is reached directly (Topology(pg_relay=False)), as in production: the test's relay is one
Python thread carrying every query; `--relay` puts it back (its thread's CPU is then printed).
HAProxy's health checks of the SMS backend are off during the phases (Bench.health_checks says why;
`--keep-checks` keeps them).

    .venv/bin/python bench/topology.py [--citizens 30] [--checkins 4] [--repeat 1] [--relay] [--keep-checks]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.topology import Topology  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
# Full short check-ins, as bench/throughput.py drives them on the development stack: the colour,
# the areas that fill most, a free-text note, yes/no to a call. Red and yellow alternate.
SCRIPTS = {
    "red": ["tjek ind", "rød", "2 og 5", "Jeg sover dårligt", "ja"],
    "yellow": ["tjek ind", "gul", "1 og 3", "Det går op og ned", "nej"],
}
POLL_SECONDS = 0.2  # how often the operator's state is read; a turn's time comes from the MT's own stamp
REPLY_TIMEOUT = 180
SETTLE_SECONDS = 3.0  # > SMS_DISPATCH_INTERVAL (1 s): a turn's second message would have arrived


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- /proc ----------------------------------------------------------------------------------------
def cpu_seconds(stat_path: str) -> float:
    try:
        text = Path(stat_path).read_text()
    except OSError:
        return 0.0
    fields = text[text.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def all_processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (ppid, comm, cmdline)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        comm = stat[stat.find("(") + 1:stat.rfind(")")]
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        found[int(entry)] = (ppid, comm, cmdline)
    return found


def machine_busy() -> float:
    """CPU-seconds the whole machine spent busy (all cores, every user of this shared machine)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


class Groups:
    """The processes of the topology, by the names the report prints."""

    def __init__(self, topology: Topology):
        self.topology = topology

    def pids(self) -> dict[str, list[int]]:
        procs = all_processes()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in procs.items():
            children.setdefault(ppid, []).append(pid)

        def tree(pid: int) -> list[int]:
            out, todo = [], [pid]
            while todo:
                p = todo.pop()
                out.append(p)
                todo.extend(children.get(p, []))
            return out

        groups = {name: tree(proc.pid) for name, proc in sorted(self.topology.procs.items())}
        ours = (self.topology.coordination_db, self.topology.tracker_db)
        groups["postgres backends"] = [pid for pid, (_, comm, cmd) in procs.items()
                                       if comm == "postgres" and any(db in cmd for db in ours)]
        groups["postgres other (shared server)"] = [pid for pid, (_, comm, cmd) in procs.items()
                                                    if comm == "postgres" and not any(db in cmd for db in ours)]
        return groups

    def snapshot(self) -> dict[str, float]:
        """CPU-seconds so far per group; a pid is keyed so a backend that appears later counts from 0."""
        snap = {"machine": machine_busy(), "bench (client + poller)": cpu_seconds("/proc/self/stat")}
        relay = self.topology.relay
        if relay is not None:
            snap["pg relay thread (test device)"] = cpu_seconds(
                f"/proc/self/task/{relay._thread.native_id}/stat")
        for name, pids in self.pids().items():
            for pid in pids:
                snap[f"{name}\0{pid}"] = cpu_seconds(f"/proc/{pid}/stat")
        return snap


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    used: dict[str, float] = {}
    for key, value in after.items():
        name = key.split("\0")[0]
        used[name] = used.get(name, 0.0) + value - before.get(key, 0.0)
    return used


# --- the operator's side --------------------------------------------------------------------------
class Inboxes:
    """Reads the fake operator's state every POLL_SECONDS and hands each new MT to its phone's queue,
    with the time the operator stamped on it."""

    def __init__(self, topology: Topology, http: aiohttp.ClientSession):
        self.topology = topology
        self.http = http
        self.seen = 0
        self.queues: dict[int, asyncio.Queue] = {}
        self.state: dict = {}

    def queue(self, msisdn: str) -> asyncio.Queue:
        return self.queues.setdefault(int(msisdn.lstrip("+")), asyncio.Queue())

    async def run(self) -> None:
        while True:
            await self.read()
            await asyncio.sleep(POLL_SECONDS)

    async def read(self) -> None:
        async with self.http.get(f"{self.topology.gateway_url}/state") as resp:
            self.state = await resp.json()
        for mt in self.state["mt"][self.seen:]:
            at = datetime.fromisoformat(mt["at"]).timestamp()
            self.queue(str(mt["msisdn"])).put_nowait((at, mt["message"]))
        self.seen = len(self.state["mt"])


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    mo_ids: list[str] = field(default_factory=list)
    retried: int = 0
    marked_down: int = 0

    @property
    def turns(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.turns / (self.finished - self.started)


class Bench:
    def __init__(self, topology: Topology, args):
        self.t = topology
        self.args = args
        self.numbers = iter(range(40_000_001, 49_999_999))
        self.coordinator = self.t.api("POST", "/api/coordinators", json={"name": "Mette", "phone": "+4511223344"}).json()
        self.replies: dict[tuple[str, int], int] = {}  # (script, turn) -> SMS the turn sends, from the warm-up
        self.groups = Groups(topology)

    def citizens(self, count: int) -> list[tuple[dict, str]]:
        made = []
        for i in range(count):
            resp = self.t.api("POST", "/api/citizens", json={"name": "Bente", "phone": f"+45{next(self.numbers)}",
                                                             "coordinator_id": self.coordinator["id"]})
            assert resp.status_code == 201, resp.text
            made.append((resp.json(), "red" if i % 2 == 0 else "yellow"))
        return made

    async def send(self, http: aiohttp.ClientSession, msisdn: str, text: str, mo_id: str) -> None:
        async with http.post(f"{self.t.gateway_url}/phone/send",
                             json={"msisdn": msisdn.lstrip("+"), "message": text, "id": mo_id}) as resp:
            assert resp.status == 202, await resp.text()

    async def reply(self, queue: asyncio.Queue, msisdn: str, mo_id: str) -> tuple[float, str]:
        try:
            return await asyncio.wait_for(queue.get(), REPLY_TIMEOUT)
        except asyncio.TimeoutError:
            attempts = self.t.gateway_state()["mo"].get(mo_id, {}).get("attempts")
            raise AssertionError(f"no reply to {mo_id} from {msisdn} in {REPLY_TIMEOUT} s; "
                                 f"the operator's attempts: {attempts}") from None

    async def checkin(self, http, inboxes: Inboxes, citizen: dict, script: str, phase: Phase | None) -> None:
        msisdn = citizen["phone"]
        queue = inboxes.queue(msisdn)
        for turn, text in enumerate(SCRIPTS[script]):
            mo_id = f"mo-{msisdn.lstrip('+')}-{turn}"
            sent = time.time()  # the wall clock: a bench measures time; the operator stamps MTs with it
            await self.send(http, msisdn, text, mo_id)
            at, _ = await self.reply(queue, msisdn, mo_id)
            if phase is None:  # warm-up: learn how many SMS this turn sends
                await asyncio.sleep(SETTLE_SECONDS)
                extra = queue.qsize()
                for _ in range(extra):
                    queue.get_nowait()
                self.replies[(script, turn)] = max(self.replies.get((script, turn), 0), 1 + extra)
                continue
            for _ in range(self.replies[(script, turn)] - 1):
                at, _ = await self.reply(queue, msisdn, mo_id)
            phase.latencies.append(at - sent)
            phase.finished = max(phase.finished, at)
            phase.mo_ids.append(mo_id)

    async def drive(self, slots: list[list[tuple[dict, str]]], phase: Phase | None) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            inboxes = Inboxes(self.t, http)
            await inboxes.read()
            poller = asyncio.get_running_loop().create_task(inboxes.run())

            async def slot(citizens):
                for citizen, script in citizens:
                    await self.checkin(http, inboxes, citizen, script, phase)

            try:
                if phase is not None:
                    phase.cpu = self.groups.snapshot()
                    phase.started = time.time()
                await asyncio.gather(*(slot(s) for s in slots))
                if phase is not None:
                    await asyncio.sleep(POLL_SECONDS)  # the window ends at the last reply: at most one poll later
                    phase.cpu = cpu_delta(phase.cpu, self.groups.snapshot())
            finally:
                poller.cancel()

    def set_rasa2(self, state: str) -> None:
        self.t.wait_backends("UP", server="rasa1", timeout=60)
        answer = self.t.haproxy(f"set server rasa_sms/rasa2 state {state}")
        assert answer.strip() == "", answer
        if state == "ready":
            self.t.wait_backends("UP", server="rasa2", timeout=60)
        else:
            states = self.t.backend_states()
            assert states[("rasa_sms", "rasa2")] == "MAINT" and states[("rasa_sms", "rasa1")] == "UP", states

    def warm_up(self) -> None:
        self.set_rasa2("ready")
        made = self.citizens(max(4, self.args.warmup))
        # Both servers see every kind of turn (round robin), the counts of SMS per turn are learned.
        asyncio.run(self.drive([[c] for c in made], None))
        self.check_stored(made)

    def health_checks(self, on: bool) -> None:
        """HAProxy's checks of the SMS backend. deploy/haproxy.cfg checks every second with no
        `timeout check`, so a reply later than `inter` (1 s) counts as failed: a Rasa server whose
        event loop is saturated answers its check late, is marked DOWN and its sessions are shut
        (on-marked-down shutdown-sessions); with one server that is every MO (503, retried by the
        operator) and a cut webhook can lose its turn. Measuring capacity, the bench switches the
        checks of rasa_sms off (the servers count as UP); `--keep-checks` keeps them."""
        for server in ("rasa1", "rasa2"):
            answer = self.t.haproxy(f"{'enable' if on else 'disable'} health rasa_sms/{server}")
            assert answer.strip() == "", answer

    def flaps(self) -> int:
        return sum(1 for line in self.t.log("haproxy").splitlines()
                   if "Server rasa_sms/" in line and "is DOWN" in line and line.startswith("["))

    def run_phase(self, name: str, rasa2: str) -> Phase:
        self.set_rasa2(rasa2)
        if not self.args.keep_checks:
            self.health_checks(False)
        made = self.citizens(self.args.citizens * self.args.checkins)
        slots = [made[i::self.args.citizens] for i in range(self.args.citizens)]
        phase = Phase(name)
        flaps = self.flaps()
        asyncio.run(self.drive(slots, phase))
        phase.marked_down = self.flaps() - flaps
        self.check_stored(made)
        phase.retried = self.retried(phase)
        if not self.args.keep_checks:
            self.health_checks(True)
        return phase

    def check_stored(self, made: list[tuple[dict, str]]) -> None:
        for citizen, script in made:
            rows = self.t.api("GET", f"/api/citizens/{citizen['id']}/checkins").json()
            assert [(r["overall"], r["complete"]) for r in rows] == [(script, True)], (citizen["phone"], rows)

    def retried(self, phase: Phase) -> int:
        """MOs that did not get a 200 at their first attempt (the operator retried them)."""
        state = self.t.gateway_state()
        return sum(1 for m in phase.mo_ids if [a["status"] for a in state["mo"][m]["attempts"]] != [200])


def report_phase(phase: Phase, turns_for_cpu: int) -> None:
    lat = phase.latencies
    print(f"{phase.name}: {phase.turns} turns in {phase.finished - phase.started:.1f} s = {phase.rate:.1f} turns/s, "
          f"p50 {percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms, "
          f"mean {statistics.mean(lat) * 1000:.0f} ms; MOs retried by the operator {phase.retried}, "
          f"rasa_sms servers marked DOWN {phase.marked_down}")
    window = phase.finished - phase.started
    cpu = dict(phase.cpu)
    machine = cpu.pop("machine")
    ours = sum(v for k, v in cpu.items() if not k.startswith(("bench", "pg relay", "postgres other", "gateway")))
    print(f"  CPU-seconds in the {window:.1f} s window (machine capacity {2 * window:.1f} = 2 cores; "
          f"CPU-ms per turn; % of one core):")
    for name, used in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"    {name:34s} {used:7.2f} s  {used / turns_for_cpu * 1000:6.1f} ms/turn  {used / window * 100:5.1f} %")
    print(f"    {'topology total (ours)':34s} {ours:7.2f} s  {ours / turns_for_cpu * 1000:6.1f} ms/turn  "
          f"{ours / window * 100:5.1f} %")
    print(f"    {'machine total (all users)':34s} {machine:7.2f} s  {machine / turns_for_cpu * 1000:6.1f} ms/turn  "
          f"{machine / window * 100:5.1f} %  (busy {machine / (2 * window) * 100:.0f} % of 2 cores)")
    single = {k: v for k, v in cpu.items() if k.startswith(("rasa", "actions", "service", "haproxy", "redis"))}
    name, used = max(single.items(), key=lambda kv: kv[1])
    print(f"  a core per process: bottleneck {name} at {used / turns_for_cpu * 1000:.1f} CPU-ms/turn "
          f"-> {turns_for_cpu / used:.1f} turns/s; PostgreSQL backends together "
          f"{cpu['postgres backends'] / turns_for_cpu * 1000:.1f} CPU-ms/turn "
          f"-> {turns_for_cpu / max(cpu['postgres backends'], 1e-9):.1f} turns/s per core they get; "
          f"all of ours on 2 cores -> {2 * turns_for_cpu / ours:.1f} turns/s")


def report_memory(topology: Topology, groups: Groups) -> list[str]:
    over = []
    print("memory (VmRSS now / VmHWM peak, MiB):")
    for name, pids in groups.pids().items():
        if not pids:
            continue
        rss = sum(status_kib(p, "VmRSS") for p in pids) / 1024
        hwm = sum(status_kib(p, "VmHWM") for p in pids) / 1024
        label = f"{name} ({len(pids)} processes; shared buffers counted in each)" if name.startswith("postgres") else name
        print(f"  {label:60s} {rss:7.0f} / {hwm:7.0f}")
        if name.startswith("rasa") and max(rss, hwm) >= 800:
            over.append(f"{name}: {rss:.0f} / {hwm:.0f} MiB")
    print(f"  {'bench (client + poller' + (' + pg relay' if topology.relay else '') + ')':60s} "
          f"{status_kib(os.getpid(), 'VmRSS') / 1024:7.0f}")
    return over


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=30, help="citizens checking in at once")
    parser.add_argument("--checkins", type=int, default=4, help="check-ins per slot, one after another")
    parser.add_argument("--warmup", type=int, default=6, help="citizens checking in before the measurement")
    parser.add_argument("--repeat", type=int, default=1, help="measure one/two this many times, alternating")
    parser.add_argument("--relay", action="store_true", help="PostgreSQL through the test's relay thread")
    parser.add_argument("--keep-checks", action="store_true",
                        help="keep HAProxy's health checks of the SMS backend during the phases")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-topology-"))
    print(f"production topology: {args.citizens} citizens at once x {args.checkins} check-ins each per phase, "
          f"{len(SCRIPTS['red'])} turns per check-in, SMS through HAProxy; deploy/ defaults "
          f"(SMS_DISPATCH_INTERVAL 1 s); PostgreSQL {'through the relay' if args.relay else 'direct'}; "
          f"rasa_sms health checks {'kept' if args.keep_checks else 'off during the phases'}; "
          f"logs in {workdir}")
    started = time.monotonic()
    topology = Topology(workdir, pg_relay=args.relay).start()
    print(f"topology up in {time.monotonic() - started:.0f} s")
    try:
        bench = Bench(topology, args)
        bench.warm_up()
        several = ", ".join(f"{s}[{i}]={n}" for (s, i), n in sorted(bench.replies.items()) if n != 1)
        print(f"SMS per turn (learned in the warm-up): {several or 'one each'}")
        results: dict[str, list[Phase]] = {"one": [], "two": []}
        for r in range(args.repeat):
            for name, state in (("one", "maint"), ("two", "ready")):
                phase = bench.run_phase(f"{'one Rasa server' if name == 'one' else 'two Rasa servers'} (run {r + 1})",
                                        state)
                results[name].append(phase)
                report_phase(phase, phase.turns)
        for r, (one, two) in enumerate(zip(results["one"], results["two"])):
            print(f"ratio two/one (run {r + 1}): turns/s {two.rate / one.rate:.2f}x, "
                  f"p50 {percentile(two.latencies, 50) / percentile(one.latencies, 50):.2f}x, "
                  f"p95 {percentile(two.latencies, 95) / percentile(one.latencies, 95):.2f}x")
        over = report_memory(topology, bench.groups)
        print(f"Rasa under 800 MiB: {'yes' if not over else 'NO: ' + '; '.join(over)}")
    finally:
        topology.stop()
    if over:
        sys.exit(1)


if __name__ == "__main__":
    main()
