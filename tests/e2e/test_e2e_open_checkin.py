"""An answer counts the moment it is given (issue 11, item 4; docs/decisions.md): "tjek ind", "rød" and
then silence, on REST, SMS (signed webhooks) and the web chat (socket.io with the signed link), through
the real Rasa server, action server and coordination service. Right after "rød" the API shows an open
red check-in and its overall_red alert; at the nudge time the citizen gets one nudge (by SMS, as every
proactive message) and the question where they stopped; at the close time the check-in is partial;
answering later completes the same check-in, one row, no alert twice. Times come from the check-in's
own last answer and the scheduler is driven with stack.tick (docs/testing.md)."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from bot.core.config import ProactiveSettings
from bot.jobs import timing
from tests.webchat_client import WebchatClient, chat_token

pytestmark = pytest.mark.e2e

SETTINGS = ProactiveSettings()  # the stack runs with the default timings


def checkins(stack, citizen) -> list[dict]:
    return stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", citizen["token"]).json()


def alert_rules(stack, citizen) -> list[str]:
    alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", citizen["token"]).json()
    return sorted(a["rule"] for a in alerts)


def sent(report: dict) -> list[str]:
    return [job["purpose"] for job in report["jobs"] if job["outcome"] == "sent"]


def tjek_ind_rod_silence_then_finish(stack, citizen, say: Callable[[str], list[str]], channel: str) -> None:
    phone = citizen["phone"]
    [question] = say("tjek ind")
    assert "GRØN" in question and "RØD" in question
    [focus] = say("rød")
    assert "1 Krop og helbred" in focus

    # The colour counts at once: an open red check-in and its alert, before any further answer.
    [checkin] = checkins(stack, citizen)
    assert (checkin["overall"], checkin["status"], checkin["complete"], checkin["channel"]) == (
        "red", "open", False, channel)
    assert alert_rules(stack, citizen) == ["overall_red"]

    answered = datetime.fromisoformat(checkin["last_answer_at"])
    nudge_at = timing.open_checkin_nudge_time(answered, SETTINGS)
    close_at = timing.open_checkin_close_time(answered, SETTINGS)
    inbox = len(stack.phone_inbox(phone))

    # Silence: nothing before the nudge time, then one kind nudge and the question where they stopped.
    assert sent(stack.tick(nudge_at - timedelta(minutes=1), [citizen])) == []
    assert sent(stack.tick(nudge_at, [citizen])) == ["checkin_open_nudge"]
    nudge, again = stack.wait_for_sms(phone, inbox + 2)[inbox:]
    assert "ikke helt færdig" in nudge and "SLUT" in nudge and "STOP" not in nudge
    assert "Hvad fylder mest?" in again
    assert sent(stack.tick(nudge_at + timedelta(hours=1), [citizen])) == []  # one nudge, no more

    # Left open until the close time: partial, the answers kept, nothing said to the citizen.
    report = stack.tick(close_at, [citizen])
    assert [(job["purpose"], job["outcome"]) for job in report["jobs"]] == [("checkin_close", "done")]
    [closed] = checkins(stack, citizen)
    assert (closed["id"], closed["status"], closed["overall"]) == (checkin["id"], "partial", "red")
    time.sleep(1)
    assert len(stack.phone_inbox(phone)) == inbox + 2

    # Answering later completes the same check-in: one row, each alert once.
    [more] = say("2")
    assert "NEJ" in more
    [call] = say("nej")
    assert "ringe" in call
    [done] = say("ja")
    assert "Mette" in done and "ringer" in done
    [final] = checkins(stack, citizen)
    assert (final["id"], final["status"], final["focus_areas"], final["wants_contact"]) == (
        checkin["id"], "complete", ["humoer"], True)
    assert alert_rules(stack, citizen) == ["contact_request", "overall_red"]


def test_rest(stack):
    citizen = stack.new_citizen()
    tjek_ind_rod_silence_then_finish(stack, citizen, lambda text: stack.say(citizen["phone"], text), "rest")


def test_sms(stack):
    citizen = stack.new_citizen()
    tjek_ind_rod_silence_then_finish(stack, citizen, lambda text: stack.text_and_wait(citizen["phone"], text), "sms")


def test_web_chat(stack):
    citizen = stack.new_citizen()
    with WebchatClient(stack.rasa_url, chat_token(stack, citizen)) as chat:
        tjek_ind_rod_silence_then_finish(stack, citizen, chat.say, "webchat")
