"""The documented production topology under load and faults (issue 13, part 1; docs/deployment.md,
"Production topology"; docs/testing.md, "The production topology").

tests/topology.py starts it from deploy/: HAProxy as the one public address (TLS), two Rasa servers
with their action servers, two coordination services with their schedulers and SMS dispatchers,
PostgreSQL behind a relay, Redis, and a fake GatewayAPI operator. APP_ENV=production, real clock.
Citizens check in by SMS (signed MO webhooks from the operator) and web chat through the proxy while
the schedulers send reminders and check-in prompts; then, one after the other: a Rasa server
SIGKILLed mid-conversation, a service SIGKILLed mid-tick, PostgreSQL unreachable for 20 s, Redis
restarted, a Rasa server SIGKILLed mid-turn. Afterwards every MO has exactly its replies (a lost
turn's reply is the apology of bot/sms/unanswered.py), every check-in and alert exists once, every
proactive SMS went out exactly once, and the gateway saw what docs/deployment.md promises: 503 while
the database was down, then 200 for its retry.
"""
from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from bot.core.config import ProactiveSettings
from bot.core.texts import CRISIS_REPLY, TURN_LOST
from bot.db import jobs as job_db
from bot.db.database import Database
from bot.jobs import timing
from tests.conftest import POSTGRES
from tests.topology import HAPROXY, Topology, example_variables
from tests.webchat_client import WebchatClient, chat_token

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not POSTGRES, reason="PostgreSQL is not reachable on 127.0.0.1:5432"),
              pytest.mark.skipif(not __import__("os").path.exists(HAPROXY), reason="Debian's haproxy is missing")]

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
REPLY_TIMEOUT = 120  # seconds; generous: two Rasa servers and two services share 2 cores
LEASE_SECONDS = 20
OUTAGE_SECONDS = 20
PROMPT = "Det er tid til dit tjek ind"
REMINDER = "Kommer du?\n1 JA\n2 KAN IKKE\nSvar 1 eller 2."


def proactive_timezone(topology: Topology) -> str:
    """Production's widest daytime window is 00:00-23:59 (QUIET_HOURS_END must be before
    QUIET_HOURS_START). The servers run on the real clock, so a run started late in a Copenhagen
    evening would meet the excluded minute and the day's end: then the proactive time zone is UTC,
    one or two hours behind, and the whole run stays inside one window (it takes minutes)."""
    local = topology.now().astimezone(COPENHAGEN)
    return "Europe/Copenhagen" if local.hour < 23 else "UTC"


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    if "faketime" in __import__("os").environ.get("LD_PRELOAD", ""):
        pytest.skip("runs on the real clock (production refuses the test clock): not under libfaketime")
    workdir = tmp_path_factory.mktemp("topology")
    topology = Topology(workdir)
    topology.extra_env.update({
        "SCHEDULER_INTERVAL_SECONDS": "1", "SMS_DISPATCH_INTERVAL": "0.5", "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "QUIET_HOURS_END": "00:00", "QUIET_HOURS_START": "23:59", "PROACTIVE_TIMEZONE": proactive_timezone(topology),
        "REMINDER_HOURS_BEFORE": "1", "UNANSWERED_SMS_SECONDS": "30",
        # The killed service's dispatcher may die holding an SMS in 'sending' (step 3).
        "SMS_SENDING_LEASE_SECONDS": str(LEASE_SECONDS),
        # Rasa's lock on a conversation outlives the server that died holding it; shorter here so
        # the repeat after a lost turn (step 6) waits 15 s, not 60 (the apology must come later).
        "TICKET_LOCK_LIFETIME": "15"})
    try:
        yield topology.start()
    finally:
        topology.stop()


class Phone:
    """A citizen's phone: every SMS it sends becomes an MO at the operator (a fresh id each), and
    it counts the replies it must get, so a lost or doubled reply shows at the end."""

    def __init__(self, topology: Topology, citizen: dict):
        self.topology = topology
        self.citizen = citizen
        self.msisdn = citizen["phone"]
        self.sent: list[str] = []
        self.expected = 0

    def say(self, text: str, replies: int = 1) -> list[str]:
        mo_id = f"mo-{self.msisdn.lstrip('+')}-{len(self.sent) + 1}"
        self.sent.append(mo_id)
        self.expected += replies
        self.topology.phone_sends(self.msisdn, text, mo_id)
        return self.wait(self.expected)[self.expected - replies:]

    def wait(self, count: int, timeout: float = REPLY_TIMEOUT) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            inbox = self.topology.phone_inbox(self.msisdn)
            if len(inbox) >= count:
                return inbox
            time.sleep(0.25)
        raise AssertionError(f"{self.msisdn} has {self.topology.phone_inbox(self.msisdn)}, expected {count}")


