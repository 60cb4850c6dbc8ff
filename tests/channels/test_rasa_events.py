"""bot/channels/rasa_events.py: the remembered event lookup answers as Rasa's search does, also
after a new Event subclass appears."""
import pytest
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot.channels import rasa_events


@pytest.fixture(autouse=True)
def installed():
    assert rasa_events.install()


def rasas(type_name, default=None):
    return rasa_events.ORIGINAL.__func__(type_name, default)


def test_same_class_as_rasas_search_for_every_event_type():
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert "user" in names and "slot" in names
    for _ in range(2):  # the second round from memory
        for name in names:
            assert Event.resolve_by_type(name) is rasas(name)


def test_unknown_names_keep_rasas_answers():
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_a_subclass_defined_later_is_found():
    assert Event.resolve_by_type("late_event_for_test", default=UserUttered) is UserUttered

    class LateEvent(UserUttered):
        type_name = "late_event_for_test"

    assert Event.resolve_by_type("late_event_for_test") is LateEvent
    listen = {"event": "action", "name": "action_listen", "timestamp": 1.0}
    assert Event.from_parameters(listen) == rasas("action")._from_parameters(listen)
