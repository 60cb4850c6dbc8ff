"""Issue 12, point 2: every action that loads a record by an id the dialogue carries (an entity of a
proactive trigger, a slot, a question's parameters) loads it only if it is the sender's own.

The attack, over real HTTP against the stack's real action server with its token: trackers as Rasa
would send them if it had been tricked into carrying a victim's ids in an attacker's conversation
(the attacker's phone is the sender). For every such action, and for every kind of question and
answer, the reply shows none of the victim's data and the victim's rows are exactly as before.
A sweep asks the action server which actions it runs and fails when one that reads an id is not
attacked here. docs/deployment.md, "Network boundary"; docs/decisions.md, "Citizen text is text"."""
from __future__ import annotations

import ast
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import sqlalchemy as sa
import yaml

from bot.checkins.record import record_answer
from bot.checkins.rules import CheckinAnswers
from bot.core.config import Settings
from bot.core.danish_time import format_when
from bot.core.vocabulary import QuestionnaireReason
from bot.db import preparations as prep_db
from bot.db.models import (
    Agreement,
    Alert,
    Appointment,
    CheckIn,
    Citizen,
    Goal,
    Job,
    MeetingSummary,
    OutcomeMeasure,
    Preparation,
    Questionnaire,
)
from bot.goals import plan as goals
from bot.outcomes import record as outcomes
from bot.outcomes.instruments import FULL_ROUND
from tests.stack import ROOT

pytestmark = pytest.mark.e2e
CPH = ZoneInfo("Europe/Copenhagen")
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))

# What the dialogue carries that names a stored record (grep actions/ for these).
ID_CARRIERS = ("appointment_id", "agreement_id", "checkin_id", "prep_appointment_id", "reminder_appointment_id",
               "question", "questionnaire_id", "goal_id")
# Every registered action that reads one of them, directly or through a helper (start_preparation,
# save_checkin, _load, _answerable). The sweep below fails when an action mentions a carrier and is
# missing here, and when one listed here is named by no attack in this file.
READS_AN_ID = {
    "action_send_appointment_reminder", "action_missed_followup", "action_appointment_answer",
    "action_invite_preparation", "validate_preparation_form", "action_ask_prep_confirm",
    "action_submit_preparation",
    "action_present_agreements", "action_agreement_followup",
    "action_handle_answer", "validate_answer_form", "action_ask_answer", "action_ask_answer_text",
    "validate_checkin_form", "action_submit_checkin", "action_set_aside_checkin", "action_resume_checkin",
    "action_start_questionnaire", "action_ask_goal_progress",
}

VICTIM_PLACE = "Kirkevej 7, lokale 12"
VICTIM_TOPIC = "min gæld til banken"
VICTIM_AGREEMENTS = [("søger om boligstøtte til Kirkevej", "Kommunen"), ("ringer til psykiateren", "Bente")]
VICTIM_NOTE = "jeg sover ikke og drikker for meget"
VICTIM_GOAL = "at flytte ud af herberget inden sommer"


# --- the victim, the attacker, and what the victim's rows look like ---

@pytest.fixture(scope="module")
def victim(stack, stack_db):
    citizen = stack.new_citizen(prefix="+4541", name="Vera Offer", checkin_interval_days=90)
    token = citizen["token"]
    day = stack.today() + timedelta(days=3)
    starts = datetime(day.year, day.month, day.day, 13, 0, tzinfo=CPH)
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/appointments", token,
                     json={"kind": "netvaerksmoede", "starts_at": starts.isoformat(), "location": VICTIM_PLACE})
    assert resp.status_code == 201, resp.text
    appointment_id = resp.json()["id"]
    resp = stack.api("POST", f"/api/appointments/{appointment_id}/agreements", token, json={
        "agreements": [{"what": what, "who": who, "due_date": None} for what, who in VICTIM_AGREEMENTS],
        "summary": {"most_important": "Bolig"}})
    assert resp.status_code == 201, resp.text
    agreement_ids = [a["id"] for a in resp.json()]
    now = stack.now()
    settings = Settings.from_env(stack.env).proactive

    def prepare_and_check_in(session):
        prep_db.save_answer(session, appointment_id, citizen["id"], "topics", [VICTIM_TOPIC], now)
        checkin, _ = record_answer(session, session.get(Citizen, citizen["id"]), None,
                                   CheckinAnswers(overall="yellow"), note=VICTIM_NOTE, channel="sms",
                                   now=now, settings=settings)
        return checkin.id

    def begin_a_round(session):
        # A round of outcome questions being answered: open, its nudge planned, one answer given.
        vera = session.get(Citizen, citizen["id"])
        round_ = outcomes.plan_round(session, vera, reason=QuestionnaireReason.REQUESTED, round_no=None,
                                     instruments=list(FULL_ROUND), due_at=now, now=now, settings=settings)
        outcomes.begin(session, vera, round_.id, now=now, settings=settings)
        outcomes.answer(session, vera, round_.id, "who5", 0, 1, now=now)
        return round_.id

    def set_a_goal(session):
        return goals.add_goal(session, citizen["id"], None, VICTIM_GOAL, now=now).id

    checkin_id = stack_db.call(prepare_and_check_in)
    questionnaire_id = stack_db.call(begin_a_round)
    goal_id = stack_db.call(set_a_goal)
    secrets = ([VICTIM_PLACE, VICTIM_TOPIC, VICTIM_NOTE, VICTIM_GOAL, format_when(starts)]
               + [w for w, _ in VICTIM_AGREEMENTS])
    return {**citizen, "appointment_id": appointment_id, "agreement_ids": agreement_ids, "checkin_id": checkin_id,
            "questionnaire_id": questionnaire_id, "goal_id": goal_id, "secrets": secrets}


