"""Danish words for the codes stored in the database, as coordinators read them."""
from __future__ import annotations

from bot.core import i18n
from bot.core.alert_catalogue import RULE_LABELS, SEVERITY_LABELS
from bot.core.vocabulary import CourseEndReason

COLOURS = {"green": "Grøn", "yellow": "Gul", "red": "Rød"}
SEVERITIES = SEVERITY_LABELS
ALERT_STATUSES = {"open": "Ny", "acknowledged": "Kvitteret", "resolved": "Løst"}
# A check-in is stored from its first answer (docs/decisions.md, "An answer counts the moment it is given").
CHECKIN_STATUSES = {"open": "i gang", "partial": "ikke færdig", "complete": "færdig"}
RULES = RULE_LABELS  # every rule, from the one catalogue
APPOINTMENT_KINDS = {
    "opstartssamtale": "Opstartssamtale",
    "netvaerksmoede": "Netværksmøde",
    "opfoelgning": "Opfølgning",
    "afslutningssamtale": "Afslutningssamtale",
    "andet": "Andet",
}
APPOINTMENT_STATUSES = {"planned": "Planlagt", "attended": "Mødt", "missed": "Udeblev", "cancelled": "Aflyst"}
CITIZEN_STATUSES = {"active": "Aktiv", "opted_out": "Afmeldt SMS (STOP)", "inactive": "Afsluttet"}
# Why a course ended (citizens.course_end_reason), in the order the dashboard offers them.
END_REASONS = {
    CourseEndReason.GOALS_REACHED.value: "Målene er nået",
    CourseEndReason.MOVED.value: "Flyttet",
    CourseEndReason.DECLINED.value: "Ønsker ikke mere",
    CourseEndReason.OTHER.value: "Andet",
}
TRENDS = {"better": "bedre", "worse": "værre", "same": "uændret", None: "-"}


def languages() -> dict[str, str]:
    """The languages a citizen can have (citizens.language), code -> its name in itself (Dansk,
    English, العربية): one per catalogue file, so a new file shows up in the forms."""
    return {code: i18n.default_catalogue().language(code).name for code in i18n.languages()}


def language(code: str | None) -> str:
    return languages().get(code or i18n.DANISH, code or "")
ACCESS_ACTIONS = {
    "view_citizen": "så borgerens side",
    "view_agenda": "så dagsorden",
    "record_attendance": "registrerede fremmøde",
    "stratify": "stratificerede",
    "create_appointment": "oprettede møde",
    "change_appointment": "ændrede møde",
    "register": "registrerede borgeren",
    "chat_link": "lavede chatlink",
    "view_alert": "så eskaleret alarm",
    "break_glass_alert": "tog akut alarm med nødadgang",
}
