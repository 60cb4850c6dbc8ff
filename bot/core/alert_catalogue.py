"""Every alert the system can raise, in one place: its code (stored in `alerts.rule`), its severity,
the Danish label coordinators read, and how repeats are kept from piling up (docs/architecture.md,
"Alerts"). The database refuses a rule that is not here (bot.db.alerts.add_alert), and
tests/unit/test_alert_catalogue.py fails when code raises a rule by a bare string."""
from __future__ import annotations

from dataclasses import dataclass

from bot.core.vocabulary import Code


class Severity(Code):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self]


_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.URGENT: 4}
_SEVERITY_LABELS = {Severity.LOW: "lav", Severity.MEDIUM: "middel", Severity.HIGH: "høj", Severity.URGENT: "akut"}


class Dedupe(Code):
    EVERY_EVENT = "every_event"  # each event is its own alert (a red check-in, a missed meeting)
    ONE_OPEN = "one_open"  # at most one open alert of this rule per citizen
    ONCE_PER_ANSWER = "once_per_answer"  # the same answer repeated does not raise it again
    QUIET_WINDOW = "quiet_window"  # not again within a window (the raising module's REPEAT_AFTER)


class Rule(Code):
    OVERALL_RED = "overall_red"
    AREA_RED = "area_red"
    WORSENED = "worsened"
    CONTACT_REQUEST = "contact_request"
    CRISIS_LANGUAGE = "crisis_language"
    NO_RESPONSE = "no_response"
    MISSED_APPOINTMENT = "missed_appointment"
    APPOINTMENT_CANNOT_COME = "appointment_cannot_come"
    APPOINTMENT_UNANSWERED = "appointment_unanswered"
    AGREEMENT_REJECTED = "agreement_rejected"
    AGREEMENT_NOT_FOLLOWED = "agreement_not_followed"
    HOPELESSNESS = "hopelessness"
    SILENT_AFTER_BAD_CHECKIN = "silent_after_bad_checkin"
    UNREACHABLE = "unreachable"
    WHO5_DROP = "who5_drop"
    WHO5_LOW = "who5_low"
    OTHER_LANGUAGE = "other_language"

    @property
    def entry(self) -> CatalogueEntry:
        return CATALOGUE[self]

    @property
    def severity(self) -> Severity:
        """The usual severity; a rule may raise it (a second missed meeting in a row is high)."""
        return CATALOGUE[self].severity

    @property
    def label(self) -> str:
        return CATALOGUE[self].label


@dataclass(frozen=True)
class CatalogueEntry:
    severity: Severity
    label: str  # Danish, as the dashboard shows it
    dedupe: Dedupe
    raised_by: str  # where, for a reader of the code


CATALOGUE: dict[Rule, CatalogueEntry] = {
    Rule.OVERALL_RED: CatalogueEntry(Severity.HIGH, "Rød samlet", Dedupe.EVERY_EVENT, "bot.checkins.rules"),
    Rule.AREA_RED: CatalogueEntry(Severity.MEDIUM, "Rødt livsområde", Dedupe.EVERY_EVENT, "bot.checkins.rules"),
    Rule.WORSENED: CatalogueEntry(Severity.HIGH, "Forværring", Dedupe.EVERY_EVENT, "bot.checkins.rules"),
    Rule.CONTACT_REQUEST: CatalogueEntry(Severity.MEDIUM, "Vil ringes op", Dedupe.ONE_OPEN, "bot.citizens.contact"),
    Rule.CRISIS_LANGUAGE: CatalogueEntry(Severity.URGENT, "Krisesprog", Dedupe.QUIET_WINDOW, "bot.safety.alerting"),
    Rule.NO_RESPONSE: CatalogueEntry(Severity.LOW, "Intet svar", Dedupe.ONE_OPEN, "bot.scheduler.handlers"),
    Rule.MISSED_APPOINTMENT: CatalogueEntry(Severity.MEDIUM, "Udeblevet", Dedupe.EVERY_EVENT,
                                            "bot.appointments.attendance"),
    Rule.APPOINTMENT_CANNOT_COME: CatalogueEntry(Severity.MEDIUM, "Kan ikke komme", Dedupe.ONCE_PER_ANSWER,
                                                 "bot.appointments.attendance"),
    Rule.APPOINTMENT_UNANSWERED: CatalogueEntry(Severity.MEDIUM, "Ikke svaret på påmindelse", Dedupe.EVERY_EVENT,
                                                "bot.appointments.attendance"),
    Rule.AGREEMENT_REJECTED: CatalogueEntry(Severity.MEDIUM, "Aftaler ikke godkendt", Dedupe.EVERY_EVENT,
                                            "bot.meetings.agreements"),
    Rule.AGREEMENT_NOT_FOLLOWED: CatalogueEntry(Severity.MEDIUM, "Aftale ikke fulgt op", Dedupe.EVERY_EVENT,
                                                "bot.meetings.agreements"),
    # Giving up, not being able to go on (docs/nlu.md, "Hopelessness"): any message, any form.
    Rule.HOPELESSNESS: CatalogueEntry(Severity.HIGH, "Giver udtryk for håbløshed", Dedupe.QUIET_WINDOW,
                                      "bot.safety.alerting"),
    # A red (or worse-than-before yellow) check-in, then no answer to the next prompt and its nudge.
    Rule.SILENT_AFTER_BAD_CHECKIN: CatalogueEntry(Severity.HIGH, "Tavs efter dårligt tjek-ind", Dedupe.ONE_OPEN,
                                                  "bot.scheduler.handlers"),
    # SMS to the citizen cannot be delivered (the outbox gave up, or the operator says undeliverable).
    Rule.UNREACHABLE: CatalogueEntry(Severity.HIGH, "Kan ikke nås på SMS", Dedupe.ONE_OPEN, "bot.sms.outbox"),
    # WHO-5 (docs/outcomes.md, "Alerts"): a fall of 10 points or more from the previous score is
    # clinically significant (Sundhedsstyrelsen 2017); a score in 0-35 is the band "stor risiko for
    # depression eller stressbelastning". The threshold is stored with each alert.
    Rule.WHO5_DROP: CatalogueEntry(Severity.HIGH, "Trivsel (WHO-5) faldet", Dedupe.EVERY_EVENT,
                                   "bot.outcomes.rules"),
    Rule.WHO5_LOW: CatalogueEntry(Severity.MEDIUM, "Trivsel (WHO-5) meget lav", Dedupe.EVERY_EVENT,
                                  "bot.outcomes.rules"),
    # A message in a language the assistant does not understand (issue 15; docs/decisions.md, "Messages
    # in other languages"): the citizen was told the coordinator calls; one a day while unresolved.
    # High, so it escalates: nobody here can read it, and it may be a crisis the phrase lists miss
    # (they know Danish and English only); a miss is worse than a false alarm.
    Rule.OTHER_LANGUAGE: CatalogueEntry(Severity.HIGH, "Skriver på et andet sprog", Dedupe.QUIET_WINDOW,
                                        "bot.citizens.language"),
}

RULE_LABELS = {rule.value: entry.label for rule, entry in CATALOGUE.items()}
SEVERITY_LABELS = {severity.value: severity.label for severity in Severity}
SEVERITY_RANK = {severity.value: severity.rank for severity in Severity}
