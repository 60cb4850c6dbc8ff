"""Agreements in plain words for the citizen, and the rules for who owns an agreement."""
from __future__ import annotations

from bot.core.danish_time import format_day
from bot.db.models import Agreement

# Characters the list may use in each message (two SMS minus the message's own words).
LIST_IN_APPROVAL = 240
LIST_IN_STATUS = 200
CITIZEN_WORDS = {"borger", "borgeren", "du", "dig", "citizen", "mig", "jeg"}
MAX_LINE = 150  # one agreement; the full text stays in the database and on the dashboard


def owned_by_citizen(who: str, citizen_name: str) -> bool:
    who = who.strip().lower()
    name = citizen_name.strip().lower()
    return who in CITIZEN_WORDS or who == name or (bool(name) and who == name.split()[0])


def agreement_line(number: int, agreement: Agreement) -> str:
    who = "Du" if agreement.owner_is_citizen else agreement.who
    when = f", senest {format_day(agreement.due_date)}" if agreement.due_date else ""
    line = f"{number}. {who}: {agreement.what}{when}"
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3].rstrip() + "..."


def agreement_list(agreements: list[Agreement], max_chars: int) -> str:
    """Numbered, plain; cut with a pointer to the coordinator when a long list would not fit
    the message's two SMS (max_chars is what the rest of the message leaves)."""
    lines, used = [], 0
    for i, agreement in enumerate(agreements, start=1):
        line = agreement_line(i, agreement)
        if lines and used + len(line) > max_chars - 40:
            lines.append(f"+ {len(agreements) - i + 1} aftaler mere. Spørg din koordinator.")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)
