"""Danish words for the codes stored in the database, as coordinators read them."""
from __future__ import annotations

COLOURS = {"green": "Grøn", "yellow": "Gul", "red": "Rød"}
SEVERITIES = {"low": "lav", "medium": "middel", "high": "høj", "urgent": "akut"}
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "urgent": 4}
ALERT_STATUSES = {"open": "Ny", "acknowledged": "Kvitteret", "resolved": "Løst"}
RULES = {
    "overall_red": "Rød samlet",
    "area_red": "Rødt livsområde",
    "worsened": "Forværring",
    "contact_request": "Vil ringes op",
    "crisis_language": "Krisesprog",
    "no_response": "Intet svar",
    "missed_appointment": "Udeblevet",
    "agreement_not_followed": "Aftale ikke fulgt op",
}
APPOINTMENT_KINDS = {
    "opstartssamtale": "Opstartssamtale",
    "netvaerksmoede": "Netværksmøde",
    "opfoelgning": "Opfølgning",
    "afslutningssamtale": "Afslutningssamtale",
    "andet": "Andet",
}
APPOINTMENT_STATUSES = {"planned": "Planlagt", "attended": "Mødt", "missed": "Udeblev", "cancelled": "Aflyst"}
CITIZEN_STATUSES = {"active": "Aktiv", "opted_out": "Afmeldt SMS (STOP)", "inactive": "Afsluttet"}
TRENDS = {"better": "bedre", "worse": "værre", "same": "uændret", None: "-"}
ACCESS_ACTIONS = {
    "view_citizen": "så borgerens side",
    "view_agenda": "så dagsorden",
    "record_attendance": "registrerede fremmøde",
    "stratify": "stratificerede",
    "create_appointment": "oprettede møde",
    "register": "registrerede borgeren",
    "chat_link": "lavede chatlink",
    "view_alert": "så eskaleret alarm",
}
