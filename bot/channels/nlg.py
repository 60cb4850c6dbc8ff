"""Rasa's responses in the citizen's language (docs/languages.md).

endpoints.yml names this class (`nlg: type: bot.channels.nlg.CatalogueNLG`); Rasa then generates
every bot message through it: the responses of rules and forms, the `response=` of our custom
actions, and so every proactive message too (the scheduler's EXTERNAL_* intents run actions).

The responses are the domain's (Danish) overlaid per language by its catalogue (bot/core/i18n.py,
bot/i18n/<code>.yml): for a citizen whose language is not Danish, each response is taken from that
language's catalogue, variations, conditions and buttons included, and from the domain only when the
catalogue lacks it (a WARNING with the response's name, once per process and name: never the text).

The language is the citizen's (`citizens.language`), read from the coordination database by the
tracker's sender id, which is the citizen's phone number on every channel (bot/channels/gate.py).
The gate reads the citizen for every message anyway, so it hands the language over
(`remember_language`) and a reply in the same turn needs no query; only a turn no message started
(the scheduler's proactive ones) reads it, one indexed query (bench/nlg_language.py measures it),
kept for LANGUAGE_TTL seconds. A change made on the dashboard therefore reaches proactive messages
within that time and the citizen's next reply at once. A sender who is no citizen, an unset
language and a database that cannot be reached all give Danish: a message in the default language
is better than none.

Optional endpoint keys: `catalogue` (a directory instead of bot/i18n/, for a translator's trial)."""
from __future__ import annotations

import copy
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.checkins.programmes import response_placeholders
from bot.core import i18n
from bot.core.clock import Clock, process_clock
from bot.core.config import Settings
from bot.db import citizens as citizen_db
from bot.db.database import DATABASE_ERRORS, Database, shared_database

log = logging.getLogger(__name__)
LANGUAGE_TTL = 60.0  # seconds a language read here or handed over by the gate is used without a query
# (database URL, phone) -> (language, when it was read, by the reader's clock): one process serves
# one database, but tests run several side by side.
_known: dict[tuple[str, str], tuple[str, datetime]] = {}


def remember_language(db: Database, phone: str, language: str | None, now: datetime) -> None:
    """The gate read the citizen for this message: their language, fresh, for this turn's replies."""
    _known[(db.url, phone)] = (language or i18n.DANISH, now)


def _remembered(db: Database, phone: str, now: datetime) -> str | None:
    found = _known.get((db.url, phone))
    if found is None:
        return None
    # A time ahead of `now` was read by another clock than this one (tests): old, read again.
    age = (now - found[1]).total_seconds()
    return found[0] if 0 <= age <= LANGUAGE_TTL else None


class CatalogueNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None, *,
                 database: Database | None = None, catalogue: i18n.Catalogue | None = None,
                 clock: Clock | None = None) -> None:
        super().__init__(domain.responses if domain else {})
        directory = (endpoint_config.kwargs.get("catalogue") if endpoint_config else None)
        self.catalogue = catalogue or (i18n.Catalogue(Path(directory)) if directory else i18n.default_catalogue())
        self._db = database
        self.clock = clock or process_clock()
        # Per language: (the domain responses it was built from, the overlaid responses). Rasa sets
        # `self.responses` anew when it loads a model, which makes a kept overlay stale.
        self._overlays: dict[str, tuple[dict, dict]] = {}
        self._warned: set[tuple[str, str]] = set()

    @property
    def db(self) -> Database:
        # Created lazily, as the gate's: Rasa builds this before its event loop and environment are final.
        if self._db is None:
            self._db = shared_database(Settings.from_env().database_url)
        return self._db

    async def language_of(self, sender_id: str | None) -> str:
        """The citizen's language; Danish for a stranger, an unset language or a database down."""
        if not sender_id:
            return i18n.DANISH
        now = self.clock.now()
        known = _remembered(self.db, sender_id, now)
        if known is not None:
            return known
        try:
            language = await self.db.run(citizen_db.language_by_phone, sender_id)
        except DATABASE_ERRORS as exc:
            # Only the class: the driver's message can quote the parameters (the phone number).
            log.warning("citizen's language not read (%s): the response goes out in Danish", type(exc).__name__)
            return i18n.DANISH
        if language is not None:
            remember_language(self.db, sender_id, language, now)
        return language or i18n.DANISH

    def responses_for(self, language: str) -> dict[str, list[dict[str, Any]]]:
        """The domain's responses with every one the language's catalogue has replaced by its own."""
        if language == i18n.DANISH:
            return self.responses
        kept = self._overlays.get(language)
        if kept is not None and kept[0] is self.responses:
            return kept[1]
        own = self.catalogue.responses(language)
        # A catalogue entry the domain does not have is a leftover: never sent (tests list them).
        overlay = {name: own.get(name, variations) for name, variations in self.responses.items()}
        self._overlays[language] = (self.responses, overlay)
        return overlay

    async def generate(self, utter_action: str, tracker: DialogueStateTracker, output_channel: str,
                       **kwargs: Any) -> dict[str, Any] | None:
        language = await self.language_of(tracker.sender_id)
        return self.generate_in(language, utter_action, tracker.current_slot_values(), output_channel, **kwargs)

    def generate_in(self, language: str, utter_action: str, filled_slots: dict[str, Any], output_channel: str,
                    **kwargs: Any) -> dict[str, Any] | None:
        """Rasa's own choice of a variation (channel, conditions, at random) and filling of
        placeholders, over the responses of `language`."""
        responses = self.responses_for(language)
        if utter_action not in responses:
            return None
        written_in = language
        if language != i18n.DANISH and utter_action not in self.catalogue.responses(language):
            self._warn_missing(language, utter_action)
            written_in = i18n.DANISH
        variations = ResponseVariationFilter(responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots)
        if not variations:
            return None
        # numpy's random choice, as Rasa's own generator: a test that seeds it gets the same variation.
        chosen = copy.deepcopy(variations[np.random.randint(len(variations))])
        # The check-in's derived placeholders ({area_list}), in the language the text is written in;
        # what an action passed with its `response=` comes first.
        derived = response_placeholders(filled_slots, written_in) if "{" in (chosen.get("text") or "") else {}
        message = self._fill_response(chosen, filled_slots, **{**derived, **kwargs})
        if message is not None:
            # The language the text is in: Rasa passes it on to the output channel with the message,
            # which says how to answer buttons in the same language (bot/channels/sms.py, webchat.py).
            message["language"] = written_in
        return message

    def _warn_missing(self, language: str, name: str) -> None:
        if (language, name) not in self._warned:
            self._warned.add((language, name))
            log.warning("no %s response %s in the catalogue: sent in Danish", language, name)