@pytest.fixture(scope="module")
def attacker(stack):
    return stack.new_citizen(prefix="+4542", name="Anders", checkin_interval_days=90)


def _columns(row) -> dict:
    return {c.key: getattr(row, c.key) for c in sa.inspect(row).mapper.column_attrs}


def victim_rows(stack_db, victim) -> dict:
    """Everything stored about the victim that an action could read or change."""
    def read(session):
        def rows(model, **where):
            query = sa.select(model).filter_by(**where).order_by(model.id)
            return [_columns(r) for r in session.execute(query).scalars()]
        return {
            "appointments": rows(Appointment, citizen_id=victim["id"]),
            "summary": rows(MeetingSummary, appointment_id=victim["appointment_id"]),
            "agreements": rows(Agreement, citizen_id=victim["id"]),
            "preparations": rows(Preparation, citizen_id=victim["id"]),
            "checkins": rows(CheckIn, citizen_id=victim["id"]),
            "alerts": rows(Alert, citizen_id=victim["id"]),
            "jobs": rows(Job, citizen_id=victim["id"]),
            "questionnaires": rows(Questionnaire, citizen_id=victim["id"]),
            "outcome_measures": rows(OutcomeMeasure, citizen_id=victim["id"]),
            "goals": rows(Goal, citizen_id=victim["id"]),
        }
    return stack_db.call(read)


# --- the forged call ---

def forged(action: str, sender: str, *, text: str = "ja", intent: str = "affirm", entities: dict | None = None,
           slots: dict | None = None, slot_candidates: dict | None = None, active_loop: str | None = None) -> dict:
    """What Rasa would post to the action server for `action` in `sender`'s conversation. Entities
    are what a trigger_intent carries; `slot_candidates` are slots Rasa just extracted for a form
    (the events after the user's message, which a form validation validates)."""
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0},
               "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()]}
    slots = {**(slots or {}), **(slot_candidates or {})}
    if active_loop:
        slots.setdefault("requested_slot", next(iter(slot_candidates or {}), None))
    events = [{"event": "user", "text": text, "parse_data": message}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (slot_candidates or {}).items()]
    return {
        "next_action": action, "sender_id": sender, "version": "3.6.21", "domain": DOMAIN,
        "tracker": {"sender_id": sender, "slots": slots, "latest_message": message, "paused": False,
                    "events": events, "followup_action": None,
                    "active_loop": {"name": active_loop} if active_loop else {},
                    "latest_action_name": "action_listen"},
    }


def attack(stack, stack_db, victim, body: dict) -> dict:
    """Post it with the token; the action ran (200), said nothing of the victim's and changed none
    of the victim's rows. Returns the action server's answer."""
    before = victim_rows(stack_db, victim)
    resp = requests.post(f"{stack.action_url}/webhook", json=body, timeout=60,
                         headers={"Authorization": f"Bearer {stack.action_token}"})
    action = body["next_action"]
    assert resp.status_code == 200, (action, resp.status_code, resp.text[:500])
    answer = resp.json()
    said = json.dumps(answer, ensure_ascii=False)
    for secret in victim["secrets"]:
        assert secret not in said, (action, secret, said[:800])
    assert victim_rows(stack_db, victim) == before, action
    return answer


def slot_values(answer: dict, name: str) -> list:
    return [e["value"] for e in answer.get("events", []) if e.get("event") == "slot" and e.get("name") == name]


def responses(answer: dict) -> list[str | None]:
    return [m.get("response") for m in answer.get("responses", [])]


# --- the attacks ---

