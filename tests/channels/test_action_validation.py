"""The prebuilt validator of action-server responses (bot/channels/action_validation.py) gives the
same verdict as Rasa's own `jsonschema.validate` call: the same responses pass, and a bad one fails
with the same error (message, place, rule)."""
from __future__ import annotations

import copy
import random

import pytest
import rasa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.channels import action_validation, gate  # noqa: F401  (gate installs it, as in Rasa)

ACTION = RemoteAction("action_checkin_store", None)

# What our action server really answers (a check-in form's turn, a stored check-in, a question).
VALID = [
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot", "timestamp": None, "name": "checkin_overall", "value": "red"},
                {"event": "active_loop", "timestamp": None, "name": "checkin_form"},
                {"event": "slot", "timestamp": None, "name": "requested_slot", "value": "checkin_focus"}],
     "responses": [{"text": "Hvad fylder mest?", "buttons": [], "elements": [], "custom": {}, "template": None,
                    "response": None, "image": None, "attachment": None}]},
    {"events": [{"event": "followup", "timestamp": None, "name": "action_listen"},
                {"event": "reset_slots", "timestamp": None},
                {"event": "bot", "timestamp": 1.5, "text": "Tak", "data": {}, "metadata": {}},
                {"event": "user", "timestamp": None, "text": "ja", "parse_data": {
                    "intent": {"name": "affirm", "confidence": 0.9}, "entities": [
                        {"entity": "number", "value": 2, "start": 0, "end": 1}]}, "input_channel": "rest"},
                {"event": "action", "timestamp": None, "name": "utter_ok", "policy": None, "confidence": 1.0},
                {"event": "session_started", "timestamp": None},
                {"event": "action_execution_rejected", "name": "checkin_form"}],
     "responses": [{"response": "utter_ok", "foo": "bar"}]},
]

INVALID = [
    [],
    "events",
    {"events": {}},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"name": "checkin_overall", "value": "red"}]},
    {"events": [{"event": "slot", "name": 3, "value": "red"}]},
    {"events": [{"event": "slot", "value": "red"}]},
    {"events": [{"event": "user", "text": 5}]},
    {"events": [{"event": "user", "text": "ja", "parse_data": {"intent": {"name": 1}}}]},
    {"events": [{"event": "bot", "text": "Tak"}, 5]},
    {"responses": {"text": "Tak"}},
    {"responses": ["Tak"]},
    {"events": [{"event": "slot", "timestamp": "now", "name": "x", "value": 1}]},
]


def verdict(validate, result):
    """None when the response passes, else what the error says and where."""
    try:
        assert validate(ACTION, copy.deepcopy(result)) is True
        return None
    except ValidationError as error:
        return (error.message, list(error.path), list(error.schema_path), error.validator)


def mutants(seed: int, count: int):
    """Valid responses with one leaf or node swapped for a value of another type (about a third of
    them still pass: Rasa's schema leaves many fields open)."""
    rng = random.Random(seed)
    others = [None, 0, 1.5, "x", True, [], {}, [1], {"event": "slot"}]
    for _ in range(count):
        result = copy.deepcopy(rng.choice(VALID[2:]))
        node, key = result, None
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = rng.choice(keys)
            if not isinstance(node[key], (dict, list)) or rng.random() < 0.3:
                break
            node = node[key]
        if key is not None and keys:
            node[key] = rng.choice(others)
        yield result


def test_it_is_installed_for_this_rasa_version():
    assert rasa.__version__ == action_validation.RASA_VERSION, (
        "a new Rasa: check bot/channels/action_validation.py against its RemoteAction")
    assert RemoteAction._validate_action_result is not action_validation.ORIGINAL
    assert action_validation.install() is True


@pytest.mark.parametrize("result", VALID + INVALID + list(mutants(13, 300)))
def test_same_verdict_as_rasas_own_validation(result):
    ours = RemoteAction._validate_action_result
    assert verdict(ours, result) == verdict(action_validation.ORIGINAL, result)


def test_the_invalid_ones_are_refused_and_the_valid_ones_pass():
    assert all(verdict(action_validation.ORIGINAL, r) is None for r in VALID)
    refused = [verdict(RemoteAction._validate_action_result, r) for r in INVALID]
    assert all(v is not None and "Failed to validate Action server response" in v[0] for v in refused)


def test_another_rasa_version_keeps_rasas_own(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", action_validation.ORIGINAL)
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    assert action_validation.install() is False
    assert RemoteAction._validate_action_result is action_validation.ORIGINAL


def test_the_shortcut_applies_to_rasas_schema_and_never_passes_what_rasa_refuses():
    fast = action_validation.build_fast_path()
    assert fast.available and len(fast.by_event) == 23
    cases = VALID + INVALID + list(mutants(29, 300))
    for result in cases:
        if fast.is_valid(copy.deepcopy(result)):
            assert verdict(action_validation.ORIGINAL, result) is None, result
    # It is the common case: every response our action server sends is taken by the shortcut.
    assert all(fast.is_valid(r) for r in VALID)