def open_chat(topology: Topology, citizen: dict) -> tuple[WebchatClient, requests.Session]:
    """The citizen opens their chat link's page: socket.io through the public address, with a cookie
    jar of its own (HAProxy keeps the session on one Rasa server by cookie)."""
    session = requests.Session()
    session.verify, session.trust_env = str(topology.ca_file), False
    client = WebchatClient(topology.public_url, chat_token(topology, citizen), origin=topology.public_url,
                           timeout=REPLY_TIMEOUT)
    client._client.eio.http = session  # python-engineio's polling transport uses this session
    return client.connect(), session


def green_checkin(say) -> None:
    assert "GRØN" in say("tjek ind")[0]
    assert "NEJ" in say("grøn")[0]
    assert "Tak" in say("Det går fint med det hele")[0]


def in_parallel(*calls) -> None:
    errors = []

    def run(call):
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    if errors:
        raise errors[0]


def book(topology: Topology, citizen: dict, reminder_in: timedelta) -> dict:
    """An appointment whose "hours before" reminder (REMINDER_HOURS_BEFORE=1) falls due `reminder_in`
    from now, on the servers' clock."""
    starts = (topology.now() + timedelta(hours=1) + reminder_in).replace(microsecond=0)
    resp = topology.api("POST", f"/api/citizens/{citizen['id']}/appointments",
                        json={"kind": "andet", "starts_at": starts.isoformat(), "location": "Rådhuset"})
    assert resp.status_code == 201, resp.text
    return resp.json()


def schedule_prompts(topology: Topology, citizens: list[dict]) -> list[int]:
    """Check-in prompts due now. Registration sets consent_at to now and the first prompt comes
    `checkin_interval_days` (at least 1) later, so none falls due within a test: the rows are planned
    here as bot/jobs/planner.py plans them (the scheduler tests do the same)."""
    settings = ProactiveSettings.from_env(topology.env)
    db = Database(f"postgresql://root@127.0.0.1:5432/{topology.coordination_db}")
    now = topology.now()
    try:
        return [db.call(lambda s, c=c: job_db.schedule(
            s, citizen_id=c["id"], purpose="checkin_prompt", target="", due_at=now,
            next_attempt_at=timing.next_window(now, settings), now=now).id) for c in citizens]
    finally:
        db.dispose()


def delivered_by(topology: Topology, job_ids: list[int]) -> dict[str, set[int]]:
    """Which service logged which of these jobs as delivered (bot/scheduler/runner.py's log line)."""
    found = {}
    for name in ("service1", "service2"):
        found[name] = {int(m) for m in re.findall(r"job (\d+) \(checkin_prompt\) delivered", topology.log(name))
                       if int(m) in job_ids}
    return found