def test_proactive_triggers_with_a_foreign_entity(stack, stack_db, victim, attacker):
    phone, appointment_id = attacker["phone"], victim["appointment_id"]
    for action in ("action_send_appointment_reminder", "action_missed_followup", "action_invite_preparation",
                   "action_present_agreements"):
        answer = attack(stack, stack_db, victim, forged(
            action, phone, text="EXTERNAL: trigger", intent=f"EXTERNAL_{action}",
            entities={"appointment_id": str(appointment_id)}))
        assert answer["responses"] == [], (action, answer)
        assert slot_values(answer, "question") == [], action  # nothing to answer about someone else's meeting
    for agreement_id in victim["agreement_ids"]:
        answer = attack(stack, stack_db, victim, forged(
            "action_agreement_followup", phone, text="EXTERNAL: trigger", intent="EXTERNAL_agreement_followup",
            entities={"agreement_id": str(agreement_id)}))
        assert answer["responses"] == [] and slot_values(answer, "question") == []
    for intent in ("EXTERNAL_questionnaire_prompt", "EXTERNAL_questionnaire_nudge"):
        answer = attack(stack, stack_db, victim, forged(
            "action_start_questionnaire", phone, text="EXTERNAL: trigger", intent=intent,
            entities={"questionnaire_id": str(victim["questionnaire_id"])}))
        assert answer["responses"] == [] and slot_values(answer, "question") == []
    answer = attack(stack, stack_db, victim, forged(
        "action_ask_goal_progress", phone, text="EXTERNAL: trigger", intent="EXTERNAL_goal_progress",
        entities={"goal_id": str(victim["goal_id"])}))
    assert answer["responses"] == [] and slot_values(answer, "question") == []


def test_answering_a_reminder_about_a_foreign_appointment(stack, stack_db, victim, attacker):
    for text in ("ja", "kan ikke"):
        answer = attack(stack, stack_db, victim, forged(
            "action_appointment_answer", attacker["phone"], text=text, intent="affirm",
            slots={"awaiting_reply": "appointment_answer",
                   "reminder_appointment_id": str(victim["appointment_id"])}))
        assert responses(answer) == ["utter_no_appointment_to_answer"]


QUESTION_KINDS = {
    "preparation_invite": ("yes_no", "appointment_id"),
    "agreements_approval": ("yes_no", "appointment_id"),
    "agreements_rejection": ("text", "appointment_id"),
    "teachback": ("text", "appointment_id"),
    "agreement_followup": ("yes_no_unknown", "agreement_id"),
    "questionnaire_start": ("yes_no", "questionnaire_id"),
    "questionnaire_again": ("yes_no", "questionnaire_id"),
    "questionnaire_resume": ("yes_no", "questionnaire_id"),
    "questionnaire": ("digit", "questionnaire_id"),
    "goal_progress": ("ja_lidt_nej", "goal_id"),
}
ANSWERS = ("yes", "no", "unknown", "unclear", "Det er ikke rigtigt, ring til mig")
# A round of outcome questions also takes a digit, and says what happens to the rest after a stop.
MORE_ANSWERS = {"questionnaire": ("0", "3", "stopped"), "questionnaire_start": ("stopped",),
                "questionnaire_again": ("stopped",), "questionnaire_resume": ("stopped",),
                "goal_progress": ("ja", "lidt", "nej")}


def test_every_kind_of_question_with_foreign_params(stack, stack_db, victim, attacker):
    from actions.question_handlers import HANDLERS

    assert set(HANDLERS) == set(QUESTION_KINDS), "a new kind of question: attack it here too"
    phone = attacker["phone"]
    for kind, (expects, id_name) in QUESTION_KINDS.items():
        ids = {"agreement_id": victim["agreement_ids"], "questionnaire_id": [victim["questionnaire_id"]],
               "goal_id": [victim["goal_id"]]}.get(id_name, [victim["appointment_id"]])
        for foreign_id in ids:
            question = {"kind": kind, "expects": expects,
                        "params": {id_name: foreign_id, "who": "Kommunen", "what": "noget", "days": "3",
                                   "when": "snart", "instrument": "who5", "item": 1, "low": 0, "high": 5,
                                   "count": 13, "answered": 1, "question_text": "Spørgsmål 2 af 13",
                                   "question_short": "x"}}
            for answer_value in ANSWERS + MORE_ANSWERS.get(kind, ()):
                slot = "answer_text" if expects == "text" else "answer"
                answer = attack(stack, stack_db, victim, forged(
                    "action_handle_answer", phone, text=answer_value,
                    slots={"question": question, slot: answer_value}))
                if kind == "preparation_invite" and answer_value == "yes":
                    assert responses(answer) == ["utter_no_meeting_to_prepare"]
                    assert slot_values(answer, "prep_appointment_id") in ([], [None])
            # The form that asks the question and takes the answer only reads the slot it is given.
            for action in ("action_ask_answer", "action_ask_answer_text"):
                attack(stack, stack_db, victim, forged(action, phone, slots={"question": question}))
            attack(stack, stack_db, victim, forged(
                "validate_answer_form", phone, text="ja", slots={"question": question},
                slot_candidates={"answer_text" if expects == "text" else "answer": "ja"}, active_loop="answer_form"))


