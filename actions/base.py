"""What every custom action shares: when the coordination database is briefly down, the citizen
gets a kind answer instead of silence. (An action that raises makes the action server answer 500;
Rasa then drops the action's messages and carries on without a word, and the citizen cannot tell
a broken service from a coordinator who does not answer.)"""
from __future__ import annotations

import abc
import functools
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.utils import call_potential_coroutine

from bot.core.texts import for_language
from bot.db.database import DATABASE_ERRORS

log = logging.getLogger(__name__)


class AnswersWhenDatabaseDown:
    """Mixin for the base classes below. Each subclass's own `run` is wrapped where it is defined,
    so no action has to remember it (tests/actions/test_actions_database_down.py checks they all do)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "run" in vars(cls):
            cls.run = _answering_when_database_down(vars(cls)["run"])

    def events_when_database_down(self, tracker: Tracker) -> list:
        """Nothing was saved, so the conversation's state does not move on either."""
        return []


def _answering_when_database_down(run):
    @functools.wraps(run)
    async def guarded(self, dispatcher, tracker, domain):
        try:
            return await call_potential_coroutine(run(self, dispatcher, tracker, domain))
        except DATABASE_ERRORS as exc:
            # The class name only: the driver's message can quote the citizen's data.
            log.warning("%s: coordination database unavailable (%s); the citizen was asked to try again",
                        self.name(), type(getattr(exc, "orig", None) or exc).__name__)
            # Said before the failure may promise what was never saved ("Mette ringer til dig").
            dispatcher.messages.clear()
            dispatcher.utter_message(text=for_language("DATABASE_DOWN", message_language(tracker)))
            return self.events_when_database_down(tracker)

    return guarded


def message_language(tracker: Tracker) -> str | None:
    """The citizen's language as the gate put it in the message's metadata (bot/channels/gate.py): the
    database cannot be asked now. None (Danish) in a proactive turn, which has no metadata."""
    metadata = (tracker.latest_message or {}).get("metadata")
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return language if isinstance(language, str) else None


class CitizenAction(AnswersWhenDatabaseDown, Action, abc.ABC):
    """Base class of every custom action that is not a form validation (those use
    actions.forms.CitizenFormValidation)."""

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract so the action server does not register this base class itself."""
