"""Progress on a goal in the conversation (actions/goals.py): the scheduler's EXTERNAL_goal_progress
asks "Hvordan går det med dit mål: ...?", the answer goes through answer_form and is stored on the
goal (bot/goals/plan.py record_progress). Hand-made trackers drive the actions as Rasa would, on a
real database."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.goals import MAX_GOAL_CHARS, ActionAskGoalProgress, goal_in_sms
from actions.question_handlers import ActionHandleAnswer
from actions.questions import JA_LIDT_NEJ, ActionAskAnswer, ValidateAnswerForm, parse_answer
from bot.channels.sms import render_buttons
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.models import Goal
from bot.goals import plan
from bot.sms.gsm import is_gsm7, segments
from tests.conftest import T0
from tests.trackers import DOMAIN, PHONE, tracker

OTHER_PHONE = "+4512345679"


@pytest.fixture
def people(db, clock):
    def make(session):
        mette, _ = create_coordinator(session, "Mette")
        ole, _ = create_coordinator(session, "Ole")
        return (create_citizen(session, name="Bente", phone=PHONE, coordinator_id=mette.id),
                create_citizen(session, name="Karen", phone=OTHER_PHONE, coordinator_id=mette.id),
                create_citizen(session, name="Otto", phone="+4512345670", coordinator_id=ole.id))

    context.use(db, clock)
    return db.call(make)


def new_goal(db, citizen, text="Jeg vil have et arbejde") -> int:
    return db.call(plan.add_goal, citizen.id, None, text, now=T0).id


def the_goal(db, goal_id: int) -> Goal:
    return db.call(lambda s: s.get(Goal, goal_id))


def text_of(message: dict) -> str:
    """The response as the citizen reads it by SMS: its buttons numbered (bot/channels/sms.py)."""
    [variant] = DOMAIN["responses"][message["response"]]
    text = variant["text"].format(**{k: v for k, v in message.items() if v is not None})
    return render_buttons(text, variant["buttons"]) if variant.get("buttons") else text


class Conversation:
    """One citizen's slots, carried from action to action as Rasa carries them."""

    def __init__(self, sender: str = PHONE):
        self.sender = sender
        self.slots: dict = {}
        self.said: list[dict] = []

    async def run(self, action, tracker_) -> list[dict]:
        before = len(self.said)
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker_, DOMAIN)
        self.said += dispatcher.messages
        followup = False
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            elif event.get("event") == "followup" and event.get("name") == "answer_form":
                followup = True
        if followup:
            await self.run(ActionAskAnswer(), tracker(slots=self.slots, sender=self.sender))
        return self.said[before:]

    async def trigger(self, goal_id) -> list[dict]:
        scheduled = tracker("EXTERNAL: goal_progress", intent="EXTERNAL_goal_progress", slots=self.slots,
                            sender=self.sender)
        scheduled.latest_message["entities"] = [{"entity": "goal_id", "value": str(goal_id)}]
        return await self.run(ActionAskGoalProgress(), scheduled)

    async def reply(self, text: str, intent: str | None = None) -> list[dict]:
        before = len(self.said)
        answering = tracker(text, intent=intent, slots=self.slots, requested_slot="answer",
                            active_loop="answer_form", sender=self.sender)
        events = await ValidateAnswerForm().run(CollectingDispatcher(), answering, DOMAIN)
        self.slots["answer"] = text
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        if self.slots.get("answer") is None:
            await self.run(ActionAskAnswer(), tracker(slots=self.slots, sender=self.sender))
        else:
            await self.run(ActionHandleAnswer(), tracker(text, slots=self.slots, sender=self.sender))
        return self.said[before:]


def responses(messages: list[dict]) -> list[str]:
    return [m["response"] for m in messages]


@pytest.mark.parametrize("text, expected", [
    ("JA", "ja"), ("ja tak", "ja"), ("Jo", "ja"), ("lidt", "lidt"), ("LIDT", "lidt"), ("ja lidt", "lidt"),
    ("lidt bedre", "lidt"), ("en smule", "lidt"), ("nej", "nej"), ("Nej.", "nej"), ("ikke rigtig", "nej"),
    ("ikke rigtigt", "nej"), ("ikke så godt", "nej"), ("slet ikke", "nej"),
    ("nej lidt", None), ("ikke lidt", None), ("måske", None), ("hvad?", None), ("", None), ("blå", None),
])
def test_the_answers_are_read_conservatively(text, expected):
    assert parse_answer(text, JA_LIDT_NEJ, None) == expected