def test_the_preparation_form_with_a_foreign_appointment(stack, stack_db, victim, attacker):
    phone, foreign = attacker["phone"], victim["appointment_id"]
    answer = attack(stack, stack_db, victim, forged(
        "validate_preparation_form", phone, text="Min nabo larmer", intent="inform",
        slots={"prep_appointment_id": foreign, "prep_topics": ["x"], "prep_avoid": "nej", "prep_went_well": "nej"},
        slot_candidates={"prep_hard": "Min nabo larmer"}, active_loop="preparation_form"))
    assert slot_values(answer, "prep_stopped") == [True]  # nothing saved; the form ends, paused
    answer = attack(stack, stack_db, victim, forged(
        "action_ask_prep_confirm", phone, slots={"prep_appointment_id": foreign}))
    assert responses(answer) == ["utter_no_meeting_to_prepare"]
    answer = attack(stack, stack_db, victim, forged(
        "action_submit_preparation", phone, slots={"prep_appointment_id": foreign, "prep_confirm": "ok"}))
    assert responses(answer) == ["utter_no_meeting_to_prepare"]


def test_the_checkin_form_with_a_foreign_checkin_id(stack, stack_db, victim, attacker):
    phone, foreign = attacker["phone"], victim["checkin_id"]
    # The first answer (red: it raises an alert) and a later one, each with the victim's check-in id.
    first = attack(stack, stack_db, victim, forged(
        "validate_checkin_form", phone, text="rød", intent="inform",
        slots={"checkin_id": foreign},
        slot_candidates={"checkin_overall": "rød"}, active_loop="checkin_form"))
    own = slot_values(first, "checkin_id")
    assert own and foreign not in own, first  # the attacker's answers opened the attacker's own check-in
    later = attack(stack, stack_db, victim, forged(
        "validate_checkin_form", phone, text="alt er skidt", intent="inform",
        slots={"checkin_id": foreign, "checkin_overall": "red", "checkin_focus": []},
        slot_candidates={"checkin_note": "alt er skidt"}, active_loop="checkin_form"))
    assert foreign not in slot_values(later, "checkin_id")
    for action in ("action_submit_checkin", "action_set_aside_checkin", "action_resume_checkin"):
        answer = attack(stack, stack_db, victim, forged(
            action, phone, slots={"checkin_id": foreign, "checkin_overall": "green", "checkin_note": "fint"}))
        assert foreign not in slot_values(answer, "checkin_id"), action
    # The attack went to the attacker's own rows, not nowhere: what the calls did is theirs.
    def attackers_checkins(session):
        return session.execute(sa.select(CheckIn.id).filter_by(citizen_id=attacker["id"])).scalars().all()
    assert stack_db.call(attackers_checkins)


# --- the sweep ---

def _mentions_a_carrier() -> set[str]:
    """Actions (by their name()) whose class body names an id carrier in a string."""
    found = set()
    for path in sorted(Path(ROOT, "actions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            names = [r.value.value for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "name"
                     for r in ast.walk(f) if isinstance(r, ast.Return) and isinstance(r.value, ast.Constant)]
            strings = {c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
            if names and strings & set(ID_CARRIERS):
                found.add(names[0])
    return found


def _named_by_an_attack() -> set[str]:
    """Action names written in this file's tests, which is where each attack names the action it
    forges. Read from the source, not from which tests ran before this one: pytest may order a
    module's tests differently in the full run (it groups them by parametrised fixtures)."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    return {node.value for test in tree.body if isinstance(test, ast.FunctionDef) and test.name.startswith("test_")
            and test.name != "test_sweep_every_action_that_reads_an_id_is_attacked"
            for node in ast.walk(test) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_sweep_every_action_that_reads_an_id_is_attacked(stack):
    resp = requests.get(f"{stack.action_url}/actions", timeout=30,
                        headers={"Authorization": f"Bearer {stack.action_token}"})
    assert resp.status_code == 200
    registered = {a["name"] for a in resp.json()}
    assert not READS_AN_ID - registered, READS_AN_ID - registered  # the list names real actions
    unlisted = _mentions_a_carrier() - READS_AN_ID
    assert not unlisted, f"these actions read an id and are not in READS_AN_ID: {sorted(unlisted)}"
    missed = READS_AN_ID - _named_by_an_attack()
    assert not missed, f"not attacked with a foreign id: {sorted(missed)}"
