"""The one error a use case raises for input it refuses. Adapters turn it into what their caller
understands: the JSON API into 422 {"error": message}, the dashboard into a Danish message next to the
field, an action into a kind question again (docs/architecture.md)."""
from __future__ import annotations


class Invalid(ValueError):
    """`field` names the input that was wrong, or the rule that refused a well-formed one (a constant
    of the use case's module), so forms can word their own message without reading `message`."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(LookupError):
    """The thing does not exist, or is not the caller's to see (the API answers 404 for both)."""