def test_the_goal_is_read_back_in_gsm7_and_cut_at_a_word():
    assert goal_in_sms("Få et job – gerne på deltid.") == "Få et job - gerne på deltid"
    long = goal_in_sms("ord " * 100)
    assert len(long) <= MAX_GOAL_CHARS and long.endswith("ord...")
    question = text_of({"response": "utter_ask_goal_progress", "goal": goal_in_sms("x" * 300)})
    assert is_gsm7(question) and segments(question) <= 2


@pytest.mark.parametrize("reply, stored, response", [
    ("JA", "ja", "utter_goal_progress_ja"),
    ("lidt bedre", "lidt", "utter_goal_progress_lidt"),
    ("nej", "nej", "utter_goal_progress_nej"),
])
async def test_the_answer_is_stored_on_the_goal_and_the_coordinator_is_named(db, people, clock, reply, stored,
                                                                             response):
    bente, _, _ = people
    goal_id = new_goal(db, bente)
    talk = Conversation()
    said = await talk.trigger(goal_id)
    assert responses(said) == ["utter_ask_goal_progress"]
    assert text_of(said[0]) == "Hej. Går det fremad med dit mål: Jeg vil have et arbejde?\n1 JA\n2 LIDT\n3 NEJ\nSvar 1, 2 eller 3."
    assert talk.slots["question"]["kind"] == "goal_progress" and talk.slots["awaiting_reply"] == "nothing"
    said = await talk.reply(reply)
    assert responses(said) == [response]
    assert "Mette kan se dit svar" in text_of(said[0])
    goal = the_goal(db, goal_id)
    assert (goal.last_progress, goal.last_progress_at) == (stored, T0)
    assert talk.slots["question"] is None  # nothing left waiting for an answer


async def test_an_unclear_answer_is_asked_once_more_then_given_up_kindly(db, people):
    bente, _, _ = people
    goal_id = new_goal(db, bente)
    talk = Conversation()
    await talk.trigger(goal_id)
    said = await talk.reply("det ved jeg ikke rigtig")
    assert responses(said) == ["utter_clarify_goal_progress"]
    assert "JA" in text_of(said[0]) and "LIDT" in text_of(said[0]) and "NEJ" in text_of(said[0])
    said = await talk.reply("hmm")
    assert responses(said) == ["utter_goal_progress_unclear"]
    assert the_goal(db, goal_id).last_progress is None
    # Clear the second time: taken.
    talk = Conversation()
    await talk.trigger(goal_id)
    await talk.reply("tja")
    said = await talk.reply("lidt")
    assert responses(said) == ["utter_goal_progress_lidt"] and the_goal(db, goal_id).last_progress == "lidt"


async def test_another_citizens_goal_is_neither_asked_nor_stored(db, people):
    bente, karen, otto = people
    theirs = new_goal(db, karen, "Karens mål")
    others = new_goal(db, otto, "Ottos mål")
    talk = Conversation()  # Bente's phone
    for goal_id in (theirs, others, 999999, "x", -1):
        assert await talk.trigger(goal_id) == []
    assert talk.slots.get("question") is None
    # A forged question naming Karen's goal: the answer is not stored, nothing is said.
    talk.slots["question"] = {"kind": "goal_progress", "expects": JA_LIDT_NEJ, "params": {"goal_id": theirs}}
    assert await talk.reply("ja") == []
    talk.slots["question"] = {"kind": "goal_progress", "expects": JA_LIDT_NEJ, "params": {"goal_id": "garbage"}}
    assert await talk.reply("nej") == []
    assert the_goal(db, theirs).last_progress is None


async def test_a_goal_reached_or_dropped_is_not_asked_about_but_a_late_answer_counts(db, people):
    bente, _, _ = people
    goal_id = new_goal(db, bente)
    talk = Conversation()
    await talk.trigger(goal_id)
    db.call(plan.change_goal, goal_id, None, {"status": "reached"}, now=T0)
    said = await talk.reply("ja")
    assert responses(said) == ["utter_goal_progress_ja"] and the_goal(db, goal_id).last_progress == "ja"
    db.call(plan.change_goal, goal_id, None, {"status": "dropped"}, now=T0)
    assert await Conversation().trigger(goal_id) == []


async def test_an_unknown_sender_gets_no_question(db, people):
    goal_id = new_goal(db, people[0])
    assert await Conversation(sender="+4599999999").trigger(goal_id) == []
