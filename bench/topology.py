"""Benchmark: the production topology (tests/topology.py) with one Rasa server and with two.

Starts the documented production set-up from deploy/ (HAProxy as the one TLS address, two Rasa
servers each with its action server, two coordination services, PostgreSQL for both databases, a
Redis lock store, the fake GatewayAPI operator), then in the same run:
  (a) one Rasa server takes every turn: rasa2 is put in maintenance on HAProxy's admin socket
      (`set server rasa_sms/rasa2 state maint`), so deploy/haproxy.cfg is run unchanged;
  (b) both Rasa servers take turns (`state ready`; deploy/haproxy.cfg sends each citizen's SMS to one
      of them, by a hash of the number).
With `--repeat`, every second run takes (b) before (a), so a steady drift through the run cancels. In
each, CITIZENS citizens at a time do full short check-ins over signed SMS MO webhooks through the
proxy (CITIZENS x CHECKINS fresh citizens per phase; a slot whose check-in is done takes the next
one). A turn is one MO sent by the citizen's phone -> its reply handed to the operator (the MT's
arrival time at the fake gateway). Every check-in is checked to be stored once, complete, with the
colour given; every MO got a 200 at its first attempt. Prints turns/s over the whole window and
steady (10 %->90 % of the turns' completions: without the start and the last tenth; it still counts
part of the drain at the end, when the last check-ins may all be on one server), the MOs each Rasa
server answered, p50 and p95 turn latency, the ratio two/one, the resident memory of every process,
and where the CPU went in each window (utime+stime from /proc/<pid>/stat per process, PostgreSQL's
backends of the two databases summed, the machine's total from /proc/stat with its interrupts and
the hypervisor's steal, which no process's count holds), with the throughput a core per process
would allow: the busiest process's CPU-seconds per turn -> turns/s at one core each. Numbers only:
nothing here asserts a time (docs/testing.md); the run's numbers and their explanation are in
docs/performance.md, "Production topology".

PostgreSQL is reached directly (Topology(pg_relay=False)), as in production: the test's relay is one
Python thread carrying every query; `--relay` puts it back (its thread's CPU is then printed).
HAProxy's health checks of the SMS backend are off during the phases (Bench.health_checks says why;
`--keep-checks` keeps them).

    .venv/bin/python bench/topology.py [--citizens 30] [--checkins 4] [--repeat 1] [--relay] [--keep-checks]

`--interleave PAIRS` measures the same ratio without whole phases: one stream of check-ins (CITIZENS at
a time, fresh citizens) runs while rasa2 is switched between maintenance and ready every `--window`
seconds (30), in the order one, two, two, one, ...; turns whose last reply arrives in a window's last
`--window` - `--settle` seconds count for its configuration. The machine's speed drifts from minute to
minute; a phase-by-phase run puts each configuration on different minutes, and every phase ends in a
drain. Interleaved, both share the same minutes and none drains. Prints each window's rate, each
adjacent pair's ratio, and per configuration, its windows pooled: turns/s, latency and the CPU profile.

    .venv/bin/python bench/topology.py --citizens 90 --interleave 8 [--window 30] [--settle 8]

`--proactive N` measures a proactive round instead of turns (issue 13: 10,000 check-in prompts
handed to the gateway within 10 minutes): the services' scheduler loops run every second on the
real clock (SCHEDULER_INTERVAL_SECONDS=1, the widest daytime window, as
tests/e2e/test_production_topology.py sets them); N citizens are registered through the use case
(bot/citizens/registration.py) directly in the coordination database, each with a check-in prompt
parked a month ahead, in batches; one UPDATE then makes every prompt due at once. From that commit
until the fake operator has N prompts: prompts/s, total time, duplicates (a phone prompted twice),
misses, the jobs' outcomes and the CPU of every process in the window. Both Rasa servers take
trigger_intent (HAProxy's rasa_api backend); `--proactive-one` adds a phase on N fresh citizens with
rasa2 in maintenance on rasa_api, for the ratio. docs/performance.md, "Proactive round on the topology".

    .venv/bin/python bench/topology.py --proactive 10000 [--proactive-one]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import percentile, rss_split, steady_rate  # noqa: E402
from tests.topology import Topology  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
# Full short check-ins, as bench/throughput.py drives them on the development stack: the colour,
# the areas that fill most, a free-text note, yes/no to a call. Red and yellow alternate.
SCRIPTS = {
    "red": ["tjek ind", "rød", "2 og 5", "Jeg sover dårligt", "ja"],
    "yellow": ["tjek ind", "gul", "1 og 3", "Det går op og ned", "nej"],
}
# With --interleave, citizens are registered for this many turns a second over all windows (more
# than two Rasa servers give here); a run that still runs out drops the windows it could not load.
INTERLEAVE_TURNS_PER_SECOND = 36
POLL_SECONDS = 0.2  # how often the operator's state is read; a turn's time comes from the MT's own stamp
REPLY_TIMEOUT = 180
SETTLE_SECONDS = 3.0  # > SMS_DISPATCH_INTERVAL (1 s): a turn's second message would have arrived


# --- /proc ----------------------------------------------------------------------------------------
def _stat_seconds(stat_path: str, first: int) -> float:
    """Two adjacent clock-tick fields of a /proc stat file, counted after the command name, summed
    in seconds; 0 for a process that has gone."""
    try:
        text = Path(stat_path).read_text()
    except OSError:
        return 0.0
    fields = text[text.rfind(")") + 2:].split()
    return (int(fields[first]) + int(fields[first + 1])) / TICK


def cpu_seconds(stat_path: str) -> float:
    return _stat_seconds(stat_path, 11)  # utime + stime


def ended_children_cpu_seconds(stat_path: str) -> float:
    """The CPU of a process's children that have ended and been waited for (cutime + cstime): for
    PostgreSQL's postmaster, the backends and autovacuum workers that started and ended within a
    window, which no per-process count sees (a pool's overflow connections are such backends)."""
    return _stat_seconds(stat_path, 13)


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


def machine_busy() -> dict[str, float]:
    """CPU-seconds the whole machine spent busy (all cores, every user of this shared machine), and
    two parts of it no process's own count holds: the time the hypervisor gave the virtual cores to
    someone else (steal: busy for us, no work of ours done) and interrupt handling (irq + softirq:
    much of the loopback network's work). proc(5), /proc/stat: user nice system idle iowait irq
    softirq steal."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return {"machine": (sum(values[:8]) - idle) / TICK, "machine steal": values[7] / TICK,
            "machine irq": (values[5] + values[6]) / TICK}


def machine_part(cpu: dict[str, float]) -> dict[str, float]:
    """machine_busy's keys, taken out of a window's CPU counts (the rest are processes)."""
    return {key: cpu.pop(key) for key in ("machine", "machine steal", "machine irq")}


def report_machine(cpu: dict[str, float], count: int, unit: str, window: float) -> None:
    """The machine's lines of a window's CPU report (`cpu`: machine_busy's keys, over the window)."""
    machine, steal, irq = cpu["machine"], cpu["machine steal"], cpu["machine irq"]
    print(f"    {'machine total (all users)':34s} {machine:7.2f} s  {machine / count * 1000:6.1f} ms/{unit}  "
          f"{machine / window * 100:5.1f} %  (busy {machine / (2 * window) * 100:.0f} % of 2 cores)")
    for name, used in (("of it: interrupts (irq, softirq)", irq), ("of it: stolen by the hypervisor", steal)):
        print(f"    {name:34s} {used:7.2f} s  {used / count * 1000:6.1f} ms/{unit}  {used / window * 100:5.1f} %")


def database_counts(db, topology: Topology) -> dict[tuple[str, str], int]:
    """PostgreSQL's own counts so far for the two databases (pg_stat_database): transactions
    committed, and sessions, i.e. connections opened (each one a backend process forked)."""
    import sqlalchemy as sa
    names = {topology.coordination_db: "coordination", topology.tracker_db: "tracker store"}
    rows = db.call(lambda s: s.execute(
        sa.text("SELECT datname, xact_commit, sessions FROM pg_stat_database WHERE datname IN :names")
        .bindparams(sa.bindparam("names", expanding=True)), {"names": list(names)}).all())
    counts = {}
    for datname, committed, sessions in rows:
        counts[names[datname], "commits"] = committed
        counts[names[datname], "connections opened"] = sessions
    return counts


def report_counts(counts: dict[tuple[str, str], int], count: int, unit: str) -> None:
    print("  PostgreSQL in the window (pg_stat_database): " + "; ".join(
        f"{d} {c} commits ({c / max(count, 1):.1f} per {unit}), "
        f"{counts.get((d, 'connections opened'), 0)} connections opened"
        for (d, kind), c in sorted(counts.items()) if kind == "commits"))


ENDED = "postgres processes ended in the window"


class Groups:
    """The processes of the topology, by the names the report prints."""

    def __init__(self, topology: Topology):
        self.topology = topology

    def pids(self, procs: dict[int, tuple[int, str, str]]) -> dict[str, list[int]]:
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
        snap = {**machine_busy(), "bench (client + poller)": cpu_seconds("/proc/self/stat")}
        relay = self.topology.relay
        if relay is not None:
            snap["pg relay thread (test device)"] = cpu_seconds(
                f"/proc/self/task/{relay._thread.native_id}/stat")
        procs = all_processes()
        for name, pids in self.pids(procs).items():
            for pid in pids:
                snap[f"{name}\0{pid}"] = cpu_seconds(f"/proc/{pid}/stat")
        for pid, (ppid, comm, _) in procs.items():
            if comm == "postgres" and procs.get(ppid, (0, "", ""))[1] != "postgres":  # the postmaster
                snap[f"{ENDED}\0{pid}"] = ended_children_cpu_seconds(f"/proc/{pid}/stat")
        return snap


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    used: dict[str, float] = {}
    for key, value in after.items():
        name = key.split("\0")[0]
        used[name] = used.get(name, 0.0) + value - before.get(key, 0.0)
    # A backend alive at the window's start and ended within it: the postmaster's count holds its
    # whole life, so what it had used before the window comes off.
    for key, value in before.items():
        name = key.split("\0")[0]
        if key not in after and name.startswith("postgres") and name != ENDED:
            used[ENDED] = used.get(ENDED, 0.0) - value
    return used


# --- the operator's side --------------------------------------------------------------------------
class Inboxes:
    """Reads the fake operator's new MTs every POLL_SECONDS and hands each to its phone's queue, with
    the time the operator stamped on it. Only the new ones: the poller and the operator run on the
    same cores as the topology, and reading the whole state five times a second cost them ~8 CPU-ms
    per measured turn by the end of a run (docs/performance.md)."""

    def __init__(self, topology: Topology, http: aiohttp.ClientSession):
        self.topology = topology
        self.http = http
        self.seen = 0
        self.queues: dict[int, asyncio.Queue] = {}

    def queue(self, msisdn: str) -> asyncio.Queue:
        return self.queues.setdefault(int(msisdn.lstrip("+")), asyncio.Queue())

    async def run(self) -> None:
        while True:
            await self.read()
            await asyncio.sleep(POLL_SECONDS)

    async def read(self) -> None:
        async with self.http.get(f"{self.topology.gateway_url}/state", params={"mt_from": self.seen}) as resp:
            new = (await resp.json())["mt"]
        for mt in new:
            at = datetime.fromisoformat(mt["at"]).timestamp()
            self.queue(str(mt["msisdn"])).put_nowait((at, mt["message"]))
        self.seen += len(new)


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    done: list[float] = field(default_factory=list)  # each turn's last reply's arrival, the operator's stamp
    by_server: dict[str, int] = field(default_factory=dict)  # MO webhooks each Rasa server answered (HAProxy's log)
    started: float = 0.0
    finished: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    mo_ids: list[str] = field(default_factory=list)
    retried: int = 0
    retry_reasons: dict[str, int] = field(default_factory=dict)  # what a retried MO's first attempt got
    marked_down: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # database_counts in the window
    ran_out: float = 0.0  # when a slot first found no citizen left to begin (0: never)

    @property
    def turns(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.turns / (self.finished - self.started)

    @property
    def steady_rate(self) -> float:
        """Without the phase's start (every slot's first MO at once) and its last tenth (the slots
        drain, and the last ones may all be on one server: citizens are spread by a hash of their
        number), as the proactive round's rate (docs/performance.md, "Round 6")."""
        return steady_rate(self.done)


@dataclass
class Window:
    """One window of an interleaved run (`--interleave`): rasa2 in maintenance ("one") or ready
    ("two"). Turns count by their last reply's arrival in [counted, ended); `counted` is `settle`
    seconds after the switch; `carried` says how many of its turns began before the switch (under
    the configuration before: `--settle` too short if many)."""
    mode: str
    switched: float
    counted: float
    ended: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # cpu_delta over [counted, ended]
    done: list[float] = field(default_factory=list)  # its turns' completions
    latencies: list[float] = field(default_factory=list)
    carried: int = 0

    @property
    def seconds(self) -> float:
        return self.ended - self.counted

    @property
    def rate(self) -> float:
        return len(self.done) / self.seconds


class Bench:
    def __init__(self, topology: Topology, args):
        self.t = topology
        self.args = args
        self.numbers = iter(range(40_000_001, 49_999_999))
        self.coordinator = self.t.api("POST", "/api/coordinators", json={"name": "Mette", "phone": "+4511223344"}).json()
        self.replies: dict[tuple[str, int], int] = {}  # (script, turn) -> SMS the turn sends, from the warm-up
        self.groups = Groups(topology)
        from bot.db.database import Database
        self.db = Database(f"postgresql://root@127.0.0.1:5432/{topology.coordination_db}")

    def citizens(self, count: int) -> list[tuple[dict, str]]:
        """Registered now, and planned now: one scheduler tick plans their course (the baseline
        outcome round, the check-in prompts) before the measurement, as it does for a municipality's
        citizens long before a Monday's check-ins. Without it the services' next tick (every 60 s)
        plans all of a phase's fresh citizens inside the window: onboarding work counted as turns,
        and in a different number of windows from run to run (docs/performance.md)."""
        made = []
        for i in range(count):
            resp = self.t.api("POST", "/api/citizens", json={"name": "Bente", "phone": f"+45{next(self.numbers)}",
                                                             "coordinator_id": self.coordinator["id"]})
            assert resp.status_code == 201, resp.text
            made.append((resp.json(), "red" if i % 2 == 0 else "yellow"))
        ids = [citizen["id"] for citizen, _ in made]
        resp = self.t.api("POST", "/api/scheduler/tick", json={"citizen_ids": ids}, timeout=120)
        assert resp.status_code == 200, resp.text
        assert resp.json()["jobs"] == [], resp.json()  # planned for later: nothing of theirs is due yet
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
            phase.done.append(at)
            phase.finished = max(phase.finished, at)
            phase.mo_ids.append(mo_id)

    async def drive(self, made: list[tuple[dict, str]], at_once: int, phase: Phase | None,
                    control: Callable[[], Awaitable[None]] | None = None) -> list[tuple[dict, str]]:
        """`made`'s check-ins, `at_once` at a time: a slot that finishes one takes the next citizen
        not started yet, so every slot is busy until the last check-ins began (with a fixed share per
        slot, the slots whose citizens the hash put on the busier server finished last, alone).
        With `control`, it runs alongside, and once it returns no new check-in begins (those under
        way are finished). Returns the citizens whose check-in began; `phase.ran_out` is when the
        first slot found no citizen left."""
        begun: list[tuple[dict, str]] = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            inboxes = Inboxes(self.t, http)
            await inboxes.read()
            poller = asyncio.get_running_loop().create_task(inboxes.run())

            waiting = iter(made)
            stop = asyncio.Event()

            async def slot():
                for citizen, script in waiting:
                    begun.append((citizen, script))
                    await self.checkin(http, inboxes, citizen, script, phase)
                    if stop.is_set():
                        return
                if phase is not None and not phase.ran_out:
                    phase.ran_out = time.time()

            async def controlled():
                try:
                    await control()
                finally:
                    stop.set()

            measured = phase is not None and control is None  # the whole drive is the window (with
            # `control`, the windows are control's own)
            try:
                if measured:
                    phase.counts = database_counts(self.db, self.t)
                    phase.cpu = self.groups.snapshot()
                    phase.started = time.time()
                await asyncio.gather(*(slot() for _ in range(at_once)), *([controlled()] if control else []))
                if measured:
                    await asyncio.sleep(POLL_SECONDS)  # the window ends at the last reply: at most one poll later
                    phase.cpu = cpu_delta(phase.cpu, self.groups.snapshot())
                    after = database_counts(self.db, self.t)
                    phase.counts = {k: after[k] - phase.counts.get(k, 0) for k in after}
            finally:
                poller.cancel()
        return begun

    def set_rasa2(self, state: str) -> None:
        self.t.wait_backends("UP", server="rasa1", timeout=60)
        self.switch_rasa2(state)
        if state == "ready":
            self.t.wait_backends("UP", server="rasa2", timeout=60)
        else:
            states = self.t.backend_states()
            assert states[("rasa_sms", "rasa2")] == "MAINT" and states[("rasa_sms", "rasa1")] == "UP", states

    def warm_up(self) -> None:
        self.set_rasa2("ready")
        made = self.citizens(max(4, self.args.warmup))
        # Both servers see every kind of turn (citizens spread by number), the SMS per turn are learned.
        asyncio.run(self.drive(made, len(made), None))
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

    def mo_by_server(self) -> Counter:
        """MO webhooks answered so far per Rasa server, from HAProxy's log (`%b/%s` of each request)."""
        return Counter(word.split("/")[1] for line in self.t.log("haproxy").splitlines()
                       if "/webhooks/sms/webhook" in line
                       for word in line.split() if word.startswith("rasa_sms/"))

    def flaps(self) -> int:
        return sum(1 for line in self.t.log("haproxy").splitlines()
                   if "Server rasa_sms/" in line and "is DOWN" in line and line.startswith("["))

    def run_phase(self, name: str, rasa2: str) -> Phase:
        self.set_rasa2(rasa2)
        if not self.args.keep_checks:
            self.health_checks(False)
        made = self.citizens(self.args.citizens * self.args.checkins)
        phase = Phase(name)
        flaps, served = self.flaps(), self.mo_by_server()
        asyncio.run(self.drive(made, self.args.citizens, phase))
        phase.marked_down = self.flaps() - flaps
        self.check_stored(made)
        # HAProxy logs a webhook once its answer is out, which can be after the reply's SMS reached
        # the operator: wait (briefly) for every MO's line.
        deadline = time.time() + 5
        while True:
            counted = self.mo_by_server() - served
            if sum(counted.values()) >= len(phase.mo_ids) or time.time() > deadline:
                break
            time.sleep(0.1)
        phase.by_server = dict(sorted(counted.items()))
        phase.retried = self.retried(phase)
        if not self.args.keep_checks:
            self.health_checks(True)
        return phase

    def switch_rasa2(self, state: str) -> None:
        """rasa2 put in `state` on HAProxy's admin socket; waits for HAProxy's own state only (a
        ready server is UP, or "no check" while the checks are off), as a switch in the middle of a
        stream needs. set_rasa2 also waits for the health checks."""
        answer = self.t.haproxy(f"set server rasa_sms/rasa2 state {state}")
        assert answer.strip() == "", answer
        want = {"MAINT"} if state == "maint" else {"UP", "no"}
        deadline = time.monotonic() + 30
        while (seen := self.t.backend_states()[("rasa_sms", "rasa2")]) not in want:
            assert time.monotonic() < deadline, f"rasa2 is {seen}, not {want}"
            time.sleep(0.05)

    def run_interleaved(self, pairs: int, seconds: float, settle: float) -> tuple[list[Window], Phase]:
        """One stream of check-ins (CITIZENS at a time, fresh citizens) while rasa2 is switched
        between maintenance and ready every `seconds`, in the order one, two, two, one, ...: the
        two configurations share the same minutes of the machine, whose CPU per turn differed up to
        1.7x between windows a minute apart (docs/performance.md, "Round 11"). A conversation moved
        from one server to the other carries on: both read the shared tracker store."""
        if not self.args.keep_checks:
            self.health_checks(False)
        estimate = int(2 * pairs * seconds * INTERLEAVE_TURNS_PER_SECOND / len(SCRIPTS["red"])) + self.args.citizens
        started = time.monotonic()
        made = self.citizens(estimate)
        print(f"{estimate} citizens registered and planned in {time.monotonic() - started:.0f} s", flush=True)
        phase = Phase("interleaved")
        windows: list[Window] = []

        def stamped() -> tuple[dict[str, float], float]:
            snapshot = self.groups.snapshot()
            return snapshot, time.time()

        async def switch() -> None:
            for i in range(2 * pairs):
                mode = ("one", "two", "two", "one")[i % 4]
                await asyncio.to_thread(self.switch_rasa2, "maint" if mode == "one" else "ready")
                switched = time.time()
                await asyncio.sleep(settle)
                before, counted = await asyncio.to_thread(stamped)
                await asyncio.sleep(seconds - settle)
                after, ended = await asyncio.to_thread(stamped)
                windows.append(Window(mode, switched, counted, ended, cpu_delta(before, after)))
                if phase.ran_out:
                    return

        flaps, served = self.flaps(), self.mo_by_server()
        begun = asyncio.run(self.drive(made, self.args.citizens, phase, switch))
        phase.marked_down = self.flaps() - flaps
        self.check_stored(begun)
        phase.by_server = dict(sorted((self.mo_by_server() - served).items()))
        phase.retried = self.retried(phase)
        self.switch_rasa2("ready")
        if not self.args.keep_checks:
            self.health_checks(True)
        for window in windows:
            for at, latency in zip(phase.done, phase.latencies):
                if window.counted <= at < window.ended:
                    window.done.append(at)
                    window.latencies.append(latency)
                    window.carried += at - latency < window.switched
        if phase.ran_out:  # the last windows were not fully loaded: left out, and whole pairs kept
            windows = [w for w in windows if w.ended <= phase.ran_out]
            windows = windows[:len(windows) // 2 * 2]
            print(f"the citizens ran out after {len(windows)} full windows; raise INTERLEAVE_TURNS_PER_SECOND")
        return windows, phase

    def check_stored(self, made: list[tuple[dict, str]]) -> None:
        for citizen, script in made:
            rows = self.t.api("GET", f"/api/citizens/{citizen['id']}/checkins").json()
            assert [(r["overall"], r["complete"]) for r in rows] == [(script, True)], (citizen["phone"], rows)

    def retried(self, phase: Phase) -> int:
        """MOs that did not get a 200 at their first attempt (the operator retried them); what the
        first attempts got instead is kept in `phase.retry_reasons`."""
        state = self.t.gateway_state()
        firsts = [state["mo"][m]["attempts"] for m in phase.mo_ids]
        failed = [attempts[0] for attempts in firsts if [a["status"] for a in attempts] != [200]]
        phase.retry_reasons = dict(Counter(str(a.get("status") or a.get("error")) for a in failed))
        return len(failed)


def report_phase(phase: Phase, turns_for_cpu: int) -> None:
    lat = phase.latencies
    print(f"{phase.name}: {phase.turns} turns in {phase.finished - phase.started:.1f} s = {phase.rate:.1f} turns/s, "
          f"p50 {percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms, "
          f"mean {statistics.mean(lat) * 1000:.0f} ms; MOs retried by the operator {phase.retried}"
          f"{' ' + str(phase.retry_reasons) if phase.retry_reasons else ''}, "
          f"rasa_sms servers marked DOWN {phase.marked_down}")
    print(f"  steady (10 %->90 % of the turns' completions) {phase.steady_rate:.1f} turns/s; MOs per server "
          + ", ".join(f"{server} {count}" for server, count in phase.by_server.items()))
    report_counts(phase.counts, phase.turns, "turn")
    report_cpu(phase.cpu, turns_for_cpu, phase.finished - phase.started)


def report_cpu(cpu: dict[str, float], turns_for_cpu: int, window: float) -> None:
    """Where the CPU went in a window of `window` seconds (cpu_delta's groups), per turn and as a
    share of one core, and the throughput a core per process would allow."""
    cpu = dict(cpu)
    machine = machine_part(cpu)
    ours = sum(v for k, v in cpu.items() if not k.startswith(("bench", "pg relay", "postgres other", "gateway")))
    print(f"  CPU-seconds in the {window:.1f} s window (machine capacity {2 * window:.1f} = 2 cores; "
          f"CPU-ms per turn; % of one core):")
    for name, used in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"    {name:34s} {used:7.2f} s  {used / turns_for_cpu * 1000:6.1f} ms/turn  {used / window * 100:5.1f} %")
    print(f"    {'topology total (ours)':34s} {ours:7.2f} s  {ours / turns_for_cpu * 1000:6.1f} ms/turn  "
          f"{ours / window * 100:5.1f} %")
    report_machine(machine, turns_for_cpu, "turn", window)
    single = {k: v for k, v in cpu.items() if k.startswith(("rasa", "actions", "service", "haproxy", "redis"))}
    name, used = max(single.items(), key=lambda kv: kv[1])
    print(f"  a core per process: bottleneck {name} at {used / turns_for_cpu * 1000:.1f} CPU-ms/turn "
          f"-> {turns_for_cpu / used:.1f} turns/s; PostgreSQL backends together "
          f"{cpu['postgres backends'] / turns_for_cpu * 1000:.1f} CPU-ms/turn "
          f"-> {turns_for_cpu / max(cpu['postgres backends'], 1e-9):.1f} turns/s per core they get; "
          f"all of ours on 2 cores -> {2 * turns_for_cpu / ours:.1f} turns/s")


def report_interleaved(windows: list[Window], phase: Phase, settle: float) -> None:
    print(f"interleaved: {len(windows)} windows (one, two, two, one, ...), {settle:.0f} s after each switch not "
          f"counted; {phase.turns} turns in all, MOs retried by the operator {phase.retried}"
          f"{' ' + str(phase.retry_reasons) if phase.retry_reasons else ''}, rasa_sms servers marked DOWN "
          f"{phase.marked_down}; MOs per server " + ", ".join(f"{k} {v}" for k, v in phase.by_server.items()))
    for i, w in enumerate(windows):
        rasa = sum(v for k, v in w.cpu.items() if k.startswith("rasa"))
        print(f"  window {i + 1:2d} {w.mode}: {len(w.done):4d} turns in {w.seconds:.1f} s = {w.rate:5.1f} turns/s; "
              f"machine busy {w.cpu['machine'] / (2 * w.seconds) * 100:3.0f} %, "
              f"{w.cpu['machine'] / max(len(w.done), 1) * 1000:5.1f} CPU-ms/turn, "
              f"Rasa {rasa / max(len(w.done), 1) * 1000:5.1f}; begun before the switch {w.carried}")
    pairs = [(a, b) if a.mode == "one" else (b, a) for a, b in zip(windows[::2], windows[1::2])]
    ratios = [two.rate / one.rate for one, two in pairs if one.done]
    if ratios:
        print("  two/one per adjacent pair: " + ", ".join(f"{r:.2f}" for r in ratios)
              + f" (median {statistics.median(ratios):.2f})")
    rates = {}
    for mode in ("one", "two"):
        mine = [w for w in windows if w.mode == mode]
        if not mine:
            return
        turns, seconds = sum(len(w.done) for w in mine), sum(w.seconds for w in mine)
        if not turns:
            print(f"no turns in the windows of {mode}")
            return
        latencies = [lat for w in mine for lat in w.latencies]
        rates[mode] = turns / seconds
        cpu: dict[str, float] = {}
        for w in mine:
            for k, v in w.cpu.items():
                cpu[k] = cpu.get(k, 0.0) + v
        print(f"{'one Rasa server' if mode == 'one' else 'two Rasa servers'}, {len(mine)} windows pooled: "
              f"{turns} turns in {seconds:.1f} s = {rates[mode]:.1f} turns/s, p50 {percentile(latencies, 50) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 95) * 1000:.0f} ms")
        report_cpu(cpu, turns, seconds)
    print(f"ratio two/one, all windows pooled: turns/s {rates['two'] / rates['one']:.2f}x")


def report_memory(topology: Topology, groups: Groups) -> list[str]:
    over = []
    print("memory (VmRSS now / VmHWM peak, MiB):")
    for name, pids in groups.pids(all_processes()).items():
        if not pids:
            continue
        rss = sum(status_kib(p, "VmRSS") for p in pids) / 1024
        hwm = sum(status_kib(p, "VmHWM") for p in pids) / 1024
        label = f"{name} ({len(pids)} processes; shared buffers counted in each)" if name.startswith("postgres") else name
        split = f"  ({rss_split(pids[0])})" if len(pids) == 1 else ""
        print(f"  {label:60s} {rss:7.0f} / {hwm:7.0f}{split}")
        if name.startswith("rasa") and max(rss, hwm) >= 800:
            over.append(f"{name}: {rss:.0f} / {hwm:.0f} MiB")
    print(f"  {'bench (client + poller' + (' + pg relay' if topology.relay else '') + ')':60s} "
          f"{status_kib(os.getpid(), 'VmRSS') / 1024:7.0f}")
    return over


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=30, help="citizens checking in at once")
    parser.add_argument("--checkins", type=int, default=4, help="a phase has citizens x checkins fresh citizens")
    parser.add_argument("--warmup", type=int, default=6, help="citizens checking in before the measurement")
    parser.add_argument("--repeat", type=int, default=1, help="measure one/two this many times, alternating")
    parser.add_argument("--relay", action="store_true", help="PostgreSQL through the test's relay thread")
    parser.add_argument("--keep-checks", action="store_true",
                        help="keep HAProxy's health checks of the SMS backend during the phases")
    parser.add_argument("--interleave", type=int, default=0, metavar="PAIRS",
                        help="instead of whole phases: one stream of check-ins, rasa2 switched every --window s")
    parser.add_argument("--window", type=float, default=30.0, help="with --interleave: seconds per window")
    parser.add_argument("--settle", type=float, default=8.0,
                        help="with --interleave: seconds after a switch that are not counted")
    parser.add_argument("--proactive", type=int, default=0, metavar="N",
                        help="measure a proactive round of N check-in prompts instead of turns")
    parser.add_argument("--proactive-one", action="store_true",
                        help="with --proactive: a second round on N fresh citizens with rasa2 in maintenance")
    args = parser.parse_args()
    if args.interleave and args.window <= args.settle:
        parser.error("--window must be longer than --settle")
    if args.proactive:
        proactive_main(args)
        return
    workdir = Path(tempfile.mkdtemp(prefix="bench-topology-"))
    per = (f"one stream, rasa2 switched every {args.window:.0f} s, {args.interleave} pairs" if args.interleave
           else f"x {args.checkins} check-ins each per phase")
    print(f"production topology: {args.citizens} citizens at once {per}, "
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
        if args.interleave:
            windows, phase = bench.run_interleaved(args.interleave, args.window, args.settle)
            report_interleaved(windows, phase, args.settle)
        else:
            run_phases(bench, args.repeat)
        over = report_memory(topology, bench.groups)
        print(f"Rasa under 800 MiB: {'yes' if not over else 'NO: ' + '; '.join(over)}")
        bench.db.dispose()
    finally:
        topology.stop()
    if over:
        sys.exit(1)


def run_phases(bench: Bench, repeat: int) -> None:
    """One and two Rasa servers in whole phases, `repeat` times each, with the ratios."""
    results: dict[str, list[Phase]] = {"one": [], "two": []}
    order = (("one", "maint"), ("two", "ready"))
    for r in range(repeat):
        # Every second run measures two servers first (one, two, two, one, ...): the machine drifts
        # through a run (measured one-first, a run's later phases were the slower ones:
        # docs/performance.md, "Round 7"), and this order lays the drift on both alike.
        for name, state in order if r % 2 == 0 else order[::-1]:
            phase = bench.run_phase(f"{'one Rasa server' if name == 'one' else 'two Rasa servers'} (run {r + 1})",
                                    state)
            results[name].append(phase)
            report_phase(phase, phase.turns)
    for r, (one, two) in enumerate(zip(results["one"], results["two"])):
        print(f"ratio two/one (run {r + 1}): turns/s {two.rate / one.rate:.2f}x "
              f"(steady {two.steady_rate / one.steady_rate:.2f}x), "
              f"p50 {percentile(two.latencies, 50) / percentile(one.latencies, 50):.2f}x, "
              f"p95 {percentile(two.latencies, 95) / percentile(one.latencies, 95):.2f}x")
    if repeat > 1:
        # The machine's speed drifts between runs (docs/performance.md): the ratio of all turns
        # over all the time of each configuration weighs every run alike.
        pooled = {name: sum(p.turns for p in phases) / sum(p.finished - p.started for p in phases)
                  for name, phases in results.items()}
        steady = {name: statistics.mean(p.steady_rate for p in phases) for name, phases in results.items()}
        print(f"all {repeat} runs pooled: one {pooled['one']:.1f} turns/s, two {pooled['two']:.1f} turns/s, "
              f"ratio two/one {pooled['two'] / pooled['one']:.2f}x; steady, mean of the runs: one "
              f"{steady['one']:.1f}, two {steady['two']:.1f}, ratio {steady['two'] / steady['one']:.2f}x")


# --- the proactive round (--proactive N) ----------------------------------------------------------
PROMPT = "Det er tid til dit tjek ind"  # in every check-in prompt (domain.yml, EXTERNAL_checkin_prompt)
PROACTIVE_POLL_SECONDS = 2.0  # the operator's new MTs are read (Inboxes)
QUIET_SECONDS = 120  # no new prompt for this long after the last: what is missing will not come
COPENHAGEN_TZ = "Europe/Copenhagen"


def proactive_timezone() -> str:
    """As tests/e2e/test_production_topology.py: production's widest daytime window is 00:00-23:59,
    so a run late in a Copenhagen evening uses UTC (one or two hours behind) to stay in one window."""
    from zoneinfo import ZoneInfo
    return COPENHAGEN_TZ if datetime.now(ZoneInfo(COPENHAGEN_TZ)).hour < 23 else "UTC"


def proactive_env() -> dict[str, str]:
    # QUESTIONNAIRES=off: the round measured is a morning's check-in prompts. With it on, the first
    # tick would also plan every new citizen's baseline round, a once-per-citizen cost that a real
    # morning does not have (docs/performance.md, "Proactive round").
    return {"SCHEDULER_INTERVAL_SECONDS": "1", "QUIET_HOURS_END": "00:00", "QUIET_HOURS_START": "23:59",
            "PROACTIVE_TIMEZONE": proactive_timezone(), "QUESTIONNAIRES": "off"}


@dataclass
class Round:
    name: str
    phones: set[int]
    started: float = 0.0
    finished: float = 0.0
    first: float = 0.0
    prompted: dict[int, int] = field(default_factory=dict)  # msisdn -> prompts received
    stamps: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    load: tuple[tuple[float, float, float], tuple[float, float, float]] = ((0, 0, 0), (0, 0, 0))
    marked_down: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # database_counts in the window


class ProactiveBench:
    def __init__(self, topology: Topology):
        from bot.db.coordinators import create_coordinator
        from bot.db.database import Database
        self.t = topology
        self.groups = Groups(topology)
        self.db = Database(f"postgresql://root@127.0.0.1:5432/{topology.coordination_db}")
        self.coordinator_id = self.db.call(lambda s: create_coordinator(s, "Bench", phone="+4511223344")[0].id)

    def seed(self, base: int, n: int, parked: datetime) -> list[int]:
        """N citizens registered now through the use case (consent recorded), each with a check-in
        prompt parked at `parked`: an open prompt, so the services' planner plans nothing for them
        (it would plan their first prompt `checkin_interval_days` from now otherwise)."""
        import sqlalchemy as sa

        from bot.citizens.registration import register
        from bot.core.vocabulary import JobStatus
        from bot.db.models import Job
        from bot.jobs.purposes import CHECKIN_PROMPT
        now = self.t.now()

        def batch(session, start: int) -> None:
            citizens = [register(session, f"P{i}", f"+45{base + i}", self.coordinator_id, now)
                        for i in range(start, min(n, start + 500))]
            session.flush()
            session.execute(sa.insert(Job), [
                {"citizen_id": c.id, "purpose": CHECKIN_PROMPT, "target": "", "due_at": parked,
                 "next_attempt_at": parked, "status": JobStatus.PENDING.value, "attempts": 0,
                 "created_at": now, "updated_at": now} for c in citizens])

        for start in range(0, n, 500):
            self.db.call(batch, start)
        return [base + i for i in range(n)]

    def make_due(self, parked: datetime, now: datetime) -> int:
        """One UPDATE: every parked prompt of the round is due now (committed when this returns)."""
        import sqlalchemy as sa

        from bot.db.models import Job
        from bot.jobs.purposes import CHECKIN_PROMPT
        return self.db.call(lambda s: s.execute(
            sa.update(Job).where(Job.purpose == CHECKIN_PROMPT, Job.due_at == parked)
            .values(due_at=now, next_attempt_at=now, updated_at=now)
            .execution_options(synchronize_session=False)).rowcount)

    def outcomes(self, due: datetime) -> dict[str, int]:
        """The round's jobs by status (they share the due_at make_due gave them)."""
        import sqlalchemy as sa

        from bot.db.models import Job
        from bot.jobs.purposes import CHECKIN_PROMPT
        return self.db.call(lambda s: dict(s.execute(
            sa.select(Job.status, sa.func.count()).where(Job.purpose == CHECKIN_PROMPT, Job.due_at == due)
            .group_by(Job.status)).all()))

    def set_rasa_api(self, server: str, state: str) -> None:
        answer = self.t.haproxy(f"set server rasa_api/{server} state {state}")
        assert answer.strip() == "", answer
        if state == "ready":
            self.t.wait_backends("UP", server=server, timeout=120)

    def flaps(self) -> int:
        return sum(1 for line in self.t.log("haproxy").splitlines()
                   if "Server rasa_api/" in line and "is DOWN" in line and line.startswith("["))

    def run(self, name: str, base: int, n: int, parked: datetime) -> Round:
        started = time.monotonic()
        phones = self.seed(base, n, parked)
        print(f"{name}: {n} citizens and their parked prompts seeded in {time.monotonic() - started:.0f} s",
              flush=True)
        time.sleep(5)  # the services' planner ticks see the new citizens (with an open prompt: nothing to plan)
        rnd = Round(name, {int(f"45{p}") for p in phones})  # the operator keys MTs by MSISDN digits
        flaps = self.flaps()
        load_before = os.getloadavg()
        rnd.cpu = self.groups.snapshot()
        rnd.counts = database_counts(self.db, self.t)
        due = self.t.now()
        made = self.make_due(parked, due)
        rnd.started = time.time()  # the wall clock: the operator stamps MTs with it
        assert made == n, (made, n)
        last_new, last_print, seen = time.monotonic(), time.monotonic(), 0
        while True:
            time.sleep(PROACTIVE_POLL_SECONDS)
            new = new_mts(self.t, seen)
            seen += len(new)
            for mt in new:
                if mt["msisdn"] in rnd.phones and PROMPT in mt["message"]:
                    rnd.prompted[mt["msisdn"]] = rnd.prompted.get(mt["msisdn"], 0) + 1
                    rnd.stamps.append(datetime.fromisoformat(mt["at"]).timestamp())
            if any(m["msisdn"] in rnd.phones and PROMPT in m["message"] for m in new):
                last_new = time.monotonic()
            if time.monotonic() - last_print >= 60:
                last_print = time.monotonic()
                elapsed = time.time() - rnd.started
                print(f"  {elapsed:5.0f} s: {len(rnd.prompted)} phones prompted ({len(rnd.prompted) / elapsed:.1f}/s), "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
            if len(rnd.prompted) >= n and time.monotonic() - last_new >= 5:
                break  # all there, and 5 s more for a duplicate to show
            if time.monotonic() - last_new >= QUIET_SECONDS:
                break
        rnd.finished = max(rnd.stamps) if rnd.stamps else time.time()
        rnd.first = min(rnd.stamps) if rnd.stamps else rnd.finished
        # CPU to the last prompt plus at most a poll and the 5 s wait; the window is the last prompt's time.
        rnd.cpu = cpu_delta(rnd.cpu, self.groups.snapshot())
        time.sleep(1)  # PostgreSQL's backends report their counts to pg_stat at most once a second
        rnd.counts = {k: c - rnd.counts.get(k, 0) for k, c in database_counts(self.db, self.t).items()}
        rnd.load = (load_before, os.getloadavg())
        rnd.marked_down = self.flaps() - flaps
        rnd.outcomes = self.outcomes(due)
        return rnd


def new_mts(topology: Topology, seen: int) -> list[dict]:
    import requests
    return requests.get(f"{topology.gateway_url}/state", params={"mt_from": seen}, timeout=60).json()["mt"]


def report_round(rnd: Round, n: int) -> float:
    window = rnd.finished - rnd.started
    got = len(rnd.prompted)
    duplicates = sum(1 for c in rnd.prompted.values() if c > 1)
    steady = f"; 10 %->90 % of the prompts at {steady_rate(rnd.stamps):.1f}/s" if len(rnd.stamps) >= 10 else ""
    rate = got / window
    print(f"{rnd.name}: {got} of {n} phones prompted in {window:.1f} s (from the due moment to the last "
          f"prompt at the operator) = {rate:.1f} prompts/s; first prompt after {rnd.first - rnd.started:.1f} s"
          f"{steady}; duplicates {duplicates}, misses {n - got}; jobs {rnd.outcomes}; "
          f"rasa_api servers marked DOWN {rnd.marked_down}; 10,000 would take {10_000 / max(rate, 1e-9) / 60:.1f} min")
    report_counts(rnd.counts, got, "prompt")
    print(f"  load average (1/5/15 min) before {'/'.join(f'{v:.1f}' for v in rnd.load[0])}, "
          f"after {'/'.join(f'{v:.1f}' for v in rnd.load[1])}")
    cpu = dict(rnd.cpu)
    machine = machine_part(cpu)
    ours = sum(v for k, v in cpu.items() if not k.startswith(("bench", "pg relay", "postgres other", "gateway")))
    print(f"  CPU-seconds in the {window:.1f} s window (machine capacity {2 * window:.1f} = 2 cores; "
          f"CPU-ms per prompt; % of one core):")
    for name, used in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"    {name:34s} {used:7.2f} s  {used / max(got, 1) * 1000:6.1f} ms/prompt  {used / window * 100:5.1f} %")
    print(f"    {'topology total (ours)':34s} {ours:7.2f} s  {ours / max(got, 1) * 1000:6.1f} ms/prompt  "
          f"{ours / window * 100:5.1f} %")
    report_machine(machine, max(got, 1), "prompt", window)
    single = {k: v for k, v in cpu.items() if k.startswith(("rasa", "actions", "service", "haproxy", "redis"))}
    name, used = max(single.items(), key=lambda kv: kv[1])
    print(f"  a core per process: bottleneck {name} at {used / max(got, 1) * 1000:.1f} CPU-ms/prompt "
          f"-> {got / max(used, 1e-9):.1f} prompts/s; all of ours on 2 cores -> {2 * got / max(ours, 1e-9):.1f} prompts/s")
    return rate


def proactive_main(args) -> None:
    n = args.proactive
    # SIGTERM (or SIGINT, which a shell's background job ignores) stops the topology and drops its
    # databases through the `finally` below; the default would leave them behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="bench-topology-proactive-"))
    env = proactive_env()
    print(f"production topology, proactive round: {n} check-in prompts due at once; {env}; "
          f"PostgreSQL {'through the relay' if args.relay else 'direct'}; logs in {workdir}; "
          f"load average {'/'.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    started = time.monotonic()
    topology = Topology(workdir, pg_relay=args.relay, extra_env=env).start()
    print(f"topology up in {time.monotonic() - started:.0f} s; pids "
          f"{ {name: proc.pid for name, proc in sorted(topology.procs.items())} }", flush=True)
    try:
        bench = ProactiveBench(topology)
        parked = (topology.now() + timedelta(days=30)).replace(microsecond=0)
        rates = {}
        two = bench.run("two Rasa servers (rasa_api: both ready)", 60_000_000, n, parked)
        rates["two"] = report_round(two, n)
        if args.proactive_one:
            bench.set_rasa_api("rasa2", "maint")
            one = bench.run("one Rasa server (rasa_api/rasa2 in maintenance)", 61_000_000, n,
                            parked + timedelta(days=1))
            bench.set_rasa_api("rasa2", "ready")
            rates["one"] = report_round(one, n)
            print(f"ratio two/one: prompts/s {rates['two'] / rates['one']:.2f}x")
        report_memory(topology, bench.groups)
        bench.db.dispose()
    finally:
        topology.stop()


if __name__ == "__main__":
    main()
