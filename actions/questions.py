"""One question the assistant asks on its own initiative and one answer to it (an invitation, an
approval, a follow-up). The question lives in the `question` slot; `answer_form` asks it (through
action_ask_answer), takes the reply, asks once more with the options spelled out if the reply is
unclear, and hands the answer to a handler in actions/question_handlers.py."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import CitizenAction
from actions.forms import CitizenFormValidation, accepted, citizen_language, latest_intent, latest_text, request_call
from bot.checkins.answers import ENGLISH, free_text, parse_yes_no, understood, yes_no_of_intent
from bot.checkins.language import DANISH
from bot.core.errors import Invalid
from bot.core.text import fold, words
from bot.outcomes import instruments

YES_NO = "yes_no"
YES_NO_UNKNOWN = "yes_no_unknown"
TEXT = "text"
DIGIT = "digit"  # one digit in the range of params["instrument"] (outcome measures: actions/outcomes.py)
JA_LIDT_NEJ = "ja_lidt_nej"  # progress on a goal (actions/goals.py): "ja", "lidt" or "nej"
UNCLEAR = "unclear"  # the answer after a second unclear reply: the handler decides what that means
STOPPED = "stopped"  # "det er nok for i dag": given only to the handlers that ask for it (question_handlers.py)
MAX_TEXT = 1000


def ask(kind: str, expects: str, **params: Any) -> list:
    """Events that make the assistant ask question `kind` next (responses utter_ask_<kind> and,
    for yes/no questions, utter_clarify_<kind>)."""
    question = {"kind": kind, "expects": expects, "params": params}
    # No answer carried over: the form would take a filled slot as the answer to this question.
    return [SlotSet("question", question), SlotSet("answer", None), SlotSet("answer_text", None),
            SlotSet("clarify", False), FollowupAction("answer_form")]


def reset_question() -> list[SlotSet]:
    """The question is answered, stopped or set aside: nothing is waiting for an answer any more."""
    return [SlotSet(slot, None) for slot in ("question", "answer", "answer_text", "question_stopped")] + [
        SlotSet("clarify", False)]


# Every number in the reply, whole: "-1", "0.5", "12:30" and "10" are numbers, not the digit in them.
_NUMBER = re.compile(r"[-+]?\d+(?:[.,:]\d+)?")


def parse_digit(text: str, params: dict, language: str = DANISH) -> str | None:
    """The digit as a string ("0" is an answer, not a missing one), or None when unclear: exactly
    one number in the reply, a single ASCII digit without sign or decimals ("٣", "-1" and "0.5"
    are asked again), in the instrument's range; words around it in Danish or the citizen's
    language ("jeg siger 4", not "<script>alert(1)</script>")."""
    try:
        instrument = instruments.instrument(params.get("instrument"))
    except (Invalid, TypeError):
        return None
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1 or not (numbers[0].isascii() and numbers[0].isdigit() and len(numbers[0]) == 1):
        return None
    if any(c.isalpha() for c in text) and not understood(text, language):
        return None
    value = instruments.parse_answer(numbers[0], instrument)
    return None if value is None else str(value)


_NOT_REALLY = {"ikke rigtig", "ikke rigtigt", "ikke saa godt", "ikke godt", "ikke saerlig godt", "daarligt",
               "slet ikke", "ikke endnu"}
_A_LITTLE = {"lidt", "smule"}
# An English citizen's A LITTLE and not really (docs/languages.md, "Keywords").
_NOT_REALLY_EN = {"not really", "not yet", "not at all", "not so well", "not well", "not good", "not much", "badly"}
_A_LITTLE_EN = {"little", "bit", "somewhat", "slightly"}
_DONT_KNOW_EN = {"don t know", "dont know", "i don t know", "i dont know", "not sure", "i m not sure", "im not sure",
                 "no idea", "maybe"}


def parse_progress(text: str, intent: str | None, language: str = DANISH) -> str | None:
    """JA / LIDT / NEJ to "Hvordan går det med dit mål?", conservatively: "lidt" (also "ja lidt",
    "lidt bedre", "en smule"); "nej" (also "ikke rigtig", "ikke så godt"); "ja". Anything mixed
    ("nej lidt", "ikke lidt") or unknown is unclear, and the citizen is asked once more."""
    tokens = words(text)
    if not tokens:
        return None
    phrase = " ".join(tokens)
    english = language == ENGLISH
    negated = "ikke" in tokens or "nej" in tokens or english and bool({"not", "no", "t"} & set(tokens))
    if set(tokens) & (_A_LITTLE | (_A_LITTLE_EN if english else set())):
        return None if negated else "lidt"
    if phrase in _NOT_REALLY or phrase.startswith("ikke rigtig") or english and phrase in _NOT_REALLY_EN:
        return "nej"
    yes_no = parse_yes_no(text, language)
    if yes_no is None:
        yes_no = yes_no_of_intent(text, intent, language)
    return None if yes_no is None else ("ja" if yes_no else "nej")


def parse_answer(text: str, expects: str, intent: str | None, params: dict | None = None,
                 language: str = DANISH) -> str | None:
    """A yes/no(/don't know) answer: "yes", "no", "unknown"; a digit ("3") for DIGIT; "ja", "lidt" or
    "nej" for JA_LIDT_NEJ; None when unclear."""
    if expects == DIGIT:
        return parse_digit(text, params or {}, language)
    if expects == JA_LIDT_NEJ:
        return parse_progress(text, intent, language)
    folded = fold(text).strip(" .!")
    if expects == YES_NO_UNKNOWN and (folded in {"ved ikke", "vedikke", "ved det ikke", "aner det ikke", "maaske",
                                                  "det ved jeg ikke", "ikke sikker"}
                                      or language == ENGLISH and " ".join(words(text)) in _DONT_KNOW_EN):
        return "unknown"
    yes_no = parse_yes_no(text, language)
    if yes_no is None:
        yes_no = yes_no_of_intent(text, intent, language)  # NLU only for text in Danish or the citizen's language
    return None if yes_no is None else ("yes" if yes_no else "no")


class ValidateAnswerForm(CitizenFormValidation):
    stopped_slot = "question_stopped"
    stop_intent = "stop_checkin"
    way_out = False  # the second unclear answer ends the question: its handler says what happens

    def name(self) -> str:
        return "validate_answer_form"

    async def call_instead(self, dispatcher, tracker: Tracker, requested: str) -> list:
        """As when NLU reads RING as request_contact (data/rules/agreements.yml): the call is asked
        for, then the question comes again (it stays open; PAUSE drops it)."""
        await request_call(dispatcher, tracker)
        return [SlotSet(requested, None)]

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: DomainDict) -> list[str]:
        """Yes/no answers go in `answer`, which does not take a request ("ring til mig") as an answer;
        free-text answers go in `answer_text`, where any words are the answer."""
        if tracker.get_slot("question_stopped"):
            return []
        question = tracker.get_slot("question") or {}
        return ["answer_text"] if question.get("expects") == TEXT else ["answer"]

    def validate_answer_text(self, value, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = free_text(latest_text(tracker), MAX_TEXT)  # text with letters, cut at MAX_TEXT
        return accepted({"answer_text": text}) if text is not None else self._missed("answer_text", tracker)

    def validate_answer(self, value, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        question = tracker.get_slot("question") or {}
        params = question.get("params") if isinstance(question.get("params"), dict) else {}
        answer = parse_answer(latest_text(tracker), question.get("expects", YES_NO), latest_intent(tracker), params,
                              citizen_language(tracker))
        return accepted({"answer": answer}) if answer is not None else self._missed("answer", tracker)

    @staticmethod
    def _missed(slot: str, tracker: Tracker) -> dict[str, Any]:
        """Asked once more with the options; after a second miss the handler gets UNCLEAR (never
        a guess: each handler stores nothing for it) so the citizen is not kept in a loop."""
        if tracker.get_slot("clarify"):
            return accepted({slot: UNCLEAR})
        return {slot: None, "clarify": True}


class ActionAskAnswer(CitizenAction):
    def name(self) -> str:
        return "action_ask_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        question = tracker.get_slot("question") or {}
        kind = question.get("kind", "unknown")
        response = f"utter_clarify_{kind}" if tracker.get_slot("clarify") and question.get("expects") != TEXT \
            else f"utter_ask_{kind}"
        dispatcher.utter_message(response=response, **question.get("params", {}))
        return []


class ActionAskAnswerText(ActionAskAnswer):
    def name(self) -> str:
        return "action_ask_answer_text"
