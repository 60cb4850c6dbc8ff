"""Benchmark: the share of check-ins completed without a clarification (issue 15 §4), with the
options as digits and buttons against the text-only baseline, in one run (docs/nlu.md, "Buttons and
digits").

    .venv/bin/python bench/clarifications.py [--model models/current.tar.gz] [--verbose]

A fixed corpus of held-out answers goes through the real check-in validation (actions/checkin.py,
the trained model's intents, a throw-away SQLite database), one complete check-in per answer to the
colour question, and the share comes from the same use case the overview shows
(bot/checkins/record.py clarification_share, one coordinator per arm):
- the colour: every answer of tests/nlu/colours.yml, with the colour it means;
- yellow and red ask "Hvad fylder mest?" (answered "2": an area number, no buttons), "Vil du
  fortælle lidt mere?" ("nej") and "Skal din koordinator ringe til dig?": the affirm and deny
  answers of tests/nlu/heldout.yml in turn;
- an answer that is asked again gets the button word of what the citizen meant the next time.

Arms (the same check-ins):
- text, no buttons: the answers as written, the questions without buttons (before issue 15 §4);
- digits, no mapping: the citizen writes the digit of what they mean, the question has no buttons;
- digits: the same digits after the questions with buttons (actions/forms.py latest_text);
- buttons: the word of the button (what a tap in the web chat sends).
And every non-answer of tests/nlu/non_answers.yml as the answer to the colour question with its
buttons shown: how many were taken as an answer (must stay 0).

What it measures is the answers the system understands, not what citizens will do: the digit and
button arms assume the citizen uses them, so their share is what the buttons and digits make
possible; the overview's share (real check-ins) says how many do. Not run by `make test`."""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from actions import context  # noqa: E402
from actions.checkin import ActionSubmitCheckin, ValidateCheckinForm  # noqa: E402
from bot.channels.keywords import as_rasa_text  # noqa: E402
from bot.checkins.record import clarification_share  # noqa: E402
from bot.core.clock import FixedClock  # noqa: E402
from bot.db.citizens import create_citizen  # noqa: E402
from bot.db.coordinators import create_coordinator  # noqa: E402
from bot.db.database import Database  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.nlp import quality  # noqa: E402
from tests.conftest import T0  # noqa: E402
from tests.trackers import DOMAIN, slot_values, tracker  # noqa: E402

COLOUR_WORD = {"green": "GRØN", "yellow": "GUL", "red": "RØD"}
COLOUR_DIGIT = {"green": "1", "yellow": "2", "red": "3"}
YES_NO_WORD = {True: "JA", False: "NEJ"}
YES_NO_DIGIT = {True: "1", False: "2"}
ASKED = {"checkin_overall": "utter_ask_checkin_overall", "checkin_focus": "utter_ask_checkin_focus",
         "checkin_note": "utter_ask_checkin_note", "checkin_wants_contact": "utter_ask_checkin_wants_contact"}
FIXED = {"checkin_focus": "2", "checkin_note": "nej"}  # no buttons: the same answer in every arm
ARMS = {  # name: (what the citizen writes, whether the questions have buttons)
    "text, no buttons (before)": ("text", False),
    "digits, no mapping": ("digit", False),
    "digits": ("digit", True),
    "buttons (tapped words)": ("word", True),
}
MAX_TRIES = 4


@dataclass(frozen=True)
class Case:
    colour_text: str
    colour: str  # what the citizen means
    yes_no_text: str
    yes: bool


def corpus() -> list[Case]:
    colours = quality.labelled(quality.colours_file())
    answers = [(text, intent == "affirm") for intent, text in quality.heldout_examples("da")
               if intent in ("affirm", "deny")]
    return [Case(text, colour, *answers[i % len(answers)]) for i, (colour, text) in enumerate(colours)]


def non_answers() -> list[str]:
    data = yaml.safe_load((quality.NLU_TESTS / "non_answers.yml").read_text(encoding="utf-8"))
    # distress_english is red to a colour question by design (tests/nlu/non_answers.yml), not noise.
    return [str(text) for category, texts in data.items() if category != "distress_english" for text in texts or []]


