"""Rasa's event lookup by type name, remembered instead of searched for every event.

Rasa 3.6 turns every stored or received event dict into an Event with `Event.resolve_by_type`, which
walks the whole tree of Event subclasses (and asks `inspect.isabstract` of each) for every single
event: ~0.4 ms per event on this machine, so ~30 ms for a full check-in's tracker read from the
tracker store and ~3 ms for each action-server response (docs/performance.md). Here the first answer
for a type name is remembered, and forgotten as soon as any new Event subclass is defined (a
counter bumped by `Event.__init_subclass__`), so the answer is always the one Rasa's search would
give now; unknown names still go to Rasa's own code (its `default` and its error).

Installed from the channel modules (gate.py), which Rasa imports before it loads the model and reads
any tracker; only for the Rasa version it was checked against (tests/channels/test_rasa_events.py).
"""
from __future__ import annotations

import logging

import rasa
from rasa.shared.core.events import Event

log = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"  # rasa/shared/core/events.py, Event.resolve_by_type
ORIGINAL = Event.__dict__["resolve_by_type"]  # the staticmethod object
_state = {"generation": 0, "seen": -1}
_known: dict[str, type[Event]] = {}


def _note_subclass(cls, **kwargs) -> None:
    _state["generation"] += 1
    super(Event, cls).__init_subclass__(**kwargs)


def _resolve_by_type(type_name, default=None):
    if _state["seen"] != _state["generation"]:
        _known.clear()
        _state["seen"] = _state["generation"]
    found = _known.get(type_name)
    if found is not None:
        return found
    found = ORIGINAL.__func__(type_name, default)
    if found is not None and found.type_name == type_name:
        _known[type_name] = found
    return found


def install() -> bool:
    if Event.__dict__.get("resolve_by_type") is not ORIGINAL:
        return True
    if rasa.__version__ != RASA_VERSION:
        log.warning("events: Rasa %s is not %s, keeping Rasa's own event lookup", rasa.__version__, RASA_VERSION)
        return False
    if "__init_subclass__" in Event.__dict__:  # Rasa defines its own: do not guess how to chain it
        log.warning("events: Event.__init_subclass__ exists, keeping Rasa's own event lookup")
        return False
    Event.__init_subclass__ = classmethod(_note_subclass)
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    return True