def test_the_production_topology_under_load_and_faults(topology):
    t = topology
    # The deploy/ files are the operator's: the environment the test gives them is the example's list.
    assert set(t.env) - set(t.extra_env) - {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONWARNINGS",
                                            "RASA_TELEMETRY_ENABLED", "TF_CPP_MIN_LOG_LEVEL",
                                            "SQLALCHEMY_SILENCE_UBER_WARNING"} <= example_variables()
    # Rasa's HTTP API is not on the public address; the dashboard is.
    assert t.http.get(f"{t.public_url}/status", timeout=10).status_code == 404
    assert t.http.get(f"{t.public_url}/conversations/+4530000000/tracker", timeout=10).status_code == 404
    assert t.http.get(f"{t.public_url}/login", timeout=10).status_code == 200

    coordinator = t.api("POST", "/api/coordinators", json={"name": "Mette", "phone": "+4511223344"}).json()
    numbers = iter(range(30_200_001, 30_300_000))

    def citizen() -> dict:
        resp = t.api("POST", "/api/citizens", json={"name": "Bente", "phone": f"+45{next(numbers)}",
                                                    "coordinator_id": coordinator["id"]})
        assert resp.status_code == 201, resp.text
        return resp.json()

    sms = {name: Phone(t, citizen()) for name in ("green1", "green2", "red", "killed_mid", "crisis",
                                                  "after_outage", "after_redis", "lost_turn")}
    web = {name: citizen() for name in ("green", "killed_mid")}
    reminded = [citizen() for _ in range(4)]
    prompted = [citizen() for _ in range(6)]

    # --- 1. check-ins by SMS and web chat while reminders fall due -------------------------------
    for c in reminded[:3]:
        book(t, c, reminder_in=timedelta(seconds=20))
    green_chat, _ = open_chat(t, web["green"])
    in_parallel(lambda: green_checkin(sms["green1"].say), lambda: green_checkin(sms["green2"].say),
                lambda: green_checkin(lambda text: green_chat.say(text, settle=1.0)),
                lambda: [sms["red"].say(text) for text in ("tjek ind", "rød", "5", "nej", "ja")])
    green_chat.close()

    # --- 2. a Rasa server SIGKILLed mid-conversation ---------------------------------------------
    # HAProxy sends a citizen's SMS to one Rasa server (deploy/haproxy.cfg, rasa_sms: a hash of the
    # number): the one that served this citizen dies, and the web chat is opened on it too.
    mid = sms["killed_mid"]
    mid.say("tjek ind")
    before = t.sessions("rasa_sms")
    mid.say("rød")
    [victim] = [server for server, n in t.sessions("rasa_sms").items() if n > before[server]]
    for _ in range(4):  # a new chat session gets the next server (round robin), then its cookie
        chat, session = open_chat(t, web["killed_mid"])
        if {"r1": "rasa1", "r2": "rasa2"}[session.cookies.get("CHATSRV")] == victim:
            break
        chat.close()
    else:
        raise AssertionError(f"no chat session on {victim}")
    chat.say("tjek ind")
    chat.say("rød")
    t.kill(victim)  # no turn in flight: each answer above has arrived
    chat.close()
    # The next SMS goes to the other server at once (HAProxy retries a refused connection there,
    # avoiding the dead one), and the conversation carries on where it was (tracker store in
    # PostgreSQL; the live server's cache sees from the database's key that it is not current).
    assert "NEJ" in mid.say("5")[0]
    # The browser reconnects (the widget does on a lost socket) and lands on the live server.
    chat, session = open_chat(t, web["killed_mid"])
    assert "NEJ" in chat.say("5")[0]
    assert "ringe" in chat.say("nej")[0]
    assert "ringer" in chat.say("ja")[0]
    chat.close()
    assert "ringe" in mid.say("nej")[0]
    assert "ringer" in mid.say("ja")[0]
    assert sms["crisis"].say("jeg tænker på selvmord") == [CRISIS_REPLY]
    t.wait_backends("DOWN", server=victim, timeout=30)
    t.start_process(victim)  # it loads its model while the next faults run

    # --- 3. a service SIGKILLed mid-tick ---------------------------------------------------------
    job_ids = schedule_prompts(t, prompted)
    deadline = time.monotonic() + REPLY_TIMEOUT
    while time.monotonic() < deadline:
        delivered = delivered_by(t, job_ids)
        busy = [name for name, ids in delivered.items() if ids]
        if busy:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("no check-in prompt was delivered")
    killed_service = busy[0]
    t.kill(killed_service)
    in_flight_at_kill = set(job_ids) - set().union(*delivered_by(t, job_ids).values())
    # What the killed scheduler had claimed comes back after its lease; the other service sends it.
    prompt_phones = [Phone(t, c) for c in prompted]
    for phone in prompt_phones:
        phone.expected = 1
        phone.wait(1, timeout=LEASE_SECONDS + REPLY_TIMEOUT)
    t.restart(killed_service)
    t.wait_ready([victim])
    t.wait_backends_up(timeout=60)

    # --- 4. PostgreSQL unreachable for 20 s ------------------------------------------------------
    outage_phone = sms["after_outage"]
    book(t, reminded[3], reminder_in=timedelta(seconds=5))  # falls due during the outage
    t.relay.down()
    outage_started = time.monotonic()
    outage_phone.sent.append(f"mo-{outage_phone.msisdn.lstrip('+')}-1")
    outage_phone.expected = 1
    t.phone_sends(outage_phone.msisdn, "tjek ind", outage_phone.sent[-1])
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
    during = t.gateway_state()["mo"][outage_phone.sent[-1]]["attempts"]
    t.relay.up()
    assert during and all(a["status"] == 503 and a["retry_after"] == "60" for a in during), during
    assert "GRØN" in outage_phone.wait(1)[0]
    assert "NEJ" in outage_phone.say("grøn")[0]
    assert "Tak" in outage_phone.say("Det går fint med det hele")[0]

    # --- 5. Redis restarted ----------------------------------------------------------------------
    t.restart_redis()
    green_checkin(sms["after_redis"].say)

    # --- 6. a Rasa server SIGKILLed mid-turn -----------------------------------------------------
    # The MO is answered 200 and stored before its turn runs, so the turn dies with the server. The
    # schedulers' pass for lost turns (bot/sms/unanswered.py) apologises after UNANSWERED_SMS_SECONDS
    # and the citizen's repeat is answered where the lost turn began (after Rasa's lock on the
    # conversation, TICKET_LOCK_LIFETIME, has run out). Had the turn beaten the kill, its answer would simply be there.
    lost = sms["lost_turn"]
    t.haproxy("set server rasa_sms/rasa2 state maint")  # this MO goes to rasa1, the one to die
    lost.sent.append(f"mo-{lost.msisdn.lstrip('+')}-1")
    t.phone_sends(lost.msisdn, "tjek ind", lost.sent[-1])
    deadline = time.monotonic() + REPLY_TIMEOUT
    while not any(a["status"] == 200 for a in t.gateway_state()["mo"].get(lost.sent[-1], {}).get("attempts", [])):
        assert time.monotonic() < deadline, "the MO was never accepted"
        time.sleep(0.01)
    t.kill("rasa1")
    t.haproxy("set server rasa_sms/rasa2 state ready")
    lost.expected = 1
    [first] = lost.wait(1)
    if first == TURN_LOST:
        assert "GRØN" in lost.say("tjek ind")[0]
    else:
        assert "GRØN" in first
    assert "NEJ" in lost.say("grøn")[0]
    assert "Tak" in lost.say("Det går fint med det hele")[0]

    # --- afterwards: nothing lost, nothing doubled -----------------------------------------------
    time.sleep(5)  # anything doubled would have arrived by now (the dispatchers run every 0.5 s)
    state = t.gateway_state()
    # The bench's poller reads only the MTs it has not seen (tests/fake_gateway.py, mt_from).
    assert requests.get(f"{t.gateway_url}/state", params={"mt_from": 3}, timeout=10).json() == {"mt": state["mt"][3:]}
    for name, phone in sms.items():
        inbox = t.phone_inbox(phone.msisdn)
        assert len(inbox) == phone.expected, (name, inbox)
        for mo_id in phone.sent:
            attempts = state["mo"][mo_id]["attempts"]
            assert attempts[-1]["status"] == 200, (mo_id, attempts)
            # What the gateway saw: 200 at once, except while the database was down (503, retried).
            if phone is not outage_phone:
                assert [a["status"] for a in attempts] == [200], (mo_id, attempts)
    assert all(m["reports"] and m["reports"][-1]["status"] == 200 for m in state["mt"]), "a delivery report was lost"

    def checkins(c):
        return t.api("GET", f"/api/citizens/{c['id']}/checkins").json()

    for c in (sms["green1"].citizen, sms["green2"].citizen, web["green"], sms["after_outage"].citizen,
              sms["after_redis"].citizen, sms["lost_turn"].citizen):
        assert [(x["overall"], x["complete"]) for x in checkins(c)] == [("green", True)], c["phone"]
    for c in (sms["red"].citizen, sms["killed_mid"].citizen, web["killed_mid"]):
        assert [(x["overall"], x["complete"], x["wants_contact"]) for x in checkins(c)] == [("red", True, True)]

    alerts = t.api("GET", "/api/alerts?status=open").json()
    by_citizen = {}
    for a in alerts:
        by_citizen.setdefault(a["citizen_id"], []).append(a["rule"])
    red_ids = {sms["red"].citizen["id"], sms["killed_mid"].citizen["id"], web["killed_mid"]["id"]}
    assert {cid: sorted(rules) for cid, rules in by_citizen.items()} == {
        **{cid: ["contact_request", "overall_red"] for cid in red_ids},
        sms["crisis"].citizen["id"]: ["crisis_language"]}
    deadline = time.monotonic() + 60
    while any(a["notified_at"] is None for a in alerts) and time.monotonic() < deadline:
        time.sleep(1)
        alerts = t.api("GET", "/api/alerts?status=open").json()
    assert all(a["notified_at"] for a in alerts), "an alert's notification was lost"
    assert t.phone_inbox(coordinator["phone"]), "the coordinator got no notification"

    for c in reminded:
        inbox = t.phone_inbox(c["phone"])
        assert len(inbox) == 1 and REMINDER in inbox[0], (c["phone"], inbox)
        jobs = t.api("GET", f"/api/citizens/{c['id']}/jobs").json()
        assert [j["status"] for j in jobs if j["purpose"] == "appointment_reminder"] == ["done"]
    doubled = []
    for c, job_id in zip(prompted, job_ids):
        inbox = t.phone_inbox(c["phone"])
        [job] = [j for j in t.api("GET", f"/api/citizens/{c['id']}/jobs").json() if j["id"] == job_id]
        assert job["status"] == "done", job
        if len(inbox) > 1:
            doubled.append(job_id)
        # Nothing but the prompt itself, however often it went out (a second trigger_intent inside
        # the check-in the first one opened must not put anything else on the phone).
        assert inbox and all(PROMPT in m for m in inbox), (c["phone"], inbox)
    # README, "Rasa down": what the killed service was sending when it died went out once: the
    # retry after JOB_LEASE_SECONDS found it in Rasa's tracker (in flight at the kill: in_flight_at_kill).
    assert doubled == [], (doubled, in_flight_at_kill)