class Replay:
    def __init__(self, parses: dict[str, quality.Parse]):
        self.parses = parses
        self.wrong_colour: dict[str, list[str]] = {}  # arm: colour answers stored as another colour
        self.missed: dict[str, list[str]] = {}  # arm: the answers asked again
        self.stopped: dict[str, list[str]] = {}  # arm: colour answers that ended the check-in unfinished

    def answer(self, case: Case, question: str, writes: str, retry: bool) -> str:
        if question in FIXED:
            return FIXED[question]
        if question == "checkin_overall":
            meant = {"text": case.colour_text, "digit": COLOUR_DIGIT[case.colour], "word": COLOUR_WORD[case.colour]}
        else:
            meant = {"text": case.yes_no_text, "digit": YES_NO_DIGIT[case.yes], "word": YES_NO_WORD[case.yes]}
        return meant["word" if retry else writes]

    async def checkin(self, arm: str, phone: str, case: Case) -> None:
        writes, buttons = ARMS[arm]
        slots: dict = {"checkin_programme": "standard"}
        question, tries = "checkin_overall", 0
        while question:
            text = as_rasa_text(self.answer(case, question, writes, retry=tries > 0))
            parse = self.parses[text]
            said = tracker(text, intent=parse.intent, confidence=parse.confidence, slots=slots,
                           requested_slot=question, active_loop="checkin_form", sender=phone,
                           asked=ASKED[question] if buttons else None)
            changed = slot_values(await ValidateCheckinForm().run(CollectingDispatcher(), said, DOMAIN))
            slots.update({k: v for k, v in changed.items() if k != "requested_slot"})
            asked_again = changed.get("checkin_clarifications") is not None and \
                changed["checkin_clarifications"] != said.get_slot("checkin_clarifications")
            tries = tries + 1 if asked_again else 0
            if asked_again:
                self.missed.setdefault(arm, []).append(f"{question}: {text!r}")
            if tries >= MAX_TRIES:
                raise RuntimeError(f"{arm}: {case} never understood")
            question = changed.get("requested_slot")  # None: the form is done
        if slots.get("checkin_stopped"):
            self.stopped.setdefault(arm, []).append(repr(case.colour_text))
        elif slots.get("checkin_overall") != case.colour:
            self.wrong_colour.setdefault(arm, []).append(
                f"{case.colour_text!r} ({case.colour}) -> {slots.get('checkin_overall')}")
        await ActionSubmitCheckin().run(CollectingDispatcher(), tracker("", slots=slots, sender=phone), DOMAIN)


async def run(model: Path, verbose: bool = False) -> None:
    cases, noise = corpus(), non_answers()
    agent = quality.load_agent(model)
    texts = {as_rasa_text(t) for c in cases for t in (c.colour_text, c.yes_no_text)}
    texts |= {as_rasa_text(t) for t in noise} | set(COLOUR_WORD.values()) | set(COLOUR_DIGIT.values())
    texts |= set(YES_NO_WORD.values()) | set(FIXED.values())
    parses, _ = await quality.parse_all(agent, sorted(texts))

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-clarifications-')) / 'coordination.db'}"
    upgrade(url)
    db, clock = Database(url), FixedClock(T0)
    context.use(db, clock)
    replay = Replay(parses)
    coordinators = {}
    for a, arm in enumerate(ARMS):
        def make(session, a=a, arm=arm):
            coordinator, _ = create_coordinator(session, arm)
            for i in range(len(cases)):
                create_citizen(session, name=f"B{a}-{i}", phone=f"+45{a + 2}{i:07d}", coordinator_id=coordinator.id)
            return coordinator.id
        coordinators[arm] = db.call(make)
        for i, case in enumerate(cases):
            await replay.checkin(arm, f"+45{a + 2}{i:07d}", case)

    print(f"{len(cases)} check-ins (tests/nlu/colours.yml; yes/no from tests/nlu/heldout.yml), "
          f"model {model.name}:")
    print("| arm | completed without a clarification | share | colour decided wrong |")
    print("|---|---|---|---|")
    for arm, coordinator_id in coordinators.items():
        share = db.call(lambda s, c=coordinator_id: clarification_share(s, T0 - timedelta(days=1),
                                                                        T0 + timedelta(days=1), c))
        print(f"| {arm} | {share.without_clarification} of {share.completed} | {share.percent} % | "
              f"{len(replay.wrong_colour.get(arm, []))} |")

    taken = 0
    for text in noise:
        said_text = as_rasa_text(text)
        parse = parses[said_text]
        said = tracker(said_text, intent=parse.intent, confidence=parse.confidence,
                       slots={"checkin_programme": "standard"}, requested_slot="checkin_overall",
                       active_loop="checkin_form", sender="+4599999999", asked=ASKED["checkin_overall"])
        changed = slot_values(await ValidateCheckinForm().run(CollectingDispatcher(), said, DOMAIN))
        taken += changed.get("checkin_overall") is not None
    print(f"non-answers (tests/nlu/non_answers.yml) taken as a colour after the buttons: {taken} of {len(noise)}")
    if verbose:
        for arm in ARMS:
            missed = ", ".join(f"{answer} x{n}" for answer, n in Counter(replay.missed.get(arm, [])).most_common())
            print(f"{arm}: asked again: {missed or '-'}; not completed: {', '.join(replay.stopped.get(arm, [])) or '-'}; "
                  f"another colour: {', '.join(replay.wrong_colour.get(arm, [])) or '-'}")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--verbose", action="store_true", help="list the answers asked again")
    args = parser.parse_args()
    asyncio.run(run(args.model, args.verbose))


if __name__ == "__main__":
    main()
