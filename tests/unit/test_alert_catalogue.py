"""The one alert catalogue (bot/core/alert_catalogue.py): every rule the code raises is in it, with a
severity and a Danish label, and nothing raises a rule by a bare string."""
import ast
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.core.alert_catalogue import CATALOGUE, RULE_LABELS, Rule, Severity
from bot.db import alerts as alert_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.service.web import labels

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def test_every_rule_has_a_severity_a_danish_label_and_a_dedupe_rule():
    assert set(CATALOGUE) == set(Rule)
    for rule, entry in CATALOGUE.items():
        assert isinstance(entry.severity, Severity)
        assert entry.label and entry.label != rule.value and entry.label[0].isupper(), rule
        assert entry.dedupe is not None
    # The dashboard shows the Danish label for every rule, including the three it used to lack.
    for code in ("appointment_cannot_come", "appointment_unanswered", "agreement_rejected"):
        assert labels.RULES[code] == RULE_LABELS[code] != code


def _rule_arguments(tree: ast.AST):
    """Every `rule=` keyword and every AlertDraft(...) first argument in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "rule":
                    yield keyword.value
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name == "AlertDraft" and node.args:
                yield node.args[0]


def test_no_module_raises_a_rule_by_a_bare_string():
    offenders = []
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("actions").rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        for value in _rule_arguments(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                offenders.append(f"{path.relative_to(ROOT)}:{value.lineno}: {value.value!r}")
    assert offenders == [], "raise alerts with bot.core.alert_catalogue.Rule, not strings"


def test_the_database_refuses_a_rule_the_catalogue_lacks(sqlite_db):
    def add(session, rule, severity="medium"):
        coordinator, _ = create_coordinator(session, "Mette")
        citizen = create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=coordinator.id,
                                 consent_at=NOW)
        return alert_db.add_alert(session, citizen.id, rule=rule, severity=severity, reason="x", created_at=NOW)

    with pytest.raises(ValueError):
        sqlite_db.call(add, "made_up_rule")
    with pytest.raises(ValueError):
        sqlite_db.call(add, Rule.OVERALL_RED, "catastrophic")
    stored = sqlite_db.call(lambda s: add(s, Rule.OVERALL_RED).rule)
    assert stored == "overall_red"
