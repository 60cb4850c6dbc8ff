"""The stored codes have one definition, the enums in bot/core/vocabulary.py (and the alert catalogue's
severities): the tuples in bot/db/models.py are derived from them, and no module compares a status to a
bare string or sets one from a bare string."""
import ast
from pathlib import Path

from bot.core import vocabulary
from bot.core.alert_catalogue import Severity
from bot.core.vocabulary import (
    AgreementStatus,
    AlertStatus,
    AppointmentKind,
    AppointmentReply,
    AppointmentStatus,
    CheckinStatus,
    CitizenStatus,
    Code,
    EmailStatus,
    JobStatus,
    OutboxStatus,
    PreparationStatus,
    SummaryApproval,
)
from bot.db import models

ROOT = Path(__file__).resolve().parents[2]

# Attributes that hold a stored code.
CODE_ATTRIBUTES = {"status", "approval", "citizen_reply"}


def test_the_tuples_in_models_are_the_enum_values():
    assert models.APPOINTMENT_KINDS == AppointmentKind.values() == (
        "opstartssamtale", "netvaerksmoede", "opfoelgning", "afslutningssamtale", "andet")
    assert models.APPOINTMENT_STATUSES == AppointmentStatus.values() == ("planned", "attended", "missed", "cancelled")
    assert models.APPOINTMENT_REPLIES == AppointmentReply.values() == ("confirmed", "cannot_come")
    assert models.CITIZEN_STATUSES == CitizenStatus.values() == ("active", "opted_out", "inactive")
    assert models.CHECKIN_STATUSES == CheckinStatus.values() == ("open", "complete", "partial")
    assert models.ALERT_STATUSES == AlertStatus.values() == ("open", "acknowledged", "resolved")
    assert models.SEVERITIES == Severity.values() == ("low", "medium", "high", "urgent")
    assert models.OUTBOX_STATUSES == OutboxStatus.values() == (
        "queued", "sending", "sent", "delivered", "undelivered", "failed", "suppressed")
    assert models.EMAIL_OUTBOX_STATUSES == EmailStatus.values() == ("queued", "sending", "sent", "failed")
    assert models.PREPARATION_STATUSES == PreparationStatus.values() == ("not_started", "in_progress", "completed")
    assert models.AGREEMENT_STATUSES == AgreementStatus.values() == ("proposed", "approved", "rejected")
    assert models.SUMMARY_APPROVALS == SummaryApproval.values() == ("pending", "approved", "rejected")
    assert models.JOB_STATUSES == JobStatus.values() == ("pending", "running", "done", "skipped", "cancelled", "failed")
    for values in (models.CITIZEN_STATUSES, models.JOB_STATUSES, models.SEVERITIES):
        assert all(type(value) is str for value in values)


def test_column_defaults_are_plain_strings_from_the_enums():
    defaults = {
        models.Citizen.status: CitizenStatus.ACTIVE,
        models.Appointment.status: AppointmentStatus.PLANNED,
        models.Alert.status: AlertStatus.OPEN,
        models.OutboxMessage.status: OutboxStatus.QUEUED,
        models.EmailOutboxMessage.status: EmailStatus.QUEUED,
        models.Preparation.status: PreparationStatus.IN_PROGRESS,
        models.MeetingSummary.approval: SummaryApproval.PENDING,
        models.Agreement.status: AgreementStatus.PROPOSED,
        models.Job.status: JobStatus.PENDING,
        models.CheckIn.status: CheckinStatus.COMPLETE,
    }
    for column, member in defaults.items():
        default = column.property.columns[0].default.arg
        assert default == member.value and type(default) is str, column


def test_a_code_is_its_string():
    for enum in (c for c in vars(vocabulary).values() if isinstance(c, type) and issubclass(c, Code) and c is not Code):
        for member in enum:
            assert member == member.value and str(member) == f"{member}" == member.value
            assert enum(member.value) is member


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_code_attribute(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in CODE_ATTRIBUTES


def _bare_codes(tree: ast.AST):
    """(line, literal) for `x.status == "..."` / `!=` (either side), `x.status.in_(("...", ...))` and
    `status="..."` keywords."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:]):
                if not isinstance(op, (ast.Eq, ast.NotEq)):
                    continue
                for attribute, literal in ((left, right), (right, left)):
                    if _is_code_attribute(attribute) and _is_str(literal):
                        yield literal.lineno, literal.value
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in CODE_ATTRIBUTES and _is_str(keyword.value):
                    yield keyword.value.lineno, keyword.value.value
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "in_" and _is_code_attribute(func.value):
                for argument in node.args:
                    elements = argument.elts if isinstance(argument, (ast.Tuple, ast.List, ast.Set)) else [argument]
                    for element in elements:
                        if _is_str(element):
                            yield element.lineno, element.value


def test_the_scan_finds_bare_codes():
    source = (
        'a = x.status == "open"\n'
        'b = "planned" != appointment.status\n'
        'c = Job.status.in_(("pending", "running"))\n'
        'd = f(status="queued")\n'
        'e = summary.approval != "pending"\n'
        'ok = x.status == AlertStatus.OPEN or f(status=JobStatus.DONE, other="open") or x.kind == "andet"\n'
    )
    assert sorted(_bare_codes(ast.parse(source))) == [
        (1, "open"), (2, "planned"), (3, "pending"), (3, "running"), (4, "queued"), (5, "pending")]


def test_no_module_compares_or_sets_a_status_by_a_bare_string():
    offenders = []
    for path in sorted([*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("actions").rglob("*.py")]):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT).as_posix()
        for line, value in _bare_codes(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{relative}:{line}: {value!r}")
    assert offenders == [], "use the enums in bot.core.vocabulary for stored codes, not strings"
