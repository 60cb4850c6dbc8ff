"""Rasa checks every action-server response against its JSON schema with a validator built once.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate(result, schema)`, which
first checks the *schema itself* against the draft 2020-12 meta-schema and then builds a new
validator, on every action call. A check-in turn makes several action calls (the form, its
validation, the actions after it), and that re-checking of a constant schema was about a quarter of
the Rasa server's busy time (docs/performance.md). Here the schema is checked once and one validator
object is kept; each response is validated exactly as `jsonschema.validate` does it (the same
`best_match` of the same errors; a shortcut says "valid" sooner for the usual response, see
FastPath), and a failure raises the same `ValidationError` with Rasa's own
note appended. tests/channels/test_action_validation.py proves the verdicts are the same.

Installed from the channel modules (gate.py), which Rasa imports through credentials.yml before it
runs a turn. Only for the Rasa version it was written against: another version keeps its own code
(and says so in the log) until this module is checked against it.
"""
from __future__ import annotations

import logging
from typing import Any

import rasa
from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

log = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"  # rasa/core/actions/action.py, RemoteAction._validate_action_result
ORIGINAL = RemoteAction._validate_action_result


def build_validator():
    """The validator `jsonschema.validate` would build for Rasa's response schema, made once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class FastPath:
    """A quick "valid" for the common case, never a different verdict.

    Each event is checked against `oneOf` 23 event schemas, which tells them apart only by the
    constant in `event`; jsonschema checks all 23 for every event (and builds an error for each of
    the 22 that do not fit). An event whose `event` is one of those constants can fit no other, so
    it is valid exactly when it fits the event schema without `oneOf` plus the one that names it.
    `is_valid` says True only when that holds for every part; anything else (also whatever this
    class does not understand) goes to the full validator, which gives the verdict and the error.
    `available` is False when Rasa's schema is not shaped as this class expects."""

    def __init__(self, schema: dict[str, Any], cls):
        self.available = False
        properties = schema.get("properties", {})
        if set(schema) != {"type", "properties"} or schema["type"] != "object" \
                or set(properties) != {"events", "responses"}:
            return
        events = properties["events"]
        if set(events) != {"type", "items"} or events["type"] != "array":
            return
        event_schema = events["items"]
        if set(event_schema) != {"type", "properties", "required", "oneOf"} or event_schema["type"] != "object" \
                or "event" not in event_schema["required"]:
            return
        base = {key: value for key, value in event_schema.items() if key != "oneOf"}
        self.by_event = {}
        for option in event_schema["oneOf"]:
            const = option.get("properties", {}).get("event", {}).get("const")
            if not isinstance(const, str) or const in self.by_event:
                return  # an option not told apart by its constant: no shortcut
            self.by_event[const] = cls({**base, "allOf": [option]})
        self.responses = cls(properties["responses"])
        self.available = True

    def is_valid(self, result: Any) -> bool:
        if not self.available or not isinstance(result, dict):
            return False
        if "responses" in result and not self.responses.is_valid(result["responses"]):
            return False
        events = result.get("events", [])
        if not isinstance(events, list):
            return False
        for event in events:
            name = event.get("event") if isinstance(event, dict) else None
            validator = self.by_event.get(name) if type(name) is str else None
            if validator is None or not validator.is_valid(event):
                return False
        return True


def build_fast_path() -> FastPath:
    schema = RemoteAction.action_response_format_spec()
    return FastPath(schema, validators.validator_for(schema))


def make_validate_action_result(validator, fast_path: FastPath | None = None):
    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        # Runs on the event loop thread, start to end without an await: the validators' reference
        # resolvers (which keep a scope stack while they descend) are never used by two calls at once.
        if fast_path is not None and fast_path.is_valid(result):
            return True
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        # Rasa's own note, word for word (rasa/core/actions/action.py).
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    return _validate_action_result


def install() -> bool:
    """Replace Rasa's per-call schema check by the prebuilt validator; True when it is in place."""
    if RemoteAction._validate_action_result is not ORIGINAL:
        return True
    if rasa.__version__ != RASA_VERSION:
        log.warning("action responses: Rasa %s is not %s, keeping Rasa's own (slower) validation",
                    rasa.__version__, RASA_VERSION)
        return False
    RemoteAction._validate_action_result = make_validate_action_result(build_validator(), build_fast_path())
    return True


__all__ = ["ORIGINAL", "RASA_VERSION", "FastPath", "ValidationError", "build_fast_path", "build_validator", "install"]
